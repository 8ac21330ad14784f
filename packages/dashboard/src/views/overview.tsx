import type { AdminOverview } from '@csp-observer/core';
import { api, query } from '../api';
import { BarChart, bucketsBetween, TimelineChart, type TimelineRow } from '../components/charts';
import { causeTone } from '../colors';
import { Card, ErrorBox, Loading, PeriodPicker, Ranking } from '../components/ui';
import { bucketOf, periodQuery, scopeOf } from '../period';
import { hrefOf } from '../route';
import { useData } from '../use-data';

export function Overview({ params }: { params: Record<string, string> }) {
  const bucket = bucketOf(params);
  const period = { ...periodQuery(params), bucket };
  const { data, error, loading } = useData(JSON.stringify(period), () => api.get<AdminOverview>(`overview${query(period)}`));
  // An older server answers without perHour: its days, then.
  const hourly = bucket === 'hour' && data?.perHour !== undefined;
  const timeline: TimelineRow[] = hourly
    ? (data?.perHour ?? []).map((r) => ({ at: r.hour, channel: r.channel, count: r.count }))
    : (data?.perDay ?? []).map((r) => ({ at: r.day, channel: r.channel, count: r.count }));
  const chartTitle = hourly ? 'Reports per hour and channel' : 'Reports per day and channel';
  const keep = scopeOf(params);
  return (
    <>
      <header class="view-header">
        <h1>Overview</h1>
        <PeriodPicker view="overview" params={params} />
      </header>
      {error && <ErrorBox message={error} />}
      {loading && !data && <Loading />}
      {data && (
        <div class="grid">
          <section class="figures wide" aria-label="Totals">
            <Figure label="Reports" value={data.total} href={hrefOf('reports', keep)} />
            <Figure label="Invalid reports" value={data.invalid} href={hrefOf('reports', { ...keep, valid: 'false' })} />
            <Figure label="Page views" value={data.sessions.total} href={hrefOf('sessions', keep)} />
            <Figure
              label="Page views with problems"
              value={data.sessions.problems}
              tone={data.sessions.problems ? 'bad' : undefined}
              href={hrefOf('sessions', { ...keep, status: 'problems' })}
            />
            <Figure label="Dropped by filters and ignore rules" value={data.dropped.total} />
          </section>
          <Card title={chartTitle} wide>
            {timeline.length ? (
              <TimelineChart
                rows={timeline}
                buckets={bucketsBetween(data.from, data.to, hourly ? 'hour' : 'day')}
                bucket={hourly ? 'hour' : 'day'}
                label={chartTitle}
              />
            ) : (
              <p class="muted">No reports in this period.</p>
            )}
          </Card>
          <Card title="Causes">
            <BarChart
              labels={Object.keys(data.causes)}
              values={Object.values(data.causes)}
              label="Reports per cause"
              tones={Object.keys(data.causes).map(causeTone)}
              testId="chart-causes"
            />
          </Card>
          <Card title="Top rules">
            <Ranking
              rows={data.rules.map((r) => ({ label: r.id, title: r.title, count: r.count }))}
              empty="No rule explained a report in this period."
              link={(id) => hrefOf('reports', { ...keep, rule: id })}
            />
          </Card>
          <Card title="Top blocked URIs">
            <Ranking
              rows={data.blocked.map((r) => ({ label: r.uri, count: r.count }))}
              empty="Nothing blocked in this period."
              link={(uri) => hrefOf('reports', { ...keep, q: uri })}
            />
          </Card>
          <Card title="Top pages">
            <Ranking
              rows={data.pages.map((r) => ({ label: r.uri, count: r.count }))}
              empty="No pages in this period."
              link={(uri) => hrefOf('reports', { ...keep, pageUrl: uri })}
            />
          </Card>
          <Card title="Signs of tampering (page views)">
            <Ranking
              rows={Object.entries(data.anomalies).map(([kind, count]) => ({ label: kind, count }))}
              empty="No anomalies in this period."
            />
          </Card>
          <Card title="Channels">
            <Ranking
              rows={Object.entries(data.channels).map(([channel, count]) => ({ label: channel, count }))}
              empty="No reports in this period."
              link={(channel) => hrefOf('reports', { ...keep, channel })}
            />
          </Card>
        </div>
      )}
    </>
  );
}

function Figure({ label, value, href, tone }: { label: string; value: number; href?: string; tone?: 'bad' }) {
  const body = (
    <>
      <span class="figure-value">{value.toLocaleString('en')}</span>
      <span class="figure-label">{label}</span>
    </>
  );
  return <div class={tone ? `figure ${tone}` : 'figure'}>{href ? <a href={href}>{body}</a> : body}</div>;
}

import type { AdminSessionDetail, PopulationSide, Verdict } from '@csp-observer/core';
import { api } from '../api';
import { CauseBadge, Code, ErrorBox, Loading } from '../components/ui';
import { formatTime } from '../period';
import { hrefOf } from '../route';
import { useData } from '../use-data';

const SIDE_TEXT: Record<PopulationSide, string> = {
  site: "likely the site's own",
  visitor: "likely the visitor's side",
  unknown: 'too few page views to tell',
};

const CHANNELS: Array<[string, string]> = [
  ['sdk', 'Seen by the page (SDK)'],
  ['report-uri', 'Sent by the browser (report-uri)'],
  ['report-to', 'Sent by the browser (Reporting API)'],
];

export function SessionDetailView({ id }: { id: string }) {
  const { data, error, loading } = useData(id, () => api.get<AdminSessionDetail>(`sessions/${encodeURIComponent(id)}`));
  if (error) return <ErrorBox message={error} />;
  if (loading || !data) return <Loading />;
  const { session } = data;
  const channels = CHANNELS.filter(([channel]) => channel !== 'report-to' || data.reports.some((r) => r.channel === channel));
  return (
    <>
      <header class="view-header">
        <h1>Page view</h1>
        <a href={hrefOf('sessions')}>← All page views</a>
      </header>
      <dl class="fields compact">
        {session.site && (
          <div>
            <dt>Site</dt>
            <dd>{session.site}</dd>
          </div>
        )}
        <div>
          <dt>Page</dt>
          <dd>
            <Code>{session.documentUri}</Code>
          </dd>
        </div>
        <div>
          <dt>First and last report</dt>
          <dd>
            {formatTime(session.firstSeenAt)} – {formatTime(session.lastSeenAt)}
          </dd>
        </div>
        <div>
          <dt>Browser</dt>
          <dd>
            <Code>{session.userAgent}</Code>
          </dd>
        </div>
        <div>
          <dt>SDK</dt>
          <dd>
            {session.sdkSeenAt
              ? `heard from; canary ${session.canary ? `${session.canary.outcome}${session.canary.threw ? ', policy enforced' : ''}` : 'not reported'}`
              : 'never heard from'}
          </dd>
        </div>
        {session.sharedAt && (
          <div>
            <dt>Shared by the visitor</dt>
            <dd>{formatTime(session.sharedAt)}</dd>
          </div>
        )}
      </dl>
      <div class="verdicts">
        <VerdictCard title="As the visitor saw it" verdict={data.shown?.verdict ?? null} at={data.shown?.at} testId="verdict-shown" />
        <VerdictCard title="With today's rules" verdict={data.current} testId="verdict-current" />
      </div>
      {data.unexplained.length > 0 && (
        <>
          <h2>No rule explains</h2>
          <ul class="evidence" data-testid="unexplained">
            {data.unexplained.map(({ violation: v, population: p }) => (
              <li key={`${v.effectiveDirective} ${v.blockedUri} ${v.sample}`}>
                <Code>{v.effectiveDirective}</Code> <Code>{v.blockedUri}</Code>{' '}
                <strong class={`side ${p.side}`}>{SIDE_TEXT[p.side]}</strong>
                <div class="muted">
                  on {p.pageViewsWithIt} of the site's {p.pageViews} page views of the last {p.days} days
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>Reports side by side</h2>
      <div class="channels" data-testid="channels">
        {channels.map(([channel, label]) => {
          const rows = data.reports.filter((r) => r.channel === channel);
          return (
            <section class="channel" key={channel}>
              <h3>
                {label} <span class="muted">({rows.length})</span>
              </h3>
              {rows.length === 0 && <p class="muted">Nothing.</p>}
              <ul class="evidence">
                {rows.map((r) => (
                  <li key={r.id}>
                    <a href={hrefOf(`reports/${r.id}`)}>{r.effectiveDirective || r.reportType}</a> <Code>{r.blockedUri}</Code>
                    <div class="muted">
                      <CauseBadge cause={r.cause} />
                      {r.ruleTitle ? ` · ${r.ruleTitle}` : ''}
                      {r.fingerprint ? ` · #${r.fingerprint.slice(0, 6)}` : ''}
                    </div>
                  </li>
                ))}
              </ul>
            </section>
          );
        })}
      </div>
    </>
  );
}

function VerdictCard({ title, verdict, at, testId }: { title: string; verdict: Verdict | null; at?: number; testId: string }) {
  return (
    <section class={`card verdict-card verdict-${verdict?.status ?? 'none'}`} data-testid={testId}>
      <h2>{title}</h2>
      {!verdict ? (
        <p class="muted">No verdict was sent to this page view (no SDK, or the popup is off).</p>
      ) : (
        <>
          <p>
            <strong>{verdict.status}</strong>
            {verdict.final ? '' : ' (not final)'}
            {at ? <span class="muted"> · {formatTime(at)}</span> : null}
          </p>
          <ul>
            {verdict.problems.map((p) => (
              <li key={p.ruleId}>
                {p.title}{' '}
                <span class="muted">
                  ({p.cause}, {p.count})
                </span>
              </li>
            ))}
            {verdict.anomalies.map((a) => (
              <li key={a.kind}>
                {a.title} <span class="muted">({a.severity === 'notice' ? 'notice: the status stays clean' : 'sign of tampering'})</span>
              </li>
            ))}
          </ul>
          {verdict.unknown > 0 && <p class="muted">{verdict.unknown} violation(s) no rule explains.</p>}
        </>
      )}
    </section>
  );
}

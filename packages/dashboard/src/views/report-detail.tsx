import type { AdminReport } from '@csp-observer/core';
import { api } from '../api';
import { CauseBadge, Code, ErrorBox, Loading } from '../components/ui';
import { formatTime } from '../period';
import { hrefOf } from '../route';
import { useData } from '../use-data';

/** The raw body pretty-printed when it is JSON, else as received. */
function pretty(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}

export function ReportDetailView({ id }: { id: string }) {
  const { data, error, loading } = useData(id, () => api.get<AdminReport>(`reports/${encodeURIComponent(id)}`));
  if (error) return <ErrorBox message={error} />;
  if (loading || !data) return <Loading />;
  const fields: Array<[string, string]> = [
    ['Received', formatTime(data.receivedAt)],
    ['Channel', data.via ? `${data.channel} (${data.via})` : data.channel],
    ['Type', data.reportType],
    ['Page', data.documentUri],
    ['Referrer', data.referrer],
    ['Blocked', data.blockedUri],
    ['Effective directive', data.effectiveDirective],
    ['Violated directive', data.violatedDirective],
    ['Disposition', data.disposition],
    ['Source', data.sourceFile ? `${data.sourceFile}:${data.lineNumber}:${data.columnNumber}` : ''],
    ['Sample', data.sample],
    ['Status code', String(data.statusCode)],
    ['Rule', data.ruleId ? `${data.ruleTitle ?? ''} (${data.ruleId})` : 'none'],
    ['Valid', data.isValid ? 'yes' : `no: ${data.problems.join('; ')}`],
    ['User agent', data.userAgent],
    ['IP (anonymized)', data.ip],
    ['Policy', data.originalPolicy],
  ];
  if (data.site) fields.unshift(['Site', data.site]);
  if (data.extra) fields.push(['Extra fields', data.extra]);
  return (
    <>
      <header class="view-header">
        <h1>Report {data.id}</h1>
        <a href={hrefOf('reports')}>← All reports</a>
      </header>
      <dl class="fields" data-testid="report-fields">
        {fields.map(([name, value]) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>
              <Code>{value}</Code>
            </dd>
          </div>
        ))}
        <div>
          <dt>Cause</dt>
          <dd>
            <CauseBadge cause={data.cause} />
          </dd>
        </div>
        {data.sessionId && (
          <div>
            <dt>Page view</dt>
            <dd>
              <a href={hrefOf(`sessions/${data.sessionId}`)}>{data.sessionId}</a>
            </dd>
          </div>
        )}
      </dl>
      <h2>As received</h2>
      <pre class="raw" data-testid="report-raw">
        {pretty(data.raw)}
      </pre>
    </>
  );
}

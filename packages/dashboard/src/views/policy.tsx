import type { AdminPolicy } from '@csp-observer/core';
import { api, query } from '../api';
import { Url, Code, ErrorBox, Loading, PeriodPicker } from '../components/ui';
import { periodQuery } from '../period';
import { hrefOf } from '../route';
import { useData } from '../use-data';

export function PolicyAssistant({ params }: { params: Record<string, string> }) {
  const period = periodQuery(params);
  const { data, error, loading } = useData(JSON.stringify(period), () => api.get<AdminPolicy>(`policy${query(period)}`));
  const adds = data?.proposals.filter((p) => p.action === 'add') ?? [];
  const advice = data?.proposals.filter((p) => p.action === 'advice') ?? [];
  return (
    <>
      <header class="view-header">
        <h1>Policy assistant</h1>
        <PeriodPicker view="policy" params={params} />
      </header>
      {error && <ErrorBox message={error} />}
      {loading && !data && <Loading />}
      {data && (
        <>
          <section class="card">
            <h2>The policy sent</h2>
            <p class="muted">{data.reportOnly ? 'Report-only: violations are reported, nothing is blocked.' : 'Enforced.'}</p>
            <pre class="raw">{data.configured.header}</pre>
          </section>
          <section class="card" data-testid="weaknesses">
            <h2>Weak points</h2>
            {data.weaknesses.length === 0 ? (
              <p>No weak point found.</p>
            ) : (
              <ul class="weaknesses">
                {data.weaknesses.map((w) => (
                  <li key={w.code + w.directive} class={`severity-${w.severity}`}>
                    <span class="severity">{w.severity}</span> {w.message}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section class="card" data-testid="proposals">
            <h2>Allowlist changes that would remove the site's own violations</h2>
            <p class="muted">
              From the valid violations no rule explains (rules that attribute violations to extensions, browsers or malware keep theirs
              out). Check each source before adding it: an unknown one seen in a single page view may be one visitor's software.
            </p>
            {adds.length === 0 ? (
              <p>Nothing to add.</p>
            ) : (
              <div class="table-wrap">
                <table class="list">
                  <thead>
                    <tr>
                      <th>Directive</th>
                      <th>Add</th>
                      <th class="num">Reports</th>
                      <th class="num">Page views</th>
                      <th>Pages</th>
                    </tr>
                  </thead>
                  <tbody>
                    {adds.map((p) => (
                      <tr key={p.directive + p.source} class={p.lowConfidence ? 'low-confidence' : undefined}>
                        <td>{p.directive}</td>
                        <td>
                          <a href={hrefOf('reports', { ...params, q: p.source, cause: 'unknown' })}>
                            <Code>{p.source}</Code>
                          </a>
                          {p.lowConfidence && <div class="muted">seen in one page view only</div>}
                        </td>
                        <td class="num">{p.count}</td>
                        <td class="num">{p.sessions}</td>
                        <td class="clip">
                          {p.pages.map((page, i) => (
                            <span key={page}>
                              {i > 0 && ' '}
                              <Url>{page}</Url>
                            </span>
                          ))}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {advice.length > 0 && (
              <>
                <h3>Better fixed in the code</h3>
                <ul>
                  {advice.map((p) => (
                    <li key={p.directive + p.source}>
                      <strong>{p.directive}</strong>: {p.message} <span class="muted">({p.count} reports)</span>
                    </li>
                  ))}
                </ul>
              </>
            )}
            {adds.length > 0 && (
              <>
                <h3>The policy with these changes</h3>
                <pre class="raw" data-testid="proposed-header">
                  {data.proposed.header}
                </pre>
                <p class="muted">As the policy option:</p>
                <pre class="raw">{JSON.stringify(data.proposed.options, null, 2)}</pre>
              </>
            )}
          </section>
          {data.reported.length > 0 && (
            <section class="card">
              <h2>Policies browsers reported</h2>
              {data.reported.map((entry) => (
                <div key={entry.policy}>
                  <pre class="raw">{entry.policy}</pre>
                  <p class="muted">
                    {entry.count} reports{entry.weaknesses.length ? `; weak points: ${entry.weaknesses.map((w) => w.code).join(', ')}` : ''}
                  </p>
                </div>
              ))}
            </section>
          )}
        </>
      )}
    </>
  );
}

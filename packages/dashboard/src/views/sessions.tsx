import type { AdminPage, AdminSessionListItem, AdminSessionQuery } from '@csp-observer/core';
import { api, query } from '../api';
import { ErrorBox, Loading, Pager, PeriodPicker, Url } from '../components/ui';
import { formatTime, periodQuery } from '../period';
import { hrefOf } from '../route';
import { useSites } from '../sites';
import { useData } from '../use-data';

const STATUSES: Array<[string, string]> = [
  ['', 'All'],
  ['problems', 'With problems'],
  ['clean', 'Clean'],
  ['observing', 'Observing'],
  ['none', 'No popup verdict'],
];

export function Sessions({ params }: { params: Record<string, string> }) {
  const request: AdminSessionQuery = { ...periodQuery(params), status: params.status, q: params.q, page: params.page, pageSize: 25 };
  const { data, error, loading } = useData(JSON.stringify(request), () =>
    api.get<AdminPage<AdminSessionListItem>>(`sessions${query(request)}`),
  );
  const bySite = useSites().length > 0 && !params.site;
  return (
    <>
      <header class="view-header">
        <h1>Page views</h1>
        <PeriodPicker view="sessions" params={params} />
      </header>
      <nav class="tabs" aria-label="Verdict">
        {STATUSES.map(([status, label]) => (
          <a
            href={hrefOf('sessions', { ...params, status: status || undefined, page: undefined })}
            aria-current={(params.status ?? '') === status ? 'true' : undefined}
          >
            {label}
          </a>
        ))}
      </nav>
      {error && <ErrorBox message={error} />}
      {loading && !data && <Loading />}
      {data && (
        <>
          <div class="table-wrap">
            <table class="list" data-testid="session-list">
              <thead>
                <tr>
                  <th>First report</th>
                  {bySite && <th>Site</th>}
                  <th>Page</th>
                  <th>Verdict shown</th>
                  <th>SDK</th>
                  <th class="num">Reports</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((s) => (
                  <tr key={s.id}>
                    <td class="nowrap">
                      <a href={hrefOf(`sessions/${s.id}`)}>{formatTime(s.firstSeenAt)}</a>
                    </td>
                    {bySite && <td>{s.site || 'this server'}</td>}
                    <td class="clip">
                      <Url>{s.documentUri}</Url>
                    </td>
                    <td>
                      <span class={`verdict verdict-${s.shownVerdict?.status ?? 'none'}`}>{s.shownVerdict?.status ?? 'none'}</span>
                    </td>
                    <td>{s.sdkSeenAt ? 'yes' : 'no'}</td>
                    <td class="num">{s.reports}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager
            page={data.page}
            pageSize={data.pageSize}
            total={data.total}
            href={(page) => hrefOf('sessions', { ...params, page: String(page) })}
          />
        </>
      )}
    </>
  );
}

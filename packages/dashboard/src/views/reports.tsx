import type { AdminPage, AdminReportFilterValues, AdminReportListItem, AdminReportQuery } from '@csp-observer/core';
import { useState } from 'preact/hooks';
import { api, query } from '../api';
import { CauseBadge, Code, ErrorBox, Loading, Pager, PeriodPicker, Url } from '../components/ui';
import { formatTime, periodQuery, scopeOf } from '../period';
import { hrefOf, navigate } from '../route';
import { useSites } from '../sites';
import { useData } from '../use-data';

/** Filter names in the location hash, as the API takes them. */
const FILTERS = ['directive', 'host', 'pageUrl', 'cause', 'rule', 'channel', 'valid', 'q', 'session'] as const satisfies ReadonlyArray<
  keyof AdminReportQuery
>;

export function Reports({ params }: { params: Record<string, string> }) {
  const period = periodQuery(params);
  const filters = Object.fromEntries(FILTERS.map((name) => [name, params[name]]));
  const request: AdminReportQuery = { ...period, ...filters, page: params.page, pageSize: 25 };
  const { data, error, loading } = useData(JSON.stringify(request), () =>
    api.get<AdminPage<AdminReportListItem>>(`reports${query(request)}`),
  );
  const values = useData(JSON.stringify(period), () => api.get<AdminReportFilterValues>(`reports/filters${query(period)}`));
  // A collector's list says whose each report is, unless one site is chosen.
  const bySite = useSites().length > 0 && !params.site;
  return (
    <>
      <header class="view-header">
        <h1>Reports</h1>
        <PeriodPicker view="reports" params={params} />
      </header>
      <FilterForm key={JSON.stringify(params)} params={params} values={values.data} />
      {error && <ErrorBox message={error} />}
      {loading && !data && <Loading />}
      {data && (
        <>
          <p class="muted" data-testid="report-total">
            {data.total} report{data.total === 1 ? '' : 's'}
          </p>
          <div class="table-wrap">
            <table class="list" data-testid="report-list">
              <thead>
                <tr>
                  <th>Received</th>
                  {bySite && <th>Site</th>}
                  <th>Channel</th>
                  <th>Directive</th>
                  <th>Blocked</th>
                  <th>Page</th>
                  <th>Cause</th>
                  <th>Valid</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((r) => (
                  <tr key={r.id}>
                    <td class="nowrap">
                      <a href={hrefOf(`reports/${r.id}`)}>{formatTime(r.receivedAt)}</a>
                    </td>
                    {bySite && <td>{r.site || 'this server'}</td>}
                    <td>{r.channel}</td>
                    <td>{r.effectiveDirective || r.reportType}</td>
                    <td class="clip">
                      <Code>{r.blockedUri}</Code>
                    </td>
                    <td class="clip">
                      <Url>{r.documentUri}</Url>
                    </td>
                    <td>
                      <CauseBadge cause={r.cause} />
                      {r.ruleTitle && <span class="muted"> · {r.ruleTitle}</span>}
                    </td>
                    <td>{r.isValid ? 'yes' : 'no'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager
            page={data.page}
            pageSize={data.pageSize}
            total={data.total}
            href={(page) => hrefOf('reports', { ...params, page: String(page) })}
          />
        </>
      )}
    </>
  );
}

function FilterForm({ params, values }: { params: Record<string, string>; values: AdminReportFilterValues | null }) {
  const [draft, setDraft] = useState<Record<string, string>>(() => Object.fromEntries(FILTERS.map((name) => [name, params[name] ?? ''])));
  const set = (name: string) => (event: Event) => setDraft({ ...draft, [name]: (event.currentTarget as HTMLInputElement).value });
  const submit = (event: Event) => {
    event.preventDefault();
    navigate('reports', { ...scopeOf(params), ...draft });
  };
  const select = (name: string, label: string, options: readonly string[]) => (
    <label>
      {label}
      <select name={name} value={draft[name]} onChange={set(name)}>
        <option value="">any</option>
        {options.map((o) => (
          <option value={o}>{o}</option>
        ))}
      </select>
    </label>
  );
  const text = (name: string, label: string, placeholder: string) => (
    <label>
      {label}
      <input name={name} value={draft[name]} onInput={set(name)} placeholder={placeholder} />
    </label>
  );
  return (
    <form class="filters" onSubmit={submit} aria-label="Filters">
      {text('q', 'Search', 'text in any field')}
      {select('directive', 'Directive', values?.directives ?? [])}
      {text('host', 'Blocked host', 'cdn.example.com')}
      {text('pageUrl', 'Page', 'https://site/path')}
      {select('cause', 'Cause', values?.causes ?? [])}
      {select('rule', 'Rule', values?.rules ?? [])}
      {select('channel', 'Channel', values?.allChannels ?? [])}
      {select('valid', 'Valid', ['true', 'false'])}
      <div class="filter-actions">
        <button type="submit">Apply</button>
        <a href={hrefOf('reports', scopeOf(params))}>Clear</a>
      </div>
    </form>
  );
}

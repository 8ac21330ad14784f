import { stripQuery } from '@csp-observer/core';
import type { Knex } from 'knex';
import { CANARY_TYPE } from '../report/report-types.js';
import { reportsIn } from './admin-queries.js';
import { hourBucket } from './report-store.js';

/** The stable JSON shape of `csp-observer summary --format json` (see docs/operations.md). */
export interface Summary {
  since: string;
  to: string;
  total: number;
  valid: number;
  invalid: number;
  sources: Array<{ uri: string; count: number }>;
  blocked: Array<{ uri: string; count: number }>;
  invalid_reports: Array<{ id: number; received_at: string; problems: string[]; raw: string }>;
  causes: { extension: number; browser: number; malware: number; other: number; unknown: number };
  channels: Record<string, number>;
  dropped: { total: number; by_reason: Record<string, number>; by_cause: Record<string, number>; by_rule: Record<string, number> };
}

/** Distinct URLs read per ranking before merging those that differ only by query. */
const GROUP_SCAN = 10_000;
const MAX_RAW_EXAMPLE = 2000;

type CountRow = Record<string, unknown> & { n: number | string };

function top(rows: Array<{ key: string; n: number }>, limit: number) {
  const merged = new Map<string, number>();
  for (const { key, n } of rows) {
    const uri = stripQuery(key);
    merged.set(uri, (merged.get(uri) ?? 0) + n);
  }
  return [...merged]
    .map(([uri, count]) => ({ uri, count }))
    .sort((a, b) => b.count - a.count || a.uri.localeCompare(b.uri))
    .slice(0, limit);
}

/** Counts and rankings of the reports received in [since, to), as django-csp-reports' summary and more. */
export async function summarize(db: Knex, since: Date, to: Date, limit: number, site?: string): Promise<Summary> {
  // The SDK's canary is evidence for verdicts, not a violation of the site: never counted here.
  const reports = () => reportsIn(db, { from: since.getTime(), to: to.getTime(), site }).andWhere('report_type', '<>', CANARY_TYPE);

  const validity = (await reports().select('is_valid').count({ n: '*' }).groupBy('is_valid')) as CountRow[];
  let valid = 0;
  let invalid = 0;
  for (const row of validity) {
    if (row.is_valid === true || row.is_valid === 1 || row.is_valid === '1') valid += Number(row.n);
    else invalid += Number(row.n);
  }

  const grouped = async (column: string, onlyValid: boolean) => {
    let q = reports().select({ key: column }).count({ n: '*' }).groupBy(column).orderBy('n', 'desc').limit(GROUP_SCAN);
    if (onlyValid) q = q.andWhere('is_valid', true);
    return ((await q) as CountRow[]).map((row) => ({ key: String(row.key), n: Number(row.n) }));
  };

  const invalidRows = (await reports()
    .select('id', 'received_at', 'problems', 'raw')
    .andWhere('is_valid', false)
    .orderBy('id', 'desc')
    .limit(limit)) as Array<Record<string, unknown>>;

  const causes: Summary['causes'] = { extension: 0, browser: 0, malware: 0, other: 0, unknown: 0 };
  const causeRows = (await reports().select('cause').count({ n: '*' }).andWhere('is_valid', true).groupBy('cause')) as CountRow[];
  for (const row of causeRows) {
    const cause = typeof row.cause === 'string' && row.cause in causes ? (row.cause as keyof Summary['causes']) : 'unknown';
    causes[cause] += Number(row.n);
  }

  const channels: Record<string, number> = {};
  for (const row of (await reports().select('channel').count({ n: '*' }).groupBy('channel')) as CountRow[]) {
    channels[String(row.channel)] = Number(row.n);
  }

  const dropped: Summary['dropped'] = { total: 0, by_reason: {}, by_cause: {}, by_rule: {} };
  const dropRows = (await db('cspo_drops')
    .select('reason', 'cause', 'rule_id')
    .sum({ n: 'count' })
    .where('bucket_at', '>=', hourBucket(since.getTime()))
    .andWhere('bucket_at', '<', to.getTime())
    .groupBy('reason', 'cause', 'rule_id')) as CountRow[];
  for (const row of dropRows) {
    const n = Number(row.n);
    dropped.total += n;
    const reason = String(row.reason);
    dropped.by_reason[reason] = (dropped.by_reason[reason] ?? 0) + n;
    if (row.cause) dropped.by_cause[String(row.cause)] = (dropped.by_cause[String(row.cause)] ?? 0) + n;
    if (row.rule_id) dropped.by_rule[String(row.rule_id)] = (dropped.by_rule[String(row.rule_id)] ?? 0) + n;
  }

  return {
    since: since.toISOString(),
    to: to.toISOString(),
    total: valid + invalid,
    valid,
    invalid,
    sources: top(await grouped('document_uri', false), limit),
    blocked: top(await grouped('blocked_uri', true), limit),
    invalid_reports: invalidRows.map((row) => ({
      id: Number(row.id),
      received_at: new Date(Number(row.received_at)).toISOString(),
      problems: JSON.parse(String(row.problems)) as string[],
      raw: String(row.raw).slice(0, MAX_RAW_EXAMPLE),
    })),
    causes,
    channels,
    dropped,
  };
}

import { stripQuery, type ViolationCount, type Violation } from '@csp-observer/core';
import type { Knex } from 'knex';
import { CANARY_TYPE, HIDDEN_ELEMENT_TYPE } from '../report/report-types.js';
import type { StoredReport, StoredSession } from '../report/report-record.js';
import { parseJson, reportFromRow, sessionFromRow, VIOLATION_COLUMNS, type Row } from './rows.js';

/** The dashboard's reads. Every query is bounded by a period and a limit. */

export const DAY = 86400_000;
export const HOUR = 3600_000;
/** The longest period the overview counts per hour (168 buckets); longer ones are counted per day. */
export const MAX_HOURLY_DAYS = 7;
/** A timeline's buckets: UTC hours or UTC days. */
export type Bucket = 'hour' | 'day';
export const MAX_PAGE_SIZE = 100;
/** Sessions whose verdict JSON is read to count anomalies by kind. */
const ANOMALY_SCAN = 20_000;
/** Rows read by the policy assistant and the rule preview. */
export const SCAN_LIMIT = 20_000;

export interface Period {
  from: number;
  to: number;
  /** One collector site ("" for this server's own pages); undefined: every site. */
  site?: string;
}

/** The reports received in a period (and site). */
export function reportsIn(db: Knex, p: Period): Knex.QueryBuilder {
  const q = db('cspo_reports').where('received_at', '>=', p.from).andWhere('received_at', '<', p.to);
  return p.site === undefined ? q : q.andWhere('site', p.site);
}

/** The sessions first seen in a period (and site). */
function sessionsFrom(db: Knex, p: Period): Knex.QueryBuilder {
  const q = db('cspo_sessions').where('first_seen_at', '>=', p.from).andWhere('first_seen_at', '<', p.to);
  return p.site === undefined ? q : q.andWhere('site', p.site);
}

export interface ReportFilters extends Period {
  directive?: string;
  host?: string;
  page?: string;
  cause?: string;
  rule?: string;
  channel?: string;
  valid?: boolean;
  session?: string;
  q?: string;
}

type CountRow = Record<string, unknown> & { n: number | string };

/** `%` and `_` match literally in a LIKE pattern (escaped with `\`). */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function whereLike(q: Knex.QueryBuilder, column: string, pattern: string): Knex.QueryBuilder {
  return q.whereRaw(`lower(??) like ? escape '\\'`, [column, pattern.toLowerCase()]);
}

/** The report list's filters, as one WHERE clause (the canary is evidence, never listed). */
function filtered(db: Knex, f: ReportFilters): Knex.QueryBuilder {
  let q = reportsIn(db, f).andWhere('report_type', '<>', CANARY_TYPE);
  if (f.directive) q = q.andWhere('effective_directive', f.directive);
  if (f.channel) q = q.andWhere('channel', f.channel);
  if (f.rule) q = q.andWhere('rule_id', f.rule);
  if (f.session) q = q.andWhere('session_id', f.session);
  if (f.valid !== undefined) q = q.andWhere('is_valid', f.valid);
  if (f.cause === 'unknown') q = q.whereNull('cause');
  else if (f.cause) q = q.andWhere('cause', f.cause);
  if (f.page) q = whereLike(q, 'document_uri', `${likeLiteral(f.page)}%`);
  if (f.host) {
    const host = likeLiteral(f.host.toLowerCase());
    q = q.andWhere((w) => {
      w.whereRaw('lower(blocked_uri) = ?', [f.host!.toLowerCase()]);
      for (const pattern of [`%://${host}`, `%://${host}/%`, `%://${host}:%`])
        w.orWhereRaw(`lower(blocked_uri) like ? escape '\\'`, [pattern]);
    });
  }
  if (f.q) {
    const pattern = `%${likeLiteral(f.q.toLowerCase())}%`;
    q = q.andWhere((w) => {
      for (const column of ['blocked_uri', 'document_uri', 'source_file', 'sample', 'violated_directive', 'user_agent']) {
        w.orWhereRaw(`lower(??) like ? escape '\\'`, [column, pattern]);
      }
    });
  }
  return q;
}

/** The columns a list row reads: all but the raw body and the policy, the two large ones. */
const LIST_COLUMNS = [
  'id',
  'session_id',
  'site',
  'channel',
  'report_type',
  'received_at',
  ...VIOLATION_COLUMNS,
  'fingerprint',
  'is_valid',
  'problems',
  'user_agent',
  'ip',
  'cause',
  'rule_id',
  'via',
  'extra',
  'sdk_seq',
];

/** A list row: the report without its raw body and policy (the detail view has those). */
export type ReportListItem = Omit<StoredReport, 'raw' | 'originalPolicy'>;

export async function listReports(
  db: Knex,
  f: ReportFilters,
  page: number,
  pageSize: number,
): Promise<{ items: ReportListItem[]; total: number }> {
  const size = Math.min(Math.max(pageSize, 1), MAX_PAGE_SIZE);
  const [rows, counted] = await Promise.all([
    // Newest first by arrival: the received_at index bounds the scan by the period, however rare the filter.
    filtered(db, f)
      .select(LIST_COLUMNS)
      .orderBy('received_at', 'desc')
      .orderBy('id', 'desc')
      .limit(size)
      .offset(Math.max(page - 1, 0) * size) as Promise<Row[]>,
    filtered(db, f).count({ n: '*' }).first() as Promise<CountRow | undefined>,
  ]);
  return {
    items: rows.map((row) => {
      const { raw: _raw, originalPolicy: _policy, ...item } = reportFromRow({ ...row, raw: '', original_policy: '' });
      return item;
    }),
    total: Number(counted?.n ?? 0),
  };
}

export async function reportById(db: Knex, id: number): Promise<StoredReport | null> {
  const row = (await db('cspo_reports').where({ id }).first()) as Row | undefined;
  return row ? reportFromRow(row) : null;
}

/** The values the report filters offer (directives, channels, rules seen in the period). */
export async function filterValues(db: Knex, p: Period): Promise<{ directives: string[]; channels: string[]; rules: string[] }> {
  const distinct = async (column: string) =>
    ((await filtered(db, p).distinct(column).whereNotNull(column).orderBy(column).limit(200)) as Row[])
      .map((row) => String(row[column]))
      .filter(Boolean);
  const [directives, channels, rules] = await Promise.all([distinct('effective_directive'), distinct('channel'), distinct('rule_id')]);
  return { directives, channels, rules };
}

export interface SessionListItem extends StoredSession {
  reports: number;
}

export interface SessionFilters extends Period {
  status?: string;
  q?: string;
}

function sessionsIn(db: Knex, f: SessionFilters): Knex.QueryBuilder {
  let q = sessionsFrom(db, f);
  if (f.status === 'none') q = q.whereNull('verdict_status');
  else if (f.status) q = q.andWhere('verdict_status', f.status);
  if (f.q) q = whereLike(q, 'document_uri', `%${likeLiteral(f.q)}%`);
  return q;
}

export async function listSessions(
  db: Knex,
  f: SessionFilters,
  page: number,
  pageSize: number,
): Promise<{ items: SessionListItem[]; total: number }> {
  const size = Math.min(Math.max(pageSize, 1), MAX_PAGE_SIZE);
  const reportCount = db('cspo_reports')
    .count('*')
    .whereRaw('cspo_reports.session_id = cspo_sessions.id')
    .andWhere('report_type', '<>', CANARY_TYPE)
    .as('reports');
  const [rows, counted] = await Promise.all([
    sessionsIn(db, f)
      .select('cspo_sessions.*', reportCount)
      .orderBy('first_seen_at', 'desc')
      .limit(size)
      .offset(Math.max(page - 1, 0) * size) as Promise<Row[]>,
    sessionsIn(db, f).count({ n: '*' }).first() as Promise<CountRow | undefined>,
  ]);
  return { items: rows.map((row) => ({ ...sessionFromRow(row), reports: Number(row.reports) })), total: Number(counted?.n ?? 0) };
}

export interface Overview {
  perDay: Array<{ day: string; channel: string; count: number }>;
  /** Reports per hour and channel, oldest first, when asked for (a period of at most MAX_HOURLY_DAYS). */
  perHour?: Array<{ hour: string; channel: string; count: number }>;
  sessions: { total: number; problems: number; clean: number; observing: number; unseen: number };
  rules: Array<{ id: string; count: number }>;
  anomalies: Record<string, number>;
}

/** The overview's own figures (the summary query supplies causes, channels, top pages and blocked URIs). */
export async function overview(db: Knex, p: Period, bucket: Bucket = 'day'): Promise<Overview> {
  const inPeriod = () => reportsIn(db, p).andWhere('report_type', '<>', CANARY_TYPE);
  const perDay = (await countPer(inPeriod(), db, DAY)).map(({ at, channel, count }) => ({ day: at.slice(0, 10), channel, count }));
  const perHour =
    bucket === 'hour' ? (await countPer(inPeriod(), db, HOUR)).map(({ at, channel, count }) => ({ hour: at, channel, count })) : undefined;

  const sessionsInPeriod = () => sessionsFrom(db, p);
  const statusRows = (await sessionsInPeriod().select('verdict_status').count({ n: '*' }).groupBy('verdict_status')) as CountRow[];
  const sessions = { total: 0, problems: 0, clean: 0, observing: 0, unseen: 0 };
  for (const row of statusRows) {
    const n = Number(row.n);
    sessions.total += n;
    const status = row.verdict_status;
    if (status === 'problems' || status === 'clean' || status === 'observing') sessions[status] += n;
    else sessions.unseen += n;
  }

  const ruleRows = (await inPeriod()
    .select('rule_id')
    .count({ n: '*' })
    .whereNotNull('rule_id')
    .groupBy('rule_id')
    .orderBy('n', 'desc')
    .limit(10)) as CountRow[];
  const rules = ruleRows.map((row) => ({ id: String(row.rule_id), count: Number(row.n) }));

  const anomalies: Record<string, number> = {};
  const verdictRows = (await sessionsInPeriod().select('verdict').whereRaw(`verdict like ?`, ['%"kind"%']).limit(ANOMALY_SCAN)) as Row[];
  for (const row of verdictRows) {
    const list = (parseJson(row.verdict) as { anomalies?: Array<{ kind?: unknown }> } | null)?.anomalies ?? [];
    for (const anomaly of list) if (typeof anomaly.kind === 'string') anomalies[anomaly.kind] = (anomalies[anomaly.kind] ?? 0) + 1;
  }
  return { perDay, ...(perHour ? { perHour } : {}), sessions, rules, anomalies };
}

/**
 * Reports per bucket of `size` ms (a UTC hour or day) and channel, oldest first; `at` is the
 * bucket's start as an ISO date-time. Integer division of the epoch-ms column on both databases
 * (bigint / integer is integer division on PostgreSQL and on SQLite); a float is floored anyway.
 */
async function countPer(q: Knex.QueryBuilder, db: Knex, size: number): Promise<Array<{ at: string; channel: string; count: number }>> {
  const rows = (await q
    .select(db.raw(`(received_at / ${size}) as bucket`), 'channel')
    .count({ n: '*' })
    .groupByRaw(`(received_at / ${size}), channel`)
    .orderBy('bucket')) as CountRow[];
  return rows.map((row) => ({
    at: new Date(Math.floor(Number(row.bucket)) * size).toISOString(),
    channel: String(row.channel),
    count: Number(row.n),
  }));
}

/** Reports each rule explained, and ignore-rule drops, since `since`. */
export async function ruleCounts(db: Knex, since: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const reportRows = (await db('cspo_reports')
    .select('rule_id')
    .count({ n: '*' })
    .where('received_at', '>=', since)
    .whereNotNull('rule_id')
    .groupBy('rule_id')) as CountRow[];
  for (const row of reportRows) counts.set(String(row.rule_id), Number(row.n));
  const dropRows = (await db('cspo_drops')
    .select('rule_id')
    .sum({ n: 'count' })
    .where('bucket_at', '>=', since)
    .andWhere('rule_id', '<>', '')
    .groupBy('rule_id')) as CountRow[];
  for (const row of dropRows) counts.set(String(row.rule_id), (counts.get(String(row.rule_id)) ?? 0) + Number(row.n));
  return counts;
}

/** The newest violations of a period, for the rule preview (bounded by SCAN_LIMIT). */
export async function recentViolations(
  db: Knex,
  p: Period,
): Promise<Array<Violation & { id: number; ruleId: string | null; userAgent: string }>> {
  const rows = (await reportsIn(db, p)
    .select('id', 'rule_id', ...VIOLATION_COLUMNS, 'user_agent')
    .andWhere('report_type', 'csp-violation')
    .orderBy('id', 'desc')
    .limit(SCAN_LIMIT)) as Row[];
  return rows.map((row) => ({
    ...reportFromRow({ ...row, raw: '', problems: '[]', original_policy: '' }),
    ruleId: (row.rule_id as string | null) ?? null,
    userAgent: String(row.user_agent ?? ''),
  }));
}

/**
 * The valid violations no rule explains, counted per directive and blocked value, for the policy
 * assistant. Canary and tripwire findings are evidence about the visitor, not the site: left out.
 */
export async function unexplainedViolations(db: Knex, p: Period): Promise<ViolationCount[]> {
  const rows = (await reportsIn(db, p)
    .select('effective_directive', 'blocked_uri', 'session_id', 'document_uri')
    .andWhere('report_type', 'csp-violation')
    .andWhere('is_valid', true)
    .whereNull('cause')
    .orderBy('id', 'desc')
    .limit(SCAN_LIMIT)) as Row[];
  const groups = new Map<
    string,
    { effectiveDirective: string; blockedUri: string; count: number; sessions: Set<string>; pages: string[] }
  >();
  let anonymous = 0;
  for (const row of rows) {
    const blocked = stripQuery(String(row.blocked_uri));
    const directive = String(row.effective_directive);
    const key = `${directive}\u0000${blocked}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { effectiveDirective: directive, blockedUri: blocked, count: 0, sessions: new Set(), pages: [] }));
    group.count++;
    group.sessions.add(row.session_id ? String(row.session_id) : `anonymous-${anonymous++}`);
    const page = stripQuery(String(row.document_uri));
    if (page && group.pages.length < 5 && !group.pages.includes(page)) group.pages.push(page);
  }
  return [...groups.values()].map((g) => ({
    effectiveDirective: g.effectiveDirective,
    blockedUri: g.blockedUri,
    count: g.count,
    sessions: g.sessions.size,
    pages: g.pages,
  }));
}

/** The policies browsers reported being under, most frequent first (reports carry them). */
export async function reportedPolicies(db: Knex, p: Period, limit = 3): Promise<Array<{ policy: string; count: number }>> {
  const rows = (await reportsIn(db, p)
    .select('original_policy')
    .count({ n: '*' })
    .andWhere('original_policy', '<>', '')
    .whereNotIn('report_type', [CANARY_TYPE, HIDDEN_ELEMENT_TYPE])
    .groupBy('original_policy')
    .orderBy('n', 'desc')
    .limit(limit)) as CountRow[];
  return rows.map((row) => ({ policy: String(row.original_policy), count: Number(row.n) }));
}

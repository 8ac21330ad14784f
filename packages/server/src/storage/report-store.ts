import type { CanaryOutcome, Channel, SdkSource, Violation } from '@csp-observer/core';
import type { Knex } from 'knex';
import { dialectOf, type Dialect } from './database.js';
import { SqliteBatchInserter } from './sqlite-batch-insert.js';
import { policyFlags, policyOfFlags, type SessionPolicy } from '../session-token.js';

/** One report row as written: the normalized violation plus where and how it arrived. */
export interface ReportRecord extends Violation {
  sessionId: string | null;
  /** The collector site ("" for this server's own pages and the plain collector). */
  site: string;
  channel: Channel;
  reportType: string;
  receivedAt: number;
  fingerprint: string | null;
  isValid: boolean;
  problems: string[];
  raw: string;
  userAgent: string;
  ip: string;
  /** Set by rules (detection); null while no rule explains the report. */
  cause: string | null;
  ruleId: string | null;
  /** SDK reports: the page's listener or its ReportingObserver saw it; null for native reports. */
  via: SdkSource | null;
  /** JSON from the extraFields hook. */
  extra: string | null;
  /** SDK reports: the event's number in its page view (a retried one is stored once); else null. */
  sdkSeq: number | null;
}

/** Reports discarded before storage, counted per hour bucket. */
export interface DropRecord {
  at: number;
  reason: string;
  cause: string;
  ruleId: string;
  count: number;
}

/** A stored report, as read back. */
export interface StoredReport extends ReportRecord {
  id: number;
}

/** The session a report belongs to; written on its first report, never per page view. */
export interface SessionRecord {
  id: string;
  /** The collector site ("" for this server's own pages). */
  site: string;
  /** What the site's policy lets the verdict expect (from a site's token); null: this server's options say. */
  policy: SessionPolicy | null;
  issuedAt: number;
  seenAt: number;
  documentUri: string;
  ip: string;
  userAgent: string;
  /** Set when the SDK sent this batch. */
  sdkSeenAt?: number | null;
  /** The SDK's canary message, once per page view. */
  canary?: { outcome: CanaryOutcome; threw: boolean; at: number } | null;
}

export interface StoredSession {
  id: string;
  site: string;
  policy: SessionPolicy | null;
  issuedAt: number;
  firstSeenAt: number;
  lastSeenAt: number;
  documentUri: string;
  ip: string;
  userAgent: string;
  sdkSeenAt: number | null;
  canary: { outcome: CanaryOutcome; threw: boolean; at: number } | null;
  /** When the visitor shared the page view's unknown reports; null if never. */
  sharedAt: number | null;
  /** The last verdict the visitor's page was sent, as JSON; null if none was. */
  shownVerdict: { status: string; verdict: unknown; at: number } | null;
}

/** A verdict as the visitor's page was sent it. */
export interface ShownVerdict {
  status: string;
  version: string;
  /** The verdict without its version, as JSON. */
  json: string;
  at: number;
}

/** What the verdict needs of one session's reports: no raw bodies. */
export interface EvidenceRow extends Violation {
  channel: Channel;
  via: SdkSource | null;
  reportType: string;
  fingerprint: string | null;
  receivedAt: number;
  /** The rule that explained the report when it arrived (on its full URLs), or null. */
  ruleId: string | null;
}

// The first SDK sighting and the first canary message win; the document of the first report too.
const SQLITE_SESSION_CONFLICT =
  'ON CONFLICT (id) DO UPDATE SET last_seen_at = max(cspo_sessions.last_seen_at, excluded.last_seen_at), ' +
  "document_uri = CASE WHEN cspo_sessions.document_uri = '' THEN excluded.document_uri ELSE cspo_sessions.document_uri END, " +
  'sdk_seen_at = coalesce(cspo_sessions.sdk_seen_at, excluded.sdk_seen_at), ' +
  'canary = coalesce(cspo_sessions.canary, excluded.canary), ' +
  'canary_threw = coalesce(cspo_sessions.canary_threw, excluded.canary_threw), ' +
  'canary_at = coalesce(cspo_sessions.canary_at, excluded.canary_at)';
// A retried SDK batch: its events already stored (same session and number) are skipped.
const SQLITE_REPORT_CONFLICT = 'ON CONFLICT DO NOTHING';
const SQLITE_DROP_CONFLICT = 'ON CONFLICT (bucket_at, reason, cause, rule_id) DO UPDATE SET count = cspo_drops.count + excluded.count';

/** The PostgreSQL NOTIFY channel on which committed sessions are announced to every process. */
export const SESSION_EVENTS_CHANNEL = 'cspo_session_events';

/** The most rows of one session the verdict reads (the per-session limit keeps them fewer). */
const EVIDENCE_LIMIT = 5000;

/** Rows per PostgreSQL INSERT statement: under its 65,535 bound parameters. */
const ROWS_PER_STATEMENT = 500;

/** PostgreSQL text cannot hold NUL; hostile reports carry them, so they become U+FFFD. */
function text(value: string): string {
  return value.includes('\u0000') ? value.replace(/\u0000/g, '\uFFFD') : value;
}

function toRow(r: ReportRecord) {
  return {
    session_id: r.sessionId,
    site: r.site,
    channel: r.channel,
    report_type: text(r.reportType),
    received_at: r.receivedAt,
    document_uri: text(r.documentUri),
    referrer: text(r.referrer),
    blocked_uri: text(r.blockedUri),
    effective_directive: text(r.effectiveDirective.slice(0, 64)),
    violated_directive: text(r.violatedDirective),
    original_policy: text(r.originalPolicy),
    disposition: text(r.disposition.slice(0, 16)),
    source_file: text(r.sourceFile),
    line_number: clampInt(r.lineNumber),
    column_number: clampInt(r.columnNumber),
    status_code: clampInt(r.statusCode),
    sample: text(r.sample),
    fingerprint: r.fingerprint,
    is_valid: r.isValid,
    problems: text(JSON.stringify(r.problems)),
    raw: text(r.raw),
    user_agent: text(r.userAgent),
    ip: r.ip,
    cause: r.cause,
    rule_id: r.ruleId,
    via: r.via,
    extra: r.extra === null ? null : text(r.extra),
    sdk_seq: r.sdkSeq,
  };
}

/** Integer columns are 32-bit; a hostile report's huge line number is clamped, not an error. */
function clampInt(n: number): number {
  return Math.max(-2147483648, Math.min(2147483647, Math.trunc(n) || 0));
}

export type Row = Record<string, unknown>;

const nullableNumber = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/** The violation columns of a row (original_policy only when it was selected). */
function violationOf(row: Row): Violation {
  return {
    documentUri: String(row.document_uri),
    referrer: String(row.referrer),
    blockedUri: String(row.blocked_uri),
    effectiveDirective: String(row.effective_directive),
    violatedDirective: String(row.violated_directive),
    originalPolicy: String(row.original_policy ?? ''),
    disposition: String(row.disposition),
    sourceFile: String(row.source_file),
    lineNumber: Number(row.line_number),
    columnNumber: Number(row.column_number),
    statusCode: Number(row.status_code),
    sample: String(row.sample),
  };
}

export function reportFromRow(row: Row): StoredReport {
  return {
    id: Number(row.id),
    sessionId: (row.session_id as string | null) ?? null,
    site: String(row.site ?? ''),
    channel: row.channel as Channel,
    reportType: String(row.report_type),
    receivedAt: Number(row.received_at),
    ...violationOf(row),
    fingerprint: (row.fingerprint as string | null) ?? null,
    isValid: Boolean(row.is_valid),
    problems: JSON.parse(String(row.problems)) as string[],
    raw: String(row.raw),
    userAgent: String(row.user_agent),
    ip: String(row.ip),
    cause: (row.cause as string | null) ?? null,
    ruleId: (row.rule_id as string | null) ?? null,
    via: (row.via as SdkSource | null) ?? null,
    extra: (row.extra as string | null) ?? null,
    sdkSeq: nullableNumber(row.sdk_seq),
  };
}

/** A session row as read back. */
export function sessionFromRow(row: Row): StoredSession {
  return {
    id: String(row.id),
    site: String(row.site ?? ''),
    policy: row.policy === null || row.policy === undefined ? null : policyOfFlags(Number(row.policy)),
    issuedAt: Number(row.issued_at),
    firstSeenAt: Number(row.first_seen_at),
    lastSeenAt: Number(row.last_seen_at),
    documentUri: String(row.document_uri),
    ip: String(row.ip),
    userAgent: String(row.user_agent),
    sdkSeenAt: nullableNumber(row.sdk_seen_at),
    canary: row.canary ? { outcome: row.canary as CanaryOutcome, threw: Boolean(row.canary_threw), at: Number(row.canary_at) } : null,
    sharedAt: nullableNumber(row.shared_at),
    shownVerdict: row.verdict_status
      ? { status: String(row.verdict_status), verdict: parseJson(row.verdict), at: Number(row.verdict_at) }
      : null,
  };
}

/** JSON from a text column, or null when it is not JSON. */
export function parseJson(value: unknown): unknown {
  try {
    return JSON.parse(String(value));
  } catch {
    return null;
  }
}

/** Reads and writes reports and sessions. The one place that knows the table layout. */
export class ReportStore {
  readonly dialect: Dialect;
  /** SQLite: group commits on a connection of their own (see SqliteBatchInserter). */
  private readonly sqliteInserter: SqliteBatchInserter | null;

  constructor(readonly db: Knex) {
    this.dialect = dialectOf(db);
    this.sqliteInserter = this.dialect === 'sqlite' ? new SqliteBatchInserter(db) : null;
  }

  /** Waits for the writes under way and closes what the store opened (not `db`, the caller's). */
  async close(): Promise<void> {
    await this.sqliteInserter?.close();
  }

  /**
   * Writes reports and upserts their sessions in one transaction: all are committed, or none.
   * Many requests' reports share one call (see BatchWriter).
   */
  async insert(reports: readonly ReportRecord[], sessions: readonly SessionRecord[], drops: readonly DropRecord[] = []): Promise<void> {
    if (reports.length === 0 && sessions.length === 0 && drops.length === 0) return;
    // One statement each for sessions, reports and drops: a group commit stays a handful of
    // round trips however many requests it carries.
    const sessionRows = mergeSessions(sessions).map((session) => ({
      id: session.id,
      site: session.site,
      policy: session.policy ? policyFlags(session.policy) : null,
      issued_at: session.issuedAt,
      first_seen_at: session.seenAt,
      last_seen_at: session.seenAt,
      document_uri: text(session.documentUri),
      ip: session.ip,
      user_agent: text(session.userAgent),
      sdk_seen_at: session.sdkSeenAt ?? null,
      canary: session.canary?.outcome ?? null,
      canary_threw: session.canary ? session.canary.threw : null,
      canary_at: session.canary?.at ?? null,
    }));
    const reportRows = reports.map(toRow);
    const dropRows = mergeDrops(drops);
    if (this.sqliteInserter) {
      await this.sqliteInserter.insert([
        { table: 'cspo_sessions', rows: sessionRows, onConflict: SQLITE_SESSION_CONFLICT },
        { table: 'cspo_reports', rows: reportRows, onConflict: SQLITE_REPORT_CONFLICT },
        { table: 'cspo_drops', rows: dropRows, onConflict: SQLITE_DROP_CONFLICT },
      ]);
      return;
    }
    await this.db.transaction(async (trx) => {
      for (let i = 0; i < sessionRows.length; i += ROWS_PER_STATEMENT) {
        await trx('cspo_sessions')
          .insert(sessionRows.slice(i, i + ROWS_PER_STATEMENT))
          .onConflict('id')
          .merge({
            last_seen_at: trx.raw('greatest(??, ??)', ['cspo_sessions.last_seen_at', 'excluded.last_seen_at']),
            document_uri: trx.raw("CASE WHEN ?? = '' THEN ?? ELSE ?? END", ['cspo_sessions.document_uri', 'excluded.document_uri', 'cspo_sessions.document_uri']),
            sdk_seen_at: trx.raw('coalesce(??, ??)', ['cspo_sessions.sdk_seen_at', 'excluded.sdk_seen_at']),
            canary: trx.raw('coalesce(??, ??)', ['cspo_sessions.canary', 'excluded.canary']),
            canary_threw: trx.raw('coalesce(??, ??)', ['cspo_sessions.canary_threw', 'excluded.canary_threw']),
            canary_at: trx.raw('coalesce(??, ??)', ['cspo_sessions.canary_at', 'excluded.canary_at']),
          });
      }
      for (let i = 0; i < reportRows.length; i += ROWS_PER_STATEMENT) {
        await trx('cspo_reports').insert(reportRows.slice(i, i + ROWS_PER_STATEMENT)).onConflict().ignore();
      }
      // Delivered on commit to every process LISTENing (see PgSessionEvents): their live verdicts wake up.
      if (sessionRows.length) await trx.raw(`select pg_notify('${SESSION_EVENTS_CHANNEL}', id) from unnest(?::text[]) as id`, [sessionRows.map((row) => row.id)]);
      if (dropRows.length) {
        await trx('cspo_drops')
          .insert(dropRows)
          .onConflict(['bucket_at', 'reason', 'cause', 'rule_id'])
          .merge({ count: trx.raw('?? + ??', ['cspo_drops.count', 'excluded.count']) });
      }
    });
  }

  /** The reports of one session, oldest first. */
  async reportsOfSession(sessionId: string): Promise<StoredReport[]> {
    const rows = (await this.db('cspo_reports').where({ session_id: sessionId }).orderBy('id')) as Row[];
    return rows.map(reportFromRow);
  }

  /** The newest reports, newest first (bounded). */
  async recentReports(limit = 100): Promise<StoredReport[]> {
    const rows = (await this.db('cspo_reports').orderBy('id', 'desc').limit(Math.min(limit, 1000))) as Row[];
    return rows.map(reportFromRow);
  }

  async session(id: string): Promise<StoredSession | null> {
    const row = (await this.db('cspo_sessions').where({ id }).first()) as Row | undefined;
    return row ? sessionFromRow(row) : null;
  }

  /** Remembers the verdict the visitor's page was sent (the dashboard shows it as they saw it). */
  async recordShownVerdict(id: string, shown: ShownVerdict): Promise<void> {
    await this.db('cspo_sessions')
      .where({ id })
      .update({ verdict_status: shown.status, verdict: text(shown.json), verdict_version: shown.version, verdict_at: shown.at });
  }

  /**
   * Records that the visitor shared the session's reports. False when it was already shared
   * (the first share wins, so two clicks forward the data once).
   */
  async markShared(id: string, at: number): Promise<boolean> {
    const updated = await this.db('cspo_sessions').where({ id }).whereNull('shared_at').update({ shared_at: at });
    return Number(updated) > 0;
  }

  /** Undoes markShared when forwarding failed, so that the visitor may try again. */
  async unmarkShared(id: string, at: number): Promise<void> {
    await this.db('cspo_sessions').where({ id, shared_at: at }).update({ shared_at: null });
  }

  /** The rows of a session the verdict looks at (bounded by the per-session limit). */
  async evidenceOfSession(sessionId: string): Promise<EvidenceRow[]> {
    const rows = (await this.db('cspo_reports')
      .select(
        'channel',
        'via',
        'report_type',
        'fingerprint',
        'received_at',
        'document_uri',
        'referrer',
        'blocked_uri',
        'effective_directive',
        'violated_directive',
        'disposition',
        'source_file',
        'line_number',
        'column_number',
        'status_code',
        'sample',
        'rule_id',
      )
      .where({ session_id: sessionId })
      .orderBy('id')
      .limit(EVIDENCE_LIMIT)) as Row[];
    return rows.map((row) => ({
      channel: row.channel as Channel,
      via: (row.via as SdkSource | null) ?? null,
      reportType: String(row.report_type),
      fingerprint: (row.fingerprint as string | null) ?? null,
      receivedAt: Number(row.received_at),
      ruleId: (row.rule_id as string | null) ?? null,
      ...violationOf(row),
    }));
  }

  async countReports(): Promise<number> {
    const row = (await this.db('cspo_reports').count({ n: '*' }).first()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }

  /** Checks that the database answers (for the health endpoint). */
  async ping(): Promise<void> {
    await this.db.raw('select 1');
  }

}

const HOUR = 3600_000;

/** Drops are counted per hour: the start of the hour `at` (epoch ms) falls in. */
export function hourBucket(at: number): number {
  return Math.floor(at / HOUR) * HOUR;
}

/** One upsert per (hour, reason, cause, rule) per transaction. */
function mergeDrops(drops: readonly DropRecord[]) {
  const byKey = new Map<string, { bucket_at: number; reason: string; cause: string; rule_id: string; count: number }>();
  for (const drop of drops) {
    const bucket = hourBucket(drop.at);
    const key = `${bucket}\u0000${drop.reason}\u0000${drop.cause}\u0000${drop.ruleId}`;
    const known = byKey.get(key);
    if (known) known.count += drop.count;
    else byKey.set(key, { bucket_at: bucket, reason: drop.reason, cause: drop.cause, rule_id: drop.ruleId, count: drop.count });
  }
  return [...byKey.values()];
}

/** One upsert per session per transaction: the earliest sighting wins the first-seen fields. */
function mergeSessions(sessions: readonly SessionRecord[]): SessionRecord[] {
  const byId = new Map<string, SessionRecord>();
  for (const session of sessions) {
    const known = byId.get(session.id);
    if (!known) byId.set(session.id, { ...session });
    else {
      known.seenAt = Math.max(known.seenAt, session.seenAt);
      known.documentUri ||= session.documentUri;
      known.sdkSeenAt ??= session.sdkSeenAt;
      known.canary ??= session.canary;
    }
  }
  return [...byId.values()];
}

import type { Knex } from 'knex';
import type {
  DropRecord,
  EvidenceRow,
  ReportRecord,
  SessionRecord,
  ShownVerdict,
  StoredReport,
  StoredSession,
} from '../report/report-record.js';
import { dialectOf, type Dialect } from './database.js';
import { evidenceFromRow, reportFromRow, reportRow, sessionFromRow, sessionRow, text, VIOLATION_COLUMNS, type Row } from './rows.js';
import { SqliteBatchInserter } from './sqlite-batch-insert.js';

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

/** Reads and writes reports and sessions (their columns: rows.ts). */
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
    const sessionRows = mergeSessions(sessions).map(sessionRow);
    const reportRows = reports.map(reportRow);
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
            document_uri: trx.raw("CASE WHEN ?? = '' THEN ?? ELSE ?? END", [
              'cspo_sessions.document_uri',
              'excluded.document_uri',
              'cspo_sessions.document_uri',
            ]),
            sdk_seen_at: trx.raw('coalesce(??, ??)', ['cspo_sessions.sdk_seen_at', 'excluded.sdk_seen_at']),
            canary: trx.raw('coalesce(??, ??)', ['cspo_sessions.canary', 'excluded.canary']),
            canary_threw: trx.raw('coalesce(??, ??)', ['cspo_sessions.canary_threw', 'excluded.canary_threw']),
            canary_at: trx.raw('coalesce(??, ??)', ['cspo_sessions.canary_at', 'excluded.canary_at']),
          });
      }
      for (let i = 0; i < reportRows.length; i += ROWS_PER_STATEMENT) {
        await trx('cspo_reports')
          .insert(reportRows.slice(i, i + ROWS_PER_STATEMENT))
          .onConflict()
          .ignore();
      }
      // Delivered on commit to every process LISTENing (see PgSessionEvents): their live verdicts wake up.
      if (sessionRows.length)
        await trx.raw(`select pg_notify('${SESSION_EVENTS_CHANNEL}', id) from unnest(?::text[]) as id`, [sessionRows.map((row) => row.id)]);
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
      .select('id', 'channel', 'via', 'report_type', 'fingerprint', 'received_at', ...VIOLATION_COLUMNS, 'rule_id')
      .where({ session_id: sessionId })
      .orderBy('id')
      .limit(EVIDENCE_LIMIT)) as Row[];
    return rows.map(evidenceFromRow);
  }

  /** How many reports of one session are stored. */
  async countReportsOfSession(sessionId: string): Promise<number> {
    const row = (await this.db('cspo_reports').where({ session_id: sessionId }).count({ n: '*' }).first()) as
      | { n: number | string }
      | undefined;
    return Number(row?.n ?? 0);
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

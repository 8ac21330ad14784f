import type { CanaryOutcome, Cause, Channel, SdkSource, Verdict, VerdictStatus, Violation } from '@csp-observer/core';
import type { EvidenceRow, ReportRecord, SessionRecord, StoredReport, StoredSession } from '../report/report-record.js';
import { policyFlags, policyOfFlags } from '../session/session-token.js';

// The table layout of reports and sessions, both ways: a record as its row is written, a row as
// read back. The one place that maps report and session fields to columns.

/** PostgreSQL text cannot hold NUL; hostile reports carry them, so they become U+FFFD. */
export function text(value: string): string {
  return value.includes('\u0000') ? value.replace(/\u0000/g, '\uFFFD') : value;
}

/** A report record as its row is written. */
export function reportRow(r: ReportRecord) {
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

export const nullableNumber = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/** The columns of a report's violation that every read selects: all but the (large) original_policy. */
export const VIOLATION_COLUMNS = [
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
] as const;

/** The violation columns of a row (original_policy only when it was selected). */
export function violationOf(row: Row): Violation {
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
    cause: (row.cause as Cause | null) ?? null,
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
      ? { status: String(row.verdict_status) as VerdictStatus, verdict: parseJson(row.verdict) as Verdict, at: Number(row.verdict_at) }
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

/** A session record as its row is written (the first sighting's fields; merged on conflict). */
export function sessionRow(session: SessionRecord) {
  return {
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
  };
}

/** The columns of a report the verdict reads (see ReportStore.evidenceOfSession). */
export function evidenceFromRow(row: Row): EvidenceRow {
  return {
    id: Number(row.id),
    channel: row.channel as Channel,
    via: (row.via as SdkSource | null) ?? null,
    reportType: String(row.report_type),
    fingerprint: (row.fingerprint as string | null) ?? null,
    receivedAt: Number(row.received_at),
    ruleId: (row.rule_id as string | null) ?? null,
    ...violationOf(row),
  };
}

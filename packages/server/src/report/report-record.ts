import type { CanaryOutcome, Cause, Channel, SdkSource, Verdict, VerdictStatus, Violation } from '@csp-observer/core';
import type { SessionPolicy } from '../session/session-token.js';

// The shapes a report takes from storage's side: a record as written, a report and a session as
// read back, and the slice of a report the verdict reads. (Before them: core's Violation, then
// ReceivedReport, what filters and handlers see; to-record.ts maps one to the other.)

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
  cause: Cause | null;
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
  shownVerdict: { status: VerdictStatus; verdict: Verdict; at: number } | null;
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
  /** The report's row id: stable, so what a verdict matched of it can be remembered. */
  id: number;
  channel: Channel;
  via: SdkSource | null;
  reportType: string;
  fingerprint: string | null;
  receivedAt: number;
  /** The rule that explained the report when it arrived (on its full URLs), or null. */
  ruleId: string | null;
}

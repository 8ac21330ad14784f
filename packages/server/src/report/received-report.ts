import type { Channel, Rule, SdkSource, Violation } from '@csp-observer/core';

/**
 * A report as filters and handlers see it: normalized, with the full URLs (before
 * `stripQuery`), and where it came from.
 */
export interface ReceivedReport {
  /** `csp-violation`, or another Reporting API type. */
  type: string;
  channel: Channel;
  /** The page view it belongs to; null at the plain collector endpoint. */
  sessionId: string | null;
  /** The collector site the page view belongs to ("" for this server's own pages and the plain collector). */
  site: string;
  /** The violation, for csp-violation reports (also invalid ones, with empty fields). */
  violation: Violation | null;
  valid: boolean;
  problems: string[];
  /** The page URL. */
  url: string;
  userAgent: string;
  /** The client IP, anonymized (IPv4 /16, IPv6 /48). */
  ip: string;
  /** Epoch ms. */
  receivedAt: number;
  /** The report as received. */
  raw: unknown;
  /** SDK reports: whether the page's listener or its ReportingObserver saw the violation. */
  via: SdkSource | null;
  /** The rule that explains the violation (matched on the full URLs), or null. */
  rule: Rule | null;
  /** SDK reports: the event's number in its page view (a retried batch repeats it); else null. */
  sdkSeq: number | null;
}

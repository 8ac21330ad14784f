import { createHash } from 'node:crypto';
import type { UnexplainedViolation, Verdict } from '@csp-observer/core';
import type { StoredSession } from '../report/report-record.js';

/** The most unexplained violations one share carries. */
const MAX_SHARED_VIOLATIONS = 50;

/**
 * What a visitor may share (django-csp-observer's voluntary data sharing): the page view's violations no
 * rule explains and its anomalies, so that rule authors can recognize new extensions and
 * malware. No IP, no session token, no query strings (stored URLs are already stripped under
 * `stripQuery`). The scan page shows exactly this object, and exactly this is forwarded.
 */
export interface SharedData {
  schema: 'csp-observer/shared-report@2';
  /** The site's origin. */
  site: string;
  page: string;
  userAgent: string;
  /** When the page view was first seen (ISO 8601). */
  observedAt: string;
  anomalies: string[];
  unexplained: Array<{
    directive: string;
    blockedUri: string;
    sourceFile: string;
    sample: string;
    disposition: string;
  }>;
}

export function sharedDataOf(
  site: string,
  session: StoredSession | null,
  verdict: Verdict,
  unexplained: readonly UnexplainedViolation[],
): SharedData | null {
  if (!session || (unexplained.length === 0 && verdict.anomalies.length === 0)) return null;
  return {
    schema: 'csp-observer/shared-report@2',
    site,
    page: session.documentUri,
    userAgent: session.userAgent,
    observedAt: new Date(session.firstSeenAt).toISOString(),
    anomalies: verdict.anomalies.map((anomaly) => anomaly.kind),
    unexplained: unexplained.slice(0, MAX_SHARED_VIOLATIONS).map(({ violation: v }) => ({
      directive: v.effectiveDirective,
      blockedUri: v.blockedUri,
      sourceFile: v.sourceFile,
      sample: v.sample,
      disposition: v.disposition,
    })),
  };
}

/** The shared data as shown and as sent: one serialization for both. */
export function serializeSharedData(data: SharedData): string {
  return JSON.stringify(data, null, 2);
}

/** Names the exact text the visitor saw; the share is refused if the data changed since. */
export function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

import { createHash } from 'node:crypto';
import {
  computeVerdict,
  engineOf,
  type EvidenceViolation,
  type HiddenElement,
  type UnexplainedViolation,
  type Verdict,
  type VersionedVerdict,
} from '@csp-observer/core';
import { CANARY_TYPE, HIDDEN_ELEMENT_TYPE } from '../report/report-types.js';
import type { RuleBook } from '../rules/rule-book.js';
import { siteOfSession, type SessionPolicy } from '../session/session-token.js';
import type { StoredSession } from '../report/report-record.js';
import type { ReportStore } from '../storage/report-store.js';
import type { SessionHub } from './session-hub.js';
import { StoredMatches } from './stored-matches.js';
import type { ObserverMetrics } from '../metrics/observer-metrics.js';

/** A verdict and a short tag that changes whenever the verdict does: the wire type, in core. */
export type { VersionedVerdict };

/** report-uri reports arrive within ~120 ms of the violation (measured in Chromium). */
const REPORT_URI_DELAY_MS = 2000;
/** Chromium sends Reporting API reports in batches about a minute apart. */
const REPORT_TO_DELAY_MS = 90_000;

function versionOf(verdict: Verdict): string {
  return createHash('sha1').update(JSON.stringify(verdict)).digest('base64url').slice(0, 12);
}

/** Sessions whose last recorded verdict this process remembers (to skip writing it again). */
const SHOWN_MEMORY = 10_000;

/** Computes the verdict of a session from what is stored, and waits for it to change. */
export class VerdictService {
  private readonly closing = new AbortController();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly shown = new Map<string, string>();
  /** What the rules say of each stored report, remembered until they change. */
  readonly matches: StoredMatches;

  constructor(
    private readonly store: ReportStore,
    rules: RuleBook,
    private readonly hub: SessionHub,
    /** What this server's own pages' policy lets their verdicts expect (see sessionPolicyOf). */
    private readonly policy: SessionPolicy,
    private readonly metrics: Pick<ObserverMetrics, 'verdictShown'> | null = null,
  ) {
    this.matches = new StoredMatches(rules);
  }

  /**
   * The verdict now, the violations no rule explains, the stored session it was read from, and
   * when the verdict will change by time alone (a window closing), if ever.
   */
  async current(
    sessionId: string,
    now = Date.now(),
  ): Promise<{ verdict: VersionedVerdict; unexplained: UnexplainedViolation[]; session: StoredSession | null; changesAt: number | null }> {
    if (this.closing.signal.aborted) throw new Error('the verdict service is closed');
    const reads = Promise.all([this.store.session(sessionId), this.store.evidenceOfSession(sessionId)]);
    this.inFlight.add(reads);
    const [session, rows] = await reads.finally(() => this.inFlight.delete(reads));
    const violations: EvidenceViolation[] = [];
    const hidden: HiddenElement[] = [];
    for (const row of rows) {
      if (row.reportType === HIDDEN_ELEMENT_TYPE) hidden.push({ tag: row.sample, url: row.blockedUri, directive: row.effectiveDirective });
      else if ((row.reportType === 'csp-violation' || row.reportType === CANARY_TYPE) && row.fingerprint) {
        violations.push({
          channel: row.channel,
          via: row.via,
          fingerprint: row.fingerprint,
          violation: row,
          receivedAt: row.receivedAt,
          canary: row.reportType === CANARY_TYPE,
        });
      }
    }
    const https = /^https:/i.test(session?.documentUri ?? '') || rows.some((row) => /^https:/i.test(row.documentUri));
    // A collector site's page view carries its own policy's facts (from its token); ours come from the options.
    const policy = session?.policy ?? this.policy;
    const { verdict, unexplained, changesAt } = computeVerdict(
      {
        now,
        sdkSeenAt: session?.sdkSeenAt ?? null,
        canary: session?.canary ? { outcome: session.canary.outcome, threw: session.canary.threw, receivedAt: session.canary.at } : null,
        violations,
        hidden,
      },
      {
        rules: this.matches.forRead(sessionId, siteOfSession(sessionId)),
        canaryApplicable: policy.canary,
        engine: engineOf(session?.userAgent ?? ''),
        nativeDelayMs: policy.reportingApi && https ? REPORT_TO_DELAY_MS : REPORT_URI_DELAY_MS,
      },
    );
    return { verdict: { ...verdict, version: versionOf(verdict) }, unexplained, session, changesAt };
  }

  /**
   * The verdict once it differs from `known` (a version the client has), or after `waitMs`.
   * Wakes on new evidence for the session and when a window closes.
   */
  async next(sessionId: string, known: string | null, waitMs: number, signal?: AbortSignal): Promise<VersionedVerdict> {
    const deadline = Date.now() + waitMs;
    const stop = signal ? AbortSignal.any([signal, this.closing.signal]) : this.closing.signal;
    for (;;) {
      const { verdict, changesAt } = await this.current(sessionId);
      const left = deadline - Date.now();
      if (verdict.version !== known || left <= 0 || stop.aborted) return verdict;
      const untilChange = changesAt === null ? Infinity : Math.max(changesAt - Date.now(), 0) + 5;
      const woken = await this.hub.wait(sessionId, Math.min(left, untilChange), stop);
      // Closing (the server stops): the waiting client gets what was known, not an error.
      if (this.closing.signal.aborted) return verdict;
      // The deadline passed with no new evidence and no window closing: the verdict read before
      // still holds, without a read (a crowd of long-polls ending together costs no queries).
      if (!woken && left <= untilChange) return verdict;
    }
  }

  /**
   * Records the verdict a visitor's page was sent, once per version (the dashboard shows the
   * verdict as the visitor saw it). Storage errors are the caller's to log.
   */
  async recordShown(sessionId: string, verdict: VersionedVerdict, at = Date.now()): Promise<void> {
    if (this.shown.get(sessionId) === verdict.version || this.closing.signal.aborted) return;
    const { version, ...rest } = verdict;
    const write = this.store.recordShownVerdict(sessionId, { status: verdict.status, version, json: JSON.stringify(rest), at });
    this.inFlight.add(write);
    await write.finally(() => this.inFlight.delete(write));
    this.metrics?.verdictShown(verdict);
    this.shown.delete(sessionId);
    this.shown.set(sessionId, version);
    if (this.shown.size > SHOWN_MEMORY) this.shown.delete(this.shown.keys().next().value as string);
  }

  /** Ends every wait and lets the reads in progress finish, before the database closes. */
  async close(): Promise<void> {
    this.closing.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Aborts when the service closes (the observer shuts down). */
  get closed(): AbortSignal {
    return this.closing.signal;
  }
}

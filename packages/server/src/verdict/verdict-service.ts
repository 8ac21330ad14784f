import { createHash } from 'node:crypto';
import { computeVerdict, type EvidenceViolation, type HiddenElement, type UnexplainedViolation, type Verdict } from '@csp-observer/core';
import { CANARY_TYPE, HIDDEN_ELEMENT_TYPE } from '../report-types.js';
import type { RuleBook } from '../rules/rule-book.js';
import type { ReportStore, StoredSession } from '../storage/report-store.js';
import type { SessionHub } from './session-hub.js';

/** A verdict and a short tag that changes whenever the verdict does. */
export interface VersionedVerdict extends Verdict {
  version: string;
}

export interface VerdictPolicy {
  /** The policy sent forbids eval and asks for samples: the canary can work. */
  canaryApplicable: boolean;
  /** Reporting API on HTTPS pages: native reports may come about a minute late. */
  reportingApi: boolean;
}

/** report-uri reports arrive within ~120 ms of the violation (measured in Chromium). */
const REPORT_URI_DELAY_MS = 2000;
/** Chromium sends Reporting API reports in batches about a minute apart. */
const REPORT_TO_DELAY_MS = 90_000;

function versionOf(verdict: Verdict): string {
  return createHash('sha1').update(JSON.stringify(verdict)).digest('base64url').slice(0, 12);
}

/** Computes the verdict of a session from what is stored, and waits for it to change. */
export class VerdictService {
  private readonly closing = new AbortController();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly store: ReportStore,
    private readonly rules: RuleBook,
    private readonly hub: SessionHub,
    private readonly policy: VerdictPolicy,
  ) {}

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
        violations.push({ channel: row.channel, via: row.via, fingerprint: row.fingerprint, violation: row, receivedAt: row.receivedAt });
      }
    }
    const https = /^https:/i.test(session?.documentUri ?? '') || rows.some((row) => /^https:/i.test(row.documentUri));
    const { verdict, unexplained, changesAt } = computeVerdict(
      {
        now,
        sdkSeenAt: session?.sdkSeenAt ?? null,
        canary: session?.canary ? { outcome: session.canary.outcome, threw: session.canary.threw, receivedAt: session.canary.at } : null,
        violations,
        hidden,
      },
      {
        rules: this.rules,
        canaryApplicable: this.policy.canaryApplicable,
        nativeDelayMs: this.policy.reportingApi && https ? REPORT_TO_DELAY_MS : REPORT_URI_DELAY_MS,
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
      const until = changesAt === null ? left : Math.min(left, Math.max(changesAt - Date.now(), 0) + 5);
      await this.hub.wait(sessionId, until, stop);
    }
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

import { ANOMALY_TEXT, type AnomalyKind } from './anomalies.js';
import type { RuleMatcher } from './rules/matcher.js';
import type { Cause } from './rules/rule.js';
import { isCanarySample, type CanaryOutcome, type SdkSource } from './sdk-protocol.js';
import type { Channel, Violation } from './violation.js';

/** One violation of a session as stored, from whichever channel. */
export interface EvidenceViolation {
  channel: Channel;
  /** For the SDK channel: whether the page's listener or its ReportingObserver saw it. */
  via: SdkSource | null;
  fingerprint: string;
  violation: Violation;
  receivedAt: number;
}

/** What the SDK said about its canary, and when the server heard it. */
export interface CanaryEvidence {
  outcome: CanaryOutcome;
  /** The canary's eval threw an EvalError: the policy is enforced, whatever else was seen. */
  threw: boolean;
  receivedAt: number;
}

/** An element that the SDK's tripwire found: forbidden by the policy, ran, never reported. */
export interface HiddenElement {
  tag: string;
  url: string;
  directive: string;
}

/** Everything known about one page view. */
export interface SessionEvidence {
  now: number;
  /** When the SDK was first heard from; null if it never was (blocked, or not on the page). */
  sdkSeenAt: number | null;
  canary: CanaryEvidence | null;
  violations: readonly EvidenceViolation[];
  hidden: readonly HiddenElement[];
}

export interface VerdictSettings {
  rules: RuleMatcher;
  /**
   * Whether the policy lets the canary work: its script policy forbids eval and asks for
   * samples. With 'unsafe-eval' (or no script policy) the canary cannot fire, so its anomalies
   * are never raised.
   */
  canaryApplicable: boolean;
  /** How long after the SDK's canary message the browser's own report of it may still arrive. */
  nativeDelayMs: number;
}

export type VerdictStatus = 'observing' | 'clean' | 'problems';

export interface VerdictProblem {
  ruleId: string;
  cause: Cause;
  title: string;
  shortDescription: string;
  /** Violations this rule explains (a violation seen by both channels counts once). */
  count: number;
}

export interface VerdictAnomaly {
  kind: AnomalyKind;
  title: string;
  description: string;
}

/** The verdict of one page view, as `GET {prefix}/verdict/:token` returns it. */
export interface Verdict {
  status: VerdictStatus;
  /** False while evidence that may change the verdict can still arrive. */
  final: boolean;
  problems: VerdictProblem[];
  anomalies: VerdictAnomaly[];
  /** Violations no rule explains (the site's own, usually). */
  unknown: number;
}

/** A violation no rule explains, with how often the page view had it. */
export interface UnexplainedViolation {
  violation: Violation;
  count: number;
}

export interface VerdictResult {
  verdict: Verdict;
  /** The violations behind `verdict.unknown`, most frequent first (for the scan page). */
  unexplained: UnexplainedViolation[];
  /** When the verdict will change by the passing of time alone (a window closing), or null. */
  changesAt: number | null;
}

interface Tally {
  sdk: number;
  native: number;
  violation: Violation;
}

/**
 * Decides a page view's verdict from its evidence. Pure: the same evidence at the same `now`
 * gives the same verdict.
 *
 * The two channels are paired by fingerprint as multisets: a browser's native report collapses
 * identical violations (N events, one report), so a violation's count is the larger of what the
 * page saw and what the browser reported. The canary tells "nothing happened" apart from "the
 * policy is gone", "reports are blocked" and "events are hidden".
 */
export function computeVerdict(evidence: SessionEvidence, settings: VerdictSettings): VerdictResult {
  const tallies = new Map<string, Tally>();
  let nativeCanary = false;
  let pageCanary = false;
  for (const item of evidence.violations) {
    if (isCanarySample(item.violation.sample)) {
      if (item.channel === 'sdk') pageCanary = true;
      else nativeCanary = true;
      continue;
    }
    let tally = tallies.get(item.fingerprint);
    if (!tally) tallies.set(item.fingerprint, (tally = { sdk: 0, native: 0, violation: item.violation }));
    if (item.channel === 'sdk') tally.sdk++;
    else tally.native++;
  }

  const problems = new Map<string, VerdictProblem>();
  let unknown = 0;
  const unexplained: UnexplainedViolation[] = [];
  for (const tally of tallies.values()) {
    const count = Math.max(tally.sdk, tally.native);
    const rule = settings.rules.match(tally.violation);
    if (!rule) {
      unknown += count;
      unexplained.push({ violation: tally.violation, count });
    }
    else if (!rule.ignore) {
      const known = problems.get(rule.id);
      if (known) known.count += count;
      else problems.set(rule.id, { ruleId: rule.id, cause: rule.cause, title: rule.title, shortDescription: rule.shortDescription, count });
    }
  }

  const anomalies: AnomalyKind[] = [];
  let changesAt: number | null = null;
  let canarySettled = !settings.canaryApplicable;
  const { canary, now } = evidence;
  if (settings.canaryApplicable && canary) {
    const sawIt = canary.outcome !== 'missing' || pageCanary;
    const windowEnd = canary.receivedAt + settings.nativeDelayMs;
    const windowOver = now >= windowEnd;
    if (canary.outcome === 'observer' || (canary.outcome === 'missing' && (nativeCanary || canary.threw))) {
      anomalies.push('events-suppressed');
    }
    if (nativeCanary) canarySettled = true;
    else if (!windowOver) changesAt = windowEnd;
    else {
      canarySettled = true;
      if (sawIt || canary.threw) anomalies.push('reports-blocked');
      else anomalies.push('policy-not-enforced');
    }
  }
  if (evidence.hidden.length > 0) anomalies.push('hidden-content');

  const problemList = [...problems.values()].sort((a, b) => b.count - a.count || a.ruleId.localeCompare(b.ruleId));
  const anomalyList = anomalies.map((kind) => ({ kind, ...ANOMALY_TEXT[kind] }));
  const anything = evidence.sdkSeenAt !== null || evidence.violations.length > 0 || evidence.hidden.length > 0;
  // While the SDK's canary is awaited, a clean-looking page is still being observed.
  const awaitingCanary = settings.canaryApplicable && evidence.sdkSeenAt !== null && !canary && !nativeCanary;
  let status: VerdictStatus;
  if (problemList.length > 0 || anomalyList.length > 0) status = 'problems';
  // A canary nobody saw may yet be reported natively (then only events are hidden): wait.
  else if (!anything || awaitingCanary || (changesAt !== null && canary?.outcome === 'missing' && !canary.threw)) status = 'observing';
  else status = 'clean';
  const final = anything && canarySettled && (evidence.sdkSeenAt !== null || !settings.canaryApplicable) && !awaitingCanary;
  return {
    verdict: { status, final, problems: problemList, anomalies: anomalyList, unknown },
    unexplained: unexplained.sort((a, b) => b.count - a.count),
    changesAt,
  };
}

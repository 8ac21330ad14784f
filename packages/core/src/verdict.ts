import { ANOMALY_SEVERITY, ANOMALY_TEXT, type AnomalyKind } from './anomalies.js';
import type { EngineFamily } from './engine.js';
import { SAMPLE_LENGTH } from './fingerprint.js';
import type { RuleMatcher } from './rules/matcher.js';
import type { CanaryOutcome, SdkSource } from './sdk-protocol.js';
import type { Channel, Violation } from './violation.js';
import type { Verdict, VerdictAnomaly, VerdictProblem, VerdictStatus } from './wire/verdict.js';

/** One violation of a session as stored, from whichever channel. */
export interface EvidenceViolation {
  channel: Channel;
  /** For the SDK channel: whether the page's listener or its ReportingObserver saw it. */
  via: SdkSource | null;
  fingerprint: string;
  violation: Violation;
  receivedAt: number;
  /** The SDK's canary (recognized at ingestion), not a violation of the page. */
  canary: boolean;
}

/** What the SDK said about its canary, and when the server heard it. */
export interface CanaryEvidence {
  outcome: CanaryOutcome;
  /** The policy stopped the canary's code: it is enforced, whatever else was seen. */
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
  /** The visitor's engine (engineOf the page view's User-Agent), for rules bound to one engine. */
  engine?: EngineFamily | '';
}

/** A violation no rule explains (each distinct violation once: pairChannels). */
export interface UnexplainedViolation {
  violation: Violation;
}

export interface VerdictResult {
  verdict: Verdict;
  /** The violations behind `verdict.unknown` (for the scan page). */
  unexplained: UnexplainedViolation[];
  /** When the verdict will change by the passing of time alone (a window closing), or null. */
  changesAt: number | null;
}

/** What the two channels saw of one fingerprint: the samples, where the channel carried one. */
interface Group {
  /** Per sample (its first 40 characters): the first sighting. */
  bySample: Map<string, Violation>;
  /** A native report without a sample (WebKit never sends one): it is any of the sightings above. */
  sampleless: Violation | null;
}

/**
 * The distinct violations of a page view, each once, whichever channels saw it and however often:
 * the SDK's sightings and the browser's own reports are paired by fingerprint (the fields every
 * engine sends on both channels). Where a channel carries a sample, different samples are
 * different violations; a native report without one pairs with any sighting of its fingerprint.
 *
 * Once, not as often as it happened: engines repeat one violation differently. WebKit reports a
 * blocked `<script src>` twice (its preload scanner, then the parser: two events, two reports),
 * Chromium collapses identical violations into one native report, and the SDK's listener and
 * ReportingObserver may see one violation twice.
 */
export function pairChannels(violations: readonly EvidenceViolation[]): Violation[] {
  const groups = new Map<string, Group>();
  for (const item of violations) {
    let group = groups.get(item.fingerprint);
    if (!group) groups.set(item.fingerprint, (group = { bySample: new Map(), sampleless: null }));
    const sample = item.violation.sample.slice(0, SAMPLE_LENGTH);
    if (item.channel !== 'sdk' && sample === '') group.sampleless ??= item.violation;
    else if (!group.bySample.has(sample)) group.bySample.set(sample, item.violation);
  }
  const distinct: Violation[] = [];
  for (const group of groups.values()) {
    if (group.bySample.size) distinct.push(...group.bySample.values());
    else if (group.sampleless) distinct.push(group.sampleless);
  }
  return distinct;
}

/**
 * Decides a page view's verdict from its evidence. Pure: the same evidence at the same `now`
 * gives the same verdict.
 *
 * The two channels are paired (pairChannels) so that a violation seen by both counts once. The
 * canary tells "nothing happened" apart from "the policy is gone", "reports are blocked" and
 * "events are hidden".
 */
export function computeVerdict(evidence: SessionEvidence, settings: VerdictSettings): VerdictResult {
  let nativeCanary = false;
  let pageCanary = false;
  const pageViolations: EvidenceViolation[] = [];
  for (const item of evidence.violations) {
    if (!item.canary) pageViolations.push(item);
    else if (item.channel === 'sdk') pageCanary = true;
    else nativeCanary = true;
  }

  const problems = new Map<string, VerdictProblem>();
  let unknown = 0;
  const unexplained: UnexplainedViolation[] = [];
  for (const violation of pairChannels(pageViolations)) {
    const rule = settings.rules.match(violation, settings.engine ?? '');
    if (!rule) {
      unknown++;
      unexplained.push({ violation });
    } else if (!rule.ignore) {
      const known = problems.get(rule.id);
      if (known) known.count++;
      else
        problems.set(rule.id, { ruleId: rule.id, cause: rule.cause, title: rule.title, shortDescription: rule.shortDescription, count: 1 });
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
  const anomalyList: VerdictAnomaly[] = anomalies.map((kind) => ({ kind, severity: ANOMALY_SEVERITY[kind], ...ANOMALY_TEXT[kind] }));
  const warnings = anomalyList.some((anomaly) => anomaly.severity === 'warning');
  const anything = evidence.sdkSeenAt !== null || evidence.violations.length > 0 || evidence.hidden.length > 0;
  // While the SDK's canary is awaited, a clean-looking page is still being observed.
  const awaitingCanary = settings.canaryApplicable && evidence.sdkSeenAt !== null && !canary && !nativeCanary;
  let status: VerdictStatus;
  if (problemList.length > 0 || warnings) status = 'problems';
  // A canary nobody saw may yet be reported natively (then only events are hidden): wait.
  else if (!anything || awaitingCanary || (changesAt !== null && canary?.outcome === 'missing' && !canary.threw)) status = 'observing';
  else status = 'clean';
  const final = anything && canarySettled && (evidence.sdkSeenAt !== null || !settings.canaryApplicable) && !awaitingCanary;
  return {
    verdict: { status, final, problems: problemList, anomalies: anomalyList, unknown },
    unexplained,
    changesAt,
  };
}

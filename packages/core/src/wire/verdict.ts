import type { AnomalyKind, AnomalySeverity } from '../anomalies.js';
import type { Cause } from '../rules/rule.js';

/**
 * The verdict of a page view as it crosses HTTP: `GET {prefix}/verdict/:token` (JSON, long-poll,
 * or the `data` of a server-sent `verdict` event) answers a VersionedVerdict. The server
 * (verdict/verdict-service.ts, from computeVerdict) produces it; the SDK's popup, the visitor's
 * scan page and the admin API's page views read it. Type-only: nothing here reaches a bundle.
 */

/** `problems`: a rule or a sign of tampering; `clean`: nothing the visitor should worry about; `observing`: too early to say. */
export type VerdictStatus = 'observing' | 'clean' | 'problems';

/** One rule that explains some of the page view's violations. */
export interface VerdictProblem {
  /** The rule's id (`custom:` for the site owner's rules). */
  ruleId: string;
  /** What on the visitor's side caused it: extension, browser, malware or other. */
  cause: Cause;
  /** The rule's title. */
  title: string;
  /** The rule's one sentence for the popup. */
  shortDescription: string;
  /** Distinct violations this rule explains (each once, however often and by whichever channels it was seen: pairChannels). */
  count: number;
}

/** A sign that something stands between the page and its policy or its reports. */
export interface VerdictAnomaly {
  /** Which anomaly (anomalies.ts). */
  kind: AnomalyKind;
  /** `warning`: a sign of tampering (status `problems`); `notice`: said, the status stays `clean`. */
  severity: AnomalySeverity;
  /** A short heading in the visitor's words. */
  title: string;
  /** What it means and what to do, in the visitor's words. */
  description: string;
}

/** The verdict of one page view. */
export interface Verdict {
  /** The page view's status (see VerdictStatus). */
  status: VerdictStatus;
  /** False while evidence that may change the verdict can still arrive. */
  final: boolean;
  /** The rules that explain violations (ignore rules never), most violations first. */
  problems: VerdictProblem[];
  /** Signs of tampering and notices. */
  anomalies: VerdictAnomaly[];
  /** Violations no rule explains (the site's own, usually). */
  unknown: number;
}

/** The body of `GET {prefix}/verdict/:token`: a verdict and a tag that changes whenever it does. */
export interface VersionedVerdict extends Verdict {
  /** Changes whenever the verdict does; send it back as `?after=` to wait for the next change. */
  version: string;
}

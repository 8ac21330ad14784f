/**
 * A rule explains a violation: what on the visitor's side (an extension, the browser, malware,
 * something else) caused it, in words a visitor understands.
 */

/** The causes a rule may name, as the seed's rule database does. */
export const CAUSES = ['extension', 'browser', 'malware', 'other'] as const;
export type Cause = (typeof CAUSES)[number];

/** Where a rule comes from: the rules file (replaced by updates) or the site owner (kept). */
export type RuleOrigin = 'global' | 'custom';

/**
 * One way a rule recognizes a violation. Each pattern is a regular expression (RE2 syntax,
 * case-insensitive, searched anywhere unless anchored); an empty pattern matches anything.
 * `directive` is compared as its base directive: `script-src` covers `script-src-elem`.
 */
export interface RuleMatch {
  blockedUri: string;
  directive: string;
  sourceFile: string;
  sample: string;
}

export interface Rule {
  /** Stable id; custom rules are prefixed `custom:`. */
  id: string;
  cause: Cause;
  title: string;
  /** One sentence for the popup and lists. */
  shortDescription: string;
  /** Markdown for the scan report page: what it is and what to do. */
  longDescription: string;
  /** Pure noise: matching reports are dropped (and counted), never shown as a problem. */
  ignore: boolean;
  match: RuleMatch[];
  origin: RuleOrigin;
  /** Public sources that document the cause. */
  references: string[];
  /** A custom rule of a central collector that applies to one of its sites only; absent: every site. */
  site?: string;
}

/** Bounds on what a rules file may hold: a remote file is untrusted input. */
export const RULE_LIMITS = {
  rules: 10_000,
  idLength: 128,
  titleLength: 200,
  shortDescriptionLength: 500,
  longDescriptionLength: 20_000,
  matchesPerRule: 50,
  patternLength: 1_000,
  references: 20,
} as const;

export function isCause(value: unknown): value is Cause {
  return typeof value === 'string' && (CAUSES as readonly string[]).includes(value);
}

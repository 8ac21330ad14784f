/**
 * A rule explains a violation: what on the visitor's side (an extension, the browser, malware,
 * something else) caused it, in words a visitor understands.
 */

/** The causes a rule may name, as django-csp-observer's rule database does. */
export const CAUSES = ['extension', 'browser', 'malware', 'other'] as const;
export type Cause = (typeof CAUSES)[number];

/** Where a rule comes from: the rules file (replaced by updates) or the site owner (kept). */
export type RuleOrigin = 'global' | 'custom';

import type { EngineFamily } from '../engine.js';

/**
 * One way a rule recognizes a violation. Each pattern is a regular expression (RE2 syntax,
 * case-insensitive, searched anywhere unless anchored); an empty pattern matches anything.
 * `directive` is compared as its base directive: `script-src` covers `script-src-elem`.
 * Patterns see URLs as normalization wrote them (no default port) and a bare scheme as
 * `scheme:` (Chromium's `chrome-extension` is `chrome-extension:`); inline code is `inline`
 * however the browser spelled it (docs/rules.md).
 */
export interface RuleMatch {
  blockedUri: string;
  directive: string;
  sourceFile: string;
  sample: string;
  /** The page the violation happened on. */
  documentUri: string;
  /**
   * The policy as the browser applied it: the violated directive and the original policy, one
   * per line. A proxy or security suite that rewrites the page's policy shows here.
   */
  policy: string;
  /** Only reports from this engine (read off the User-Agent); "" for any. */
  engine: EngineFamily | '';
}

/** Where a shipped rule's knowledge comes from, under which license (docs/rules.md#sources). */
export interface RuleSource {
  name: string;
  url: string;
  /** An SPDX identifier: only licenses that allow shipping the facts in an MIT project. */
  license: string;
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
  /** Where the rule's facts come from (shipped rules cite theirs); absent for custom rules. */
  source?: RuleSource;
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

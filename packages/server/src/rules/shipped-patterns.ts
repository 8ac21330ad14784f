import { readFileSync } from 'node:fs';
import { parseRulesFile } from '@csp-observer/core';
import { BUNDLED_RULES } from './rules-source.js';

let shipped: ReadonlySet<string> | null = null;

/**
 * The patterns of the rules file shipped with this package, reviewed with it: only these may run
 * on V8's backtracking RegExp (when isBacktrackingSafe agrees). Read once, when first asked.
 */
export function shippedPatterns(): ReadonlySet<string> {
  if (shipped) return shipped;
  const patterns = new Set<string>();
  try {
    for (const rule of parseRulesFile(JSON.parse(readFileSync(BUNDLED_RULES, 'utf8'))).rules) {
      for (const m of rule.match) {
        for (const source of [m.blockedUri, m.sourceFile, m.sample, m.documentUri, m.policy]) if (source) patterns.add(source);
      }
    }
  } catch {
    // No shipped file (a trimmed install): every pattern is untrusted, which is only slower.
  }
  return (shipped = patterns);
}

/** Whether a pattern is, character for character, one of the shipped rules' patterns. */
export function isShippedPattern(source: string): boolean {
  return shippedPatterns().has(source);
}

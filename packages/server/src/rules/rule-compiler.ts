import { compileRules, type PatternCompiler, type PatternTest, type Rule, type RuleMatcher, type RejectedRule } from '@csp-observer/core';
import { budgeted, MatchBudget } from './match-budget.js';
import { compilePattern, patternCompiler } from './pattern-engine.js';

/**
 * A compiler that compiles each distinct pattern once: checking a rule set and then building
 * its matcher (and rules sharing a pattern) reuse the compiled test.
 */
export function compileOnce(compile: PatternCompiler = compilePattern): PatternCompiler {
  const compiled = new Map<string, PatternTest>();
  return (source) => {
    let test = compiled.get(source);
    if (!test) compiled.set(source, (test = compile(source)));
    return test;
  };
}

/** Checks every pattern of a rule; throws with the first that does not compile. */
export function checkRulePatterns(rule: Rule, compile: PatternCompiler = compilePattern): void {
  for (const m of rule.match) {
    for (const [name, source] of [
      ['blocked_uri', m.blockedUri],
      ['source_file', m.sourceFile],
      ['sample', m.sample],
      ['document_uri', m.documentUri],
      ['policy', m.policy],
    ] as const) {
      if (!source) continue;
      try {
        compile(source);
      } catch (error) {
        throw new Error(`${name} ${(error as Error).message}`);
      }
    }
  }
}

/** The rules whose patterns compile, and the others with the reason. */
export function usableRules(
  rules: readonly Rule[],
  compile: PatternCompiler = compilePattern,
): { usable: Rule[]; rejected: RejectedRule[] } {
  const usable: Rule[] = [];
  const rejected: RejectedRule[] = [];
  for (const rule of rules) {
    try {
      checkRulePatterns(rule, compile);
      usable.push(rule);
    } catch (error) {
      rejected.push({ id: rule.id, reason: (error as Error).message });
    }
  }
  return { usable, rejected };
}

/**
 * Custom rules first (the site owner's word wins), then the global rules in file order. The
 * shipped rules' patterns take the fast path; every other pattern runs on RE2 within `budget` per
 * report (each match starts with a fresh one). `compile` must charge that same budget (default:
 * patternCompiler(budget)).
 */
export function compileRuleSet(
  rules: readonly Rule[],
  budget: MatchBudget = new MatchBudget(),
  compile: PatternCompiler = patternCompiler(budget),
): RuleMatcher {
  const ordered = [...rules.filter((r) => r.origin === 'custom'), ...rules.filter((r) => r.origin === 'global')];
  return budgeted(compileRules(ordered, compile), budget);
}

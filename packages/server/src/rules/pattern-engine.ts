import { isBacktrackingSafe, type PatternCompiler, type PatternTest } from '@csp-observer/core';
import { RE2JS } from 're2js';
import type { MatchBudget } from './match-budget.js';
import { isShippedPattern } from './shipped-patterns.js';

/**
 * The most RE2 instructions an untrusted pattern may compile to. RE2 expands a bounded repeat
 * into copies of its body (`(?:[a-p]|[q-z]){1,1000}X` is 2,002 instructions), and matching costs
 * time in proportion to the program's size times the text's length: the cap keeps one pattern's
 * cost within what the per-report budget can pay on a field of ordinary length. The largest
 * shipped pattern compiles to far fewer (see pattern-engine.test.ts).
 */
export const MAX_PATTERN_INSTRUCTIONS = 1000;

/**
 * The memory the lazy DFA of one untrusted pattern may use (re2js's default is 8 MB each). A
 * pattern built to make its automaton explode (`(a|b)*a(a|b){40}c`) fills the cache anew with
 * every report's text; a small cache makes re2js give up on the DFA sooner and run its bounded
 * backtracker or NFA: measured, its worst report falls from about 18 ms to about 2 ms within the
 * default budget (docs/performance.md), and a thousand custom rules cannot hold gigabytes.
 */
export const UNTRUSTED_DFA_BYTES = 32 * 1024;

interface Re2Internals {
  re2Input?: { prog?: unknown; dfa?: { constructor: new (prog: unknown, maxMem: number) => unknown }; lazyDFA?: unknown };
}

/**
 * Gives the pattern's DFA a cache of UNTRUSTED_DFA_BYTES. re2js (pinned) offers no option for it,
 * so this reaches into its compiled RE2 object; where that is not there (another re2js), the
 * default stays (slower in the worst case, never unbounded: pattern-engine.test.ts notices).
 */
export function limitDfaMemory(re: RE2JS): RE2JS {
  const inner = (re as unknown as Re2Internals).re2Input;
  const dfa = inner?.prog ? inner.dfa : undefined;
  if (inner && dfa) inner.lazyDFA = new dfa.constructor(inner.prog, UNTRUSTED_DFA_BYTES);
  return re;
}

function compileRe2(source: string): RE2JS {
  try {
    return RE2JS.compile(source, RE2JS.CASE_INSENSITIVE);
  } catch (error) {
    throw new Error(`not a valid RE2 pattern (${(error as Error).message})`);
  }
}

/**
 * A pattern of the shipped, reviewed rules file: checked by RE2, then run on V8's faster RegExp
 * when its shape cannot backtrack badly (isBacktrackingSafe), else on re2js. The fast path is for
 * reviewed text only: a shape check is a second line of defence, not a proof.
 */
export const compileShippedPattern: PatternCompiler = (source) => {
  const re = compileRe2(source);
  if (isBacktrackingSafe(source)) {
    try {
      const native = new RegExp(source, 'i');
      return (input) => native.test(input);
    } catch {
      // Valid RE2 that V8 reads differently: RE2 it is.
    }
  }
  return (input) => re.test(input);
};

/**
 * A pattern from anywhere else (custom rules, a rules file given by the user, a feed): RE2 only
 * (re2js: an automaton, linear in the text whatever the pattern), at most
 * MAX_PATTERN_INSTRUCTIONS instructions, and each run charged to `budget` (program size times
 * text length) before it starts: once a report's budget is spent, the rest of its untrusted
 * patterns answer "no match" (the report stays unexplained; it is never dropped).
 */
export function compileUntrustedPattern(source: string, budget: MatchBudget | null = null): PatternTest {
  const re = limitDfaMemory(compileRe2(source));
  const size = re.programSize();
  if (size > MAX_PATTERN_INSTRUCTIONS) {
    throw new Error(
      `pattern too costly: it compiles to ${size} RE2 instructions, more than ${MAX_PATTERN_INSTRUCTIONS} (write bounded repeats as * or +, or split the rule)`,
    );
  }
  if (!budget) return (input) => re.test(input);
  return (input) => budget.charge(size * Math.max(input.length, 1)) && re.test(input);
}

/**
 * The compiler for rules from the database: a pattern that is, character for character, one of
 * the shipped rules file's takes the fast path; any other is untrusted and charged to `budget`.
 */
export function patternCompiler(budget: MatchBudget | null = null): PatternCompiler {
  return (source) => (isShippedPattern(source) ? compileShippedPattern(source) : compileUntrustedPattern(source, budget));
}

/**
 * Checks and compiles a pattern without a budget (checks, previews of one rule): the shipped
 * fast path for the shipped rules' patterns, RE2 within MAX_PATTERN_INSTRUCTIONS for the others.
 * Case-insensitive; Python's `(?P<name>...)` groups of django-csp-observer's rules work as they
 * are; RE2 has no backreferences or lookaround: such patterns are refused with the reason.
 */
export const compilePattern: PatternCompiler = patternCompiler(null);

import { readFileSync } from 'node:fs';
import { parseRulesFile, type Rule, type Violation } from '@csp-observer/core';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { MatchBudget } from './match-budget.js';
import {
  compilePattern,
  compileUntrustedPattern,
  limitDfaMemory,
  MAX_PATTERN_INSTRUCTIONS,
  patternCompiler,
  UNTRUSTED_DFA_BYTES,
} from './pattern-engine.js';
import { compileRuleSet } from './rule-compiler.js';
import { BUNDLED_RULES } from './rules-source.js';
import { isShippedPattern } from './shipped-patterns.js';

const rule = (id: string, blockedUri: string, origin: Rule['origin'] = 'custom'): Rule => ({
  id,
  cause: 'malware',
  title: id,
  shortDescription: '',
  longDescription: '',
  ignore: false,
  origin,
  references: [],
  match: [{ blockedUri, directive: '', sourceFile: '', sample: '', documentUri: '', policy: '', engine: '' }],
});
const violation = (blockedUri: string): Violation => ({
  documentUri: 'https://shop.test/',
  referrer: '',
  blockedUri,
  effectiveDirective: 'script-src-elem',
  violatedDirective: 'script-src-elem',
  originalPolicy: "script-src 'self'",
  disposition: 'report',
  sourceFile: '',
  lineNumber: 0,
  columnNumber: 0,
  statusCode: 200,
  sample: '',
});
const size = (source: string) => RE2JS.compile(source, RE2JS.CASE_INSENSITIVE).programSize();

// Issue 21: patterns that isBacktrackingSafe once let through to V8 (2.2 s and 50 s per 4 KB report).
const POISONED = ['(?:a|a){16}b', '(?:a|a){16}(?:a|a){4}b'];
// The 'b' at the end lets the rule's required text through the prefilter, so the pattern runs.
const POISONED_URI = `https://x.test/${'a'.repeat(4000)}b`;

describe('untrusted patterns', () => {
  it.each(POISONED)('%s runs on RE2 in a custom rule: ten 4 KB reports, each charged its size times its length', (source) => {
    const budget = new MatchBudget();
    const matcher = compileRuleSet([rule('custom:poison', source)], budget);
    for (let i = 0; i < 10; i++) {
      expect(matcher.match(violation(POISONED_URI))?.id).toBe('custom:poison');
      expect(budget.spent).toBe(size(source) * POISONED_URI.length);
    }
    expect(budget.exhaustedReports).toBe(0);
  });

  it('refuses a pattern whose bounded repeats expand past the instruction cap', () => {
    expect(() => compilePattern('(?:[a-p]|[q-z]){1,1000}X')).toThrow(
      `pattern too costly: it compiles to 2002 RE2 instructions, more than ${MAX_PATTERN_INSTRUCTIONS} (write bounded repeats as * or +, or split the rule)`,
    );
    expect(() => compilePattern('((a{1,10}){1,10}){1,10}b')).toThrow('it compiles to 2222 RE2 instructions');
    expect(compilePattern('(?:[a-p]|[q-z])+X')('abcX')).toBe(true);
  });

  it('stops running untrusted patterns once a report spent its budget; the next report starts afresh', () => {
    const costly = 'x(?:[a-p]|[q-z]){1,20}y';
    const budget = new MatchBudget(100_000);
    const matcher = compileRuleSet([rule('custom:costly', costly), rule('custom:cheap', 'zz?y')], budget);
    const long = violation(`https://x.test/${'q'.repeat(3000)}xay`);
    // 3,018 characters times the costly pattern's instructions is more than the budget: it does
    // not run, and the cheap rule after it neither (the budget is spent).
    expect(size(costly) * long.blockedUri.length).toBeGreaterThan(100_000);
    expect(matcher.match(long)).toBeNull();
    expect(budget.exhausted).toBe(true);
    expect(budget.exhaustedReports).toBe(1);
    expect(matcher.match(violation('https://x.test/xay'))?.id).toBe('custom:costly');
    expect(budget.exhausted).toBe(false);
    expect(budget.spent).toBe(size(costly) * 'https://x.test/xay'.length);
    expect(budget.exhaustedReports).toBe(1);
  });

  it('charges nothing for a rule that is plain text, whatever its origin', () => {
    const budget = new MatchBudget(1);
    const matcher = compileRuleSet([rule('custom:plain', 'evil\\.test/')], budget);
    expect(matcher.match(violation(`https://evil.test/${'a'.repeat(4000)}`))?.id).toBe('custom:plain');
    expect(budget.spent).toBe(0);
  });

  it("gives each untrusted pattern's automaton a cache of 32 KB, not re2js's 8 MB (a re2js upgrade that moves it fails here)", () => {
    const re = limitDfaMemory(RE2JS.compile('(a|b)*a(a|b){40}c', RE2JS.CASE_INSENSITIVE));
    const dfa = (re as unknown as { re2Input: { lazyDFA: { maxMem: number } } }).re2Input.lazyDFA;
    expect(dfa.maxMem).toBe(UNTRUSTED_DFA_BYTES);
    expect(re.test(`${'ab'.repeat(500)}a${'b'.repeat(40)}c`)).toBe(true);
    expect(re.test(`${'ab'.repeat(500)}c`)).toBe(false);
  });

  it('without a budget (checks, previews) still refuses what is not RE2', () => {
    expect(() => compileUntrustedPattern('(a)\\1')).toThrow(/^not a valid RE2 pattern/);
  });
});

describe('shipped patterns', () => {
  const shipped = parseRulesFile(JSON.parse(readFileSync(BUNDLED_RULES, 'utf8'))).rules;
  const patterns = [
    ...new Set(shipped.flatMap((r) => r.match.flatMap((m) => [m.blockedUri, m.sourceFile, m.sample, m.documentUri, m.policy]))),
  ].filter(Boolean);

  it('are recognised character for character, and nothing else is', () => {
    expect(patterns.every(isShippedPattern)).toBe(true);
    expect(isShippedPattern(`${patterns[0]}x`)).toBe(false);
    expect(isShippedPattern(POISONED[0]!)).toBe(false);
  });

  it('keep the fast path: they charge no budget', () => {
    const budget = new MatchBudget(1);
    const compile = patternCompiler(budget);
    for (const source of patterns) compile(source)(POISONED_URI);
    expect(budget.spent).toBe(0);
    expect(budget.exhausted).toBe(false);
  });

  it('all fit the instruction cap, so a feed that republishes them is accepted', () => {
    expect(Math.max(...patterns.map(size))).toBeLessThanOrEqual(MAX_PATTERN_INSTRUCTIONS);
    for (const source of patterns) expect(() => compileUntrustedPattern(source)).not.toThrow();
  });
});

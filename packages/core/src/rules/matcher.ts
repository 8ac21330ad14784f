import { baseDirective, directiveName } from '../directives.js';
import type { Violation } from '../violation.js';
import { foldCase, plainPattern, requiredLiteral } from './literal.js';
import type { Rule } from './rule.js';

/** A compiled pattern: whether it matches somewhere in the text. */
export type PatternTest = (input: string) => boolean;

/**
 * Turns a pattern into a test; throws when the pattern is invalid. The server passes a
 * linear-time engine here, because patterns from a rules file are untrusted.
 */
export type PatternCompiler = (source: string) => PatternTest;

/** Rules compiled once into one matcher. */
export interface RuleMatcher {
  /** The first rule (in the order given) that explains the violation, or null. */
  match(violation: Violation): Rule | null;
  readonly size: number;
}

/** Patterns see at most this much of a field: bounded work per report, whatever it carries. */
export const MAX_MATCH_INPUT = 4096;

type Field = 'blockedUri' | 'sourceFile' | 'sample';
const FIELDS: readonly Field[] = ['blockedUri', 'sourceFile', 'sample'];

interface Entry {
  rule: Rule;
  directive: string;
  tests: Array<[Field, PatternTest]>;
}

/**
 * Three-character pieces that nearly every URL contains: a rule indexed by one of them would be
 * a candidate for every report, so another piece of its text is chosen when there is one.
 */
const COMMON = new Set(['htt', 'ttp', 'tps', 'ps:', 'tp:', 's:/', 'p:/', '://', 'www', 'ww.', 'w.', '.co', 'com', 'om/', '.js', '/js', 'js/', 'cdn', 'api', 'net', '.ne', 'org', '.or', 'src']);

function trigramKey(text: string, i: number): number {
  return ((text.charCodeAt(i) & 0x3ff) << 20) | ((text.charCodeAt(i + 1) & 0x3ff) << 10) | (text.charCodeAt(i + 2) & 0x3ff);
}

function plainTest(source: string): PatternTest | null {
  const plain = plainPattern(source);
  if (!plain) return null;
  const { text, atStart, atEnd } = plain;
  if (atStart && atEnd) return (input) => foldCase(input) === text;
  if (atStart) return (input) => foldCase(input.slice(0, text.length + 8)).startsWith(text);
  if (atEnd) return (input) => foldCase(input).endsWith(text);
  return (input) => foldCase(input).includes(text);
}

/**
 * Compiles rules into one matcher. Each matcher of each rule is indexed by a three-character
 * piece of text its pattern requires, so a report is only checked against the few rules whose
 * text it contains (plus the rare ones without such text); patterns that are plain text are
 * matched without a regex. Throws (naming the rule) when a pattern does not compile.
 */
export function compileRules(rules: readonly Rule[], compile: PatternCompiler): RuleMatcher {
  const entries: Entry[] = [];
  const keyed: Array<{ entry: number; field: Field; literal: string }> = [];
  const unindexed: number[] = [];

  for (const rule of rules) {
    for (const m of rule.match) {
      const tests: Array<[Field, PatternTest]> = [];
      let best: { field: Field; literal: string } | null = null;
      for (const field of FIELDS) {
        const source = m[field];
        if (!source) continue;
        let test: PatternTest;
        try {
          test = plainTest(source) ?? compile(source);
        } catch (error) {
          throw new Error(`rule ${rule.id}: ${field} pattern ${JSON.stringify(source)}: ${(error as Error).message}`);
        }
        tests.push([field, test]);
        const literal = requiredLiteral(source);
        if (literal.length >= 3 && (!best || literal.length > best.literal.length)) best = { field, literal };
      }
      const index = entries.push({ rule, directive: m.directive ? baseDirective(m.directive) : '', tests }) - 1;
      if (best) keyed.push({ entry: index, ...best });
      else unindexed.push(index);
    }
  }

  // How many entries each piece would select: pick the rarest piece of each literal.
  const frequency = new Map<string, number>();
  for (const { field, literal } of keyed) {
    for (let i = 0; i + 3 <= literal.length; i++) {
      const key = `${field}:${literal.slice(i, i + 3)}`;
      frequency.set(key, (frequency.get(key) ?? 0) + 1);
    }
  }
  const index: Record<Field, Map<number, number[]>> = { blockedUri: new Map(), sourceFile: new Map(), sample: new Map() };
  for (const { entry, field, literal } of keyed) {
    let chosen = 0;
    let cost = Infinity;
    for (let i = 0; i + 3 <= literal.length; i++) {
      const piece = literal.slice(i, i + 3);
      const c = (frequency.get(`${field}:${piece}`) ?? 0) + (COMMON.has(piece) ? 1e6 : 0);
      if (c < cost) [chosen, cost] = [i, c];
    }
    const key = trigramKey(literal, chosen);
    const list = index[field].get(key);
    if (list) {
      if (list[list.length - 1] !== entry) list.push(entry);
    } else index[field].set(key, [entry]);
  }
  const indexedFields = FIELDS.filter((field) => index[field].size > 0);

  const stamps = new Uint32Array(entries.length);
  let stamp = 0;
  const candidates: number[] = [];

  const matches = (entry: Entry, values: Record<Field, string>, directive: string): boolean => {
    if (entry.directive && entry.directive !== directive) return false;
    for (const [field, test] of entry.tests) if (!test(values[field])) return false;
    return true;
  };

  return {
    size: rules.length,
    match(v: Violation): Rule | null {
      const values: Record<Field, string> = {
        blockedUri: v.blockedUri.length > MAX_MATCH_INPUT ? v.blockedUri.slice(0, MAX_MATCH_INPUT) : v.blockedUri,
        sourceFile: v.sourceFile.length > MAX_MATCH_INPUT ? v.sourceFile.slice(0, MAX_MATCH_INPUT) : v.sourceFile,
        sample: v.sample.length > MAX_MATCH_INPUT ? v.sample.slice(0, MAX_MATCH_INPUT) : v.sample,
      };
      const directive = baseDirective(v.effectiveDirective || directiveName(v.violatedDirective));
      stamp = (stamp + 1) >>> 0 || 1;
      if (stamp === 1) stamps.fill(0);
      candidates.length = 0;
      for (const field of indexedFields) {
        const text = foldCase(values[field]);
        const map = index[field];
        for (let i = 0; i + 3 <= text.length; i++) {
          const list = map.get(trigramKey(text, i));
          if (!list) continue;
          for (const entry of list) {
            if (stamps[entry] !== stamp) {
              stamps[entry] = stamp;
              candidates.push(entry);
            }
          }
        }
      }
      for (const entry of unindexed) candidates.push(entry);
      if (candidates.length > 1) candidates.sort((a, b) => a - b);
      for (const entry of candidates) {
        const e = entries[entry]!;
        if (matches(e, values, directive)) return e.rule;
      }
      return null;
    },
  };
}

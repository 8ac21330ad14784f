import { baseDirective, directiveName } from '../directives.js';
import type { EngineFamily } from '../engine.js';
import type { Violation } from '../violation.js';
import { foldCase, plainPattern, requiredAnyOf } from './literal.js';
import { matchBlockedUri, matchUrl } from './match-input.js';
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
  /**
   * The first rule (in the order given) that explains the violation, or null. `engine`: the
   * engine that reported it (engineOf its User-Agent), for rules bound to one engine.
   */
  match(violation: Violation, engine?: EngineFamily | ''): Rule | null;
  readonly size: number;
}

/** Patterns see at most this much of a field: bounded work per report, whatever it carries. */
export const MAX_MATCH_INPUT = 4096;

type Field = 'blockedUri' | 'sourceFile' | 'sample' | 'documentUri' | 'policy';
const FIELDS: readonly Field[] = ['blockedUri', 'sourceFile', 'sample', 'documentUri', 'policy'];

interface Entry {
  rule: Rule;
  directive: string;
  engine: EngineFamily | '';
  tests: Array<[Field, PatternTest]>;
  /**
   * The text the entry was indexed by, one of which its field must contain: checked with
   * `includes` before any pattern runs. An index key is three or four characters of that text,
   * so most candidates it brings (a URL sharing a few letters with a host) end here, without a regex.
   */
  prefilter: { field: Field; anyOf: string[] } | null;
}

/**
 * Three-character pieces that nearly every URL contains: a rule indexed by one of them would be
 * a candidate for every report, so another piece of its text is chosen when there is one.
 */
const COMMON = new Set(['htt', 'ttp', 'tps', 'ps:', 'tp:', 's:/', 'p:/', '://', 'www', 'ww.', '.co', 'com', 'om/', '.js', '/js', 'js/', 'cdn', 'api', 'net', '.ne', 'org', '.or', 'src']);

function trigramKey(text: string, i: number): number {
  return ((text.charCodeAt(i) & 0x3ff) << 20) | ((text.charCodeAt(i + 1) & 0x3ff) << 10) | (text.charCodeAt(i + 2) & 0x3ff);
}

/** Four characters hashed to 32 bits: a collision only brings a candidate the prefilter drops. */
function quadgramKey(text: string, i: number): number {
  let h = Math.imul(text.charCodeAt(i), 0x9e3779b1);
  h = Math.imul(h ^ text.charCodeAt(i + 1), 0x85ebca77);
  h = Math.imul(h ^ text.charCodeAt(i + 2), 0xc2b2ae3d);
  return (Math.imul(h ^ text.charCodeAt(i + 3), 0x27d4eb2f) ^ (h >>> 15)) >>> 0;
}

function containsAny(text: string, literals: readonly string[]): boolean {
  for (let i = 0; i < literals.length; i++) if (text.includes(literals[i]!)) return true;
  return false;
}

/**
 * Texts of four characters or more are indexed by four of them, shorter ones by three: with
 * hundreds of rules, three-character keys are so many that every URL brings candidates.
 */
const pieceLength = (literal: string) => (literal.length >= 4 ? 4 : 3);
const keyOf = (length: number, text: string, i: number) => (length === 4 ? quadgramKey(text, i) : trigramKey(text, i));
const isCommon = (piece: string) => (piece.length === 3 ? COMMON.has(piece) : COMMON.has(piece.slice(0, 3)) && COMMON.has(piece.slice(1)));

/**
 * A bitmap of an index's keys, so that most of a text's pieces cost one array read, not a map
 * lookup: about 256 bits per key (under 0.5% of a text's pieces hit by chance), at most 128 KB,
 * and no larger than that needs (a small index stays in the CPU's caches).
 */
interface KeyBitmap {
  bits: Uint8Array;
  mask: number;
}

/** Spreads a key over the bitmap (trigram keys are three 10-bit characters, not random). */
const bitOf = (key: number) => Math.imul(key, 0x9e3779b1) >>> 0;

function keyBitmap(keys: Map<number, number[]>): KeyBitmap {
  let bytes = 64;
  while (bytes < keys.size * 32 && bytes < 1 << 17) bytes *= 2;
  const bits = new Uint8Array(bytes);
  const mask = bytes - 1;
  for (const key of keys.keys()) {
    const b = bitOf(key);
    bits[(b >>> 3) & mask]! |= 1 << (b & 7);
  }
  return { bits, mask };
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
  // Per matcher: for each field, text of which every match contains one.
  const literals: Array<Array<{ field: Field; anyOf: string[] }>> = [];

  for (const rule of rules) {
    for (const m of rule.match) {
      const tests: Array<[Field, PatternTest]> = [];
      const required: Array<{ field: Field; anyOf: string[] }> = [];
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
        const anyOf = requiredAnyOf(source);
        if (anyOf && anyOf.every((text) => text.length >= 3)) required.push({ field, anyOf });
      }
      entries.push({ rule, directive: m.directive ? baseDirective(m.directive) : '', engine: m.engine ?? '', tests, prefilter: null });
      literals.push(required);
    }
  }

  // How many matchers each piece would select. Each matcher is indexed by the rarest piece of
  // each alternative of one field's required text, choosing the field that costs least (a
  // sample's text beats a blocked URI of `inline`).
  const frequency = new Map<string, number>();
  for (const required of literals) {
    for (const { field, anyOf } of required) {
      for (const literal of anyOf) {
        const length = pieceLength(literal);
        for (let i = 0; i + length <= literal.length; i++) {
          const key = `${field}:${literal.slice(i, i + length)}`;
          frequency.set(key, (frequency.get(key) ?? 0) + 1);
        }
      }
    }
  }
  const rarest = (field: Field, literal: string) => {
    const length = pieceLength(literal);
    let at = 0;
    let cost = Infinity;
    for (let i = 0; i + length <= literal.length; i++) {
      const piece = literal.slice(i, i + length);
      const c = (frequency.get(`${field}:${piece}`) ?? 0) + (isCommon(piece) ? 1e6 : 0);
      if (c < cost) [at, cost] = [i, c];
    }
    return { length, key: keyOf(length, literal, at), cost };
  };
  const newIndex = (): Record<Field, Map<number, number[]>> => ({ blockedUri: new Map(), sourceFile: new Map(), sample: new Map(), documentUri: new Map(), policy: new Map() });
  /** Per piece length (3 and 4): per field, the entries each key selects. */
  const indexes: Record<3 | 4, Record<Field, Map<number, number[]>>> = { 3: newIndex(), 4: newIndex() };
  const unindexed: number[] = [];
  literals.forEach((required, entry) => {
    let best: { field: Field; pieces: Array<{ length: number; key: number }>; cost: number; anyOf: string[] } | null = null;
    for (const { field, anyOf } of required) {
      const pieces = anyOf.map((literal) => rarest(field, literal));
      const cost = pieces.reduce((sum, piece) => sum + piece.cost, 0);
      if (!best || cost < best.cost) best = { field, pieces, cost, anyOf };
    }
    if (!best) {
      unindexed.push(entry);
      return;
    }
    entries[entry]!.prefilter = { field: best.field, anyOf: best.anyOf };
    for (const { length, key } of best.pieces) {
      const map = indexes[length as 3 | 4][best.field];
      const list = map.get(key);
      if (!list) map.set(key, [entry]);
      else if (list[list.length - 1] !== entry) list.push(entry);
    }
  });
  // Per field and piece length in use: its index, and a bitmap of its keys, so that most of a
  // text's pieces cost one array read, not a lookup. The policy is long and few rules read it: its entries are not scanned for but tried with
  // their prefilter (a few `includes` on the policy) on every report.
  const scans: Array<{ field: Field; length: 3 | 4; map: Map<number, number[]>; bitmap: KeyBitmap }> = [];
  const policyEntries: number[] = [];
  for (const field of FIELDS) {
    for (const length of [4, 3] as const) {
      const map = indexes[length][field];
      if (map.size === 0) continue;
      if (field === 'policy') policyEntries.push(...new Set([...map.values()].flat()));
      else scans.push({ field, length, map, bitmap: keyBitmap(map) });
    }
  }
  policyEntries.sort((a, b) => a - b);
  const indexedFields = FIELDS.filter((field) => scans.some((scan) => scan.field === field));

  const stamps = new Uint32Array(entries.length);
  let stamp = 0;
  const candidates: number[] = [];

  const bounded = (value: string) => (value.length > MAX_MATCH_INPUT ? value.slice(0, MAX_MATCH_INPUT) : value);
  const values: Record<Field, string> = { blockedUri: '', sourceFile: '', sample: '', documentUri: '', policy: '' };
  /** The indexed fields of the report being matched, folded once. */
  const folded: Record<Field, string> = { blockedUri: '', sourceFile: '', sample: '', documentUri: '', policy: '' };
  /** The policy is read only when a rule asks for it (few do): no string built per report otherwise. */
  const policyRules = entries.some((e) => e.tests.some(([field]) => field === 'policy'));

  return {
    size: rules.length,
    match(v: Violation, engine: EngineFamily | '' = ''): Rule | null {
      values.blockedUri = bounded(matchBlockedUri(v));
      values.sourceFile = bounded(matchUrl(v.sourceFile));
      values.sample = bounded(v.sample);
      values.documentUri = bounded(v.documentUri);
      values.policy = policyRules ? bounded(`${v.violatedDirective}\n${v.originalPolicy}`) : '';
      stamp = (stamp + 1) >>> 0 || 1;
      if (stamp === 1) stamps.fill(0);
      candidates.length = 0;
      for (const field of indexedFields) {
        const value = values[field];
        folded[field] = value.length < 3 ? '' : foldCase(value);
      }
      for (const { field, length, map, bitmap } of scans) {
        const text = folded[field];
        const quad = length === 4;
        const { bits, mask } = bitmap;
        for (let i = 0; i + length <= text.length; i++) {
          const key = quad ? quadgramKey(text, i) : trigramKey(text, i);
          const b = bitOf(key);
          if ((bits[(b >>> 3) & mask]! & (1 << (b & 7))) === 0) continue;
          const list = map.get(key);
          if (!list) continue;
          for (const entry of list) {
            if (stamps[entry] !== stamp) {
              stamps[entry] = stamp;
              candidates.push(entry);
            }
          }
        }
      }
      if (policyEntries.length) {
        folded.policy = foldCase(values.policy);
        for (const entry of policyEntries) if (stamps[entry] !== stamp) candidates.push(entry);
      }
      for (const entry of unindexed) candidates.push(entry);
      if (candidates.length === 0) return null;
      if (candidates.length > 1) candidates.sort((a, b) => a - b);
      let directive: string | null = null;
      next: for (const entry of candidates) {
        const e = entries[entry]!;
        if (e.engine && e.engine !== engine) continue;
        if (e.prefilter && !containsAny(folded[e.prefilter.field], e.prefilter.anyOf)) continue;
        if (e.directive) {
          directive ??= baseDirective(v.effectiveDirective || directiveName(v.violatedDirective));
          if (e.directive !== directive) continue;
        }
        for (const [field, test] of e.tests) if (!test(values[field])) continue next;
        return e.rule;
      }
      return null;
    },
  };
}

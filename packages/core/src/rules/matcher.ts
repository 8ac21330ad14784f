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

/** Distinct policies (with their violated directive) whose view a matcher keeps. */
const RECENT_POLICIES = 8;
const NONE: readonly number[] = [];

type Field = 'blockedUri' | 'sourceFile' | 'sample' | 'documentUri' | 'policy';
const FIELDS: readonly Field[] = ['blockedUri', 'sourceFile', 'sample', 'documentUri', 'policy'];

interface Entry {
  rule: Rule;
  directive: string;
  engine: EngineFamily | '';
  /** Each field's test; `plain` tests read the field folded to lower case, the others as sent. */
  tests: Array<{ field: Field; test: PatternTest; plain: boolean }>;
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
const COMMON = new Set([
  'htt',
  'ttp',
  'tps',
  'ps:',
  'tp:',
  's:/',
  'p:/',
  '://',
  'www',
  'ww.',
  '.co',
  'com',
  'om/',
  '.js',
  '/js',
  'js/',
  'cdn',
  'api',
  'net',
  '.ne',
  'org',
  '.or',
  'src',
]);

/**
 * The key of the three or four characters ending at a position, kept rolling as a text is read:
 * each character's low eight bits shifted in, so one pass over a text yields both lengths' keys
 * with one shift per character. Characters above U+00FF share keys with others: that only brings
 * a candidate the prefilter drops (literals are ASCII, and every key of theirs is exact).
 */
const rollKey = (key: number, code: number) => ((key << 8) | (code & 0xff)) >>> 0;
const TRIGRAM = 0xffffff;

function pieceKey(text: string, at: number, length: number): number {
  let key = 0;
  for (let i = at; i < at + length; i++) key = rollKey(key, text.charCodeAt(i));
  return length === 4 ? key : key & TRIGRAM;
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
const isCommon = (piece: string) => (piece.length === 3 ? COMMON.has(piece) : COMMON.has(piece.slice(0, 3)) && COMMON.has(piece.slice(1)));

/** Fibonacci hashing: the top `bits` bits of the key times 2^32/φ, spread whatever the key's shape. */
const spread = (key: number, shift: number) => Math.imul(key, 0x9e3779b1) >>> shift;

/**
 * The index of one field and piece length: which matchers each key selects. Most of a text's
 * pieces select nothing, so a bitmap of the keys (about 64 bits per key, at most 32 KB, so that
 * it stays in the CPU's caches; under 2% of absent pieces pass it) answers most of them with one
 * array read. The keys are then found in an open-addressing table: a Map would box keys above
 * 2^30 into heap numbers, one allocation per lookup.
 */
class KeyIndex {
  readonly #bits: Uint8Array;
  readonly #bitShift: number;
  readonly #keys: Uint32Array;
  /** Per slot: 1 + the position of its list in #lists, or 0 when the slot is empty. */
  readonly #slots: Int32Array;
  readonly #slotShift: number;
  readonly #lists: ReadonlyArray<readonly number[]>;

  constructor(map: ReadonlyMap<number, readonly number[]>) {
    let bitCount = 512;
    while (bitCount < map.size * 64 && bitCount < 1 << 18) bitCount *= 2;
    this.#bits = new Uint8Array(bitCount >>> 3);
    this.#bitShift = 32 - Math.log2(bitCount);
    let slotCount = 16;
    while (slotCount < map.size * 4) slotCount *= 2;
    this.#keys = new Uint32Array(slotCount);
    this.#slots = new Int32Array(slotCount);
    this.#slotShift = 32 - Math.log2(slotCount);
    const lists: Array<readonly number[]> = [];
    for (const [key, list] of map) {
      const bit = spread(key, this.#bitShift);
      this.#bits[bit >>> 3]! |= 1 << (bit & 7);
      let slot = spread(key, this.#slotShift);
      while (this.#slots[slot] !== 0) slot = (slot + 1) & (slotCount - 1);
      this.#keys[slot] = key;
      lists.push(list);
      this.#slots[slot] = lists.length;
    }
    this.#lists = lists;
  }

  /** The matchers the key selects, or null. */
  get(key: number): readonly number[] | null {
    const bit = spread(key, this.#bitShift);
    if ((this.#bits[bit >>> 3]! & (1 << (bit & 7))) === 0) return null;
    const mask = this.#keys.length - 1;
    for (let slot = spread(key, this.#slotShift); ; slot = (slot + 1) & mask) {
      const at = this.#slots[slot]!;
      if (at === 0) return null;
      if (this.#keys[slot] === key) return this.#lists[at - 1]!;
    }
  }
}

/** A test of text already folded (`foldCase`) for a pattern that is plain text, or null. */
function plainTest(source: string): PatternTest | null {
  const plain = plainPattern(source);
  if (!plain) return null;
  const { text, atStart, atEnd } = plain;
  if (atStart && atEnd) return (input) => input === text;
  if (atStart) return (input) => input.startsWith(text);
  if (atEnd) return (input) => input.endsWith(text);
  return (input) => input.includes(text);
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
      const tests: Entry['tests'] = [];
      const required: Array<{ field: Field; anyOf: string[] }> = [];
      for (const field of FIELDS) {
        const source = m[field];
        if (!source) continue;
        const plain = plainTest(source);
        let test: PatternTest;
        try {
          test = plain ?? compile(source);
        } catch (error) {
          throw new Error(`rule ${rule.id}: ${field} pattern ${JSON.stringify(source)}: ${(error as Error).message}`);
        }
        tests.push({ field, test, plain: plain !== null });
        const anyOf = requiredAnyOf(source);
        if (anyOf?.every((text) => text.length >= 3)) required.push({ field, anyOf });
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
    return { length, key: pieceKey(literal, at, length), cost };
  };
  const newIndex = (): Record<Field, Map<number, number[]>> => ({
    blockedUri: new Map(),
    sourceFile: new Map(),
    sample: new Map(),
    documentUri: new Map(),
    policy: new Map(),
  });
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
  // Per field: its index of each piece length, and a bitmap of each index's keys, so that most
  // of a text's pieces cost one array read, not a lookup; both lengths are read in one pass. The
  // policy is long and few rules read it: its entries are not scanned for but tried with their
  // prefilter, once per distinct policy (a site sends the same policy with every report).
  const scans: Array<{ field: Field; quads: KeyIndex | null; triples: KeyIndex | null }> = [];
  const policyEntries = [...new Set([...indexes[4].policy.values(), ...indexes[3].policy.values()].flat())].sort((a, b) => a - b);
  for (const field of FIELDS) {
    if (field === 'policy') continue;
    const quads = indexes[4][field].size ? new KeyIndex(indexes[4][field]) : null;
    const triples = indexes[3][field].size ? new KeyIndex(indexes[3][field]) : null;
    if (quads || triples) scans.push({ field, quads, triples });
  }

  const stamps = new Uint32Array(entries.length);
  let stamp = 0;
  const candidates: number[] = [];
  const select = (list: readonly number[]) => {
    for (let j = 0; j < list.length; j++) {
      const entry = list[j]!;
      if (stamps[entry] !== stamp) {
        stamps[entry] = stamp;
        candidates.push(entry);
      }
    }
  };

  const bounded = (value: string) => (value.length > MAX_MATCH_INPUT ? value.slice(0, MAX_MATCH_INPUT) : value);
  const values: Record<Field, string> = { blockedUri: '', sourceFile: '', sample: '', documentUri: '', policy: '' };
  /** The indexed fields of the report being matched, folded once. */
  const folded: Record<Field, string> = { blockedUri: '', sourceFile: '', sample: '', documentUri: '', policy: '' };
  /** The policy is read only when a rule asks for it (few do): no string built per report otherwise. */
  const policyRules = entries.some((e) => e.tests.some((t) => t.field === 'policy'));
  /** The report whose value `folded` holds for each field (scanned fields are folded as they are read). */
  const foldedFor: Record<Field, number> = { blockedUri: 0, sourceFile: 0, sample: 0, documentUri: 0, policy: 0 };
  const foldedValue = (field: Field) => {
    if (foldedFor[field] !== stamp) {
      folded[field] = foldCase(values[field]);
      foldedFor[field] = stamp;
    }
    return folded[field];
  };
  /**
   * The policies (with their violated directive) seen last, replaced in turn: the policy as
   * rules see it, folded, and the policy entries whose prefilter it passes. A site sends the
   * same few policies with every report, and comparing a policy with a few recent ones is
   * cheaper than hashing it (each report's strings are new).
   */
  interface PolicyView {
    directive: string;
    policy: string;
    value: string;
    folded: string;
    passing: number[];
  }
  const recentPolicies: PolicyView[] = [];
  let nextPolicySlot = 0;
  const policyView = (directive: string, policy: string): PolicyView => {
    for (let i = 0; i < recentPolicies.length; i++) {
      const view = recentPolicies[i]!;
      if (view.policy === policy && view.directive === directive) return view;
    }
    const value = bounded(`${directive}\n${policy}`);
    const foldedValue = foldCase(value);
    const view: PolicyView = {
      directive,
      policy,
      value,
      folded: foldedValue,
      passing: policyEntries.filter((entry) => {
        const prefilter = entries[entry]!.prefilter;
        return !prefilter || containsAny(foldedValue, prefilter.anyOf);
      }),
    };
    recentPolicies[nextPolicySlot] = view;
    nextPolicySlot = (nextPolicySlot + 1) % RECENT_POLICIES;
    return view;
  };

  return {
    size: rules.length,
    match(v: Violation, engine: EngineFamily | '' = ''): Rule | null {
      values.blockedUri = bounded(matchBlockedUri(v));
      values.sourceFile = bounded(matchUrl(v.sourceFile));
      values.sample = bounded(v.sample);
      values.documentUri = bounded(v.documentUri);
      let policyPassing: readonly number[] = NONE;
      let policyFolded = '';
      if (policyRules) {
        const view = policyView(v.violatedDirective, v.originalPolicy);
        values.policy = view.value;
        policyPassing = view.passing;
        policyFolded = view.folded;
      }
      stamp = (stamp + 1) >>> 0 || 1;
      if (stamp === 1) {
        stamps.fill(0);
        for (const field of FIELDS) foldedFor[field] = 0;
      }
      if (policyRules) {
        folded.policy = policyFolded;
        foldedFor.policy = stamp;
      }
      candidates.length = 0;
      for (let s = 0; s < scans.length; s++) {
        const { field, quads, triples } = scans[s]!;
        const text = foldedValue(field);
        if (text.length < 3) continue;
        let key = rollKey(rollKey(0, text.charCodeAt(0)), text.charCodeAt(1));
        for (let i = 2; i < text.length; i++) {
          key = rollKey(key, text.charCodeAt(i));
          if (triples) {
            const list = triples.get(key & TRIGRAM);
            if (list) select(list);
          }
          if (quads && i >= 3) {
            const list = quads.get(key);
            if (list) select(list);
          }
        }
      }
      select(policyPassing);
      select(unindexed);
      if (candidates.length === 0) return null;
      // In rule order; the candidates are few, so an insertion sort beats Array#sort's comparator calls.
      for (let i = 1; i < candidates.length; i++) {
        const entry = candidates[i]!;
        let j = i - 1;
        while (j >= 0 && candidates[j]! > entry) {
          candidates[j + 1] = candidates[j]!;
          j--;
        }
        candidates[j + 1] = entry;
      }
      let directive: string | null = null;
      next: for (const entry of candidates) {
        const e = entries[entry]!;
        if (e.engine && e.engine !== engine) continue;
        if (e.prefilter && !containsAny(foldedValue(e.prefilter.field), e.prefilter.anyOf)) continue;
        if (e.directive) {
          directive ??= baseDirective(v.effectiveDirective || directiveName(v.violatedDirective));
          if (e.directive !== directive) continue;
        }
        for (const { field, test, plain } of e.tests) if (!test(plain ? foldedValue(field) : values[field])) continue next;
        return e.rule;
      }
      return null;
    },
  };
}

import { baseDirective, directiveName } from '../directives.js';
import { foldCase, plainPattern, requiredAnyOf } from './literal.js';
/** Patterns see at most this much of a field: bounded work per report, whatever it carries. */
export const MAX_MATCH_INPUT = 4096;
const FIELDS = ['blockedUri', 'sourceFile', 'sample'];
/**
 * Three-character pieces that nearly every URL contains: a rule indexed by one of them would be
 * a candidate for every report, so another piece of its text is chosen when there is one.
 */
const COMMON = new Set(['htt', 'ttp', 'tps', 'ps:', 'tp:', 's:/', 'p:/', '://', 'www', 'ww.', '.co', 'com', 'om/', '.js', '/js', 'js/', 'cdn', 'api', 'net', '.ne', 'org', '.or', 'src']);
function trigramKey(text, i) {
    return ((text.charCodeAt(i) & 0x3ff) << 20) | ((text.charCodeAt(i + 1) & 0x3ff) << 10) | (text.charCodeAt(i + 2) & 0x3ff);
}
/** 2^20 bits: few enough keys that most pieces of a URL miss. */
const BITMAP_BYTES = 1 << 17;
const BITMAP_MASK = BITMAP_BYTES - 1;
function keyBitmap(keys) {
    const bits = new Uint8Array(keys.size ? BITMAP_BYTES : 1);
    for (const key of keys.keys())
        bits[(key >>> 3) & BITMAP_MASK] |= 1 << (key & 7);
    return bits;
}
function plainTest(source) {
    const plain = plainPattern(source);
    if (!plain)
        return null;
    const { text, atStart, atEnd } = plain;
    if (atStart && atEnd)
        return (input) => foldCase(input) === text;
    if (atStart)
        return (input) => foldCase(input.slice(0, text.length + 8)).startsWith(text);
    if (atEnd)
        return (input) => foldCase(input).endsWith(text);
    return (input) => foldCase(input).includes(text);
}
/**
 * Compiles rules into one matcher. Each matcher of each rule is indexed by a three-character
 * piece of text its pattern requires, so a report is only checked against the few rules whose
 * text it contains (plus the rare ones without such text); patterns that are plain text are
 * matched without a regex. Throws (naming the rule) when a pattern does not compile.
 */
export function compileRules(rules, compile) {
    const entries = [];
    // Per matcher: for each field, text of which every match contains one.
    const literals = [];
    for (const rule of rules) {
        for (const m of rule.match) {
            const tests = [];
            const required = [];
            for (const field of FIELDS) {
                const source = m[field];
                if (!source)
                    continue;
                let test;
                try {
                    test = plainTest(source) ?? compile(source);
                }
                catch (error) {
                    throw new Error(`rule ${rule.id}: ${field} pattern ${JSON.stringify(source)}: ${error.message}`);
                }
                tests.push([field, test]);
                const anyOf = requiredAnyOf(source);
                if (anyOf && anyOf.every((text) => text.length >= 3))
                    required.push({ field, anyOf });
            }
            entries.push({ rule, directive: m.directive ? baseDirective(m.directive) : '', tests });
            literals.push(required);
        }
    }
    // How many matchers each piece would select. Each matcher is indexed by the rarest piece of
    // each alternative of one field's required text, choosing the field that costs least (a
    // sample's text beats a blocked URI of `inline`).
    const frequency = new Map();
    for (const required of literals) {
        for (const { field, anyOf } of required) {
            for (const literal of anyOf) {
                for (let i = 0; i + 3 <= literal.length; i++) {
                    const key = `${field}:${literal.slice(i, i + 3)}`;
                    frequency.set(key, (frequency.get(key) ?? 0) + 1);
                }
            }
        }
    }
    const rarest = (field, literal) => {
        let at = 0;
        let cost = Infinity;
        for (let i = 0; i + 3 <= literal.length; i++) {
            const piece = literal.slice(i, i + 3);
            const c = (frequency.get(`${field}:${piece}`) ?? 0) + (COMMON.has(piece) ? 1e6 : 0);
            if (c < cost)
                [at, cost] = [i, c];
        }
        return { key: trigramKey(literal, at), cost };
    };
    const index = { blockedUri: new Map(), sourceFile: new Map(), sample: new Map() };
    const unindexed = [];
    literals.forEach((required, entry) => {
        let best = null;
        for (const { field, anyOf } of required) {
            const pieces = anyOf.map((literal) => rarest(field, literal));
            const cost = pieces.reduce((sum, piece) => sum + piece.cost, 0);
            if (!best || cost < best.cost)
                best = { field, keys: pieces.map((piece) => piece.key), cost };
        }
        if (!best) {
            unindexed.push(entry);
            return;
        }
        for (const key of best.keys) {
            const list = index[best.field].get(key);
            if (!list)
                index[best.field].set(key, [entry]);
            else if (list[list.length - 1] !== entry)
                list.push(entry);
        }
    });
    const indexedFields = FIELDS.filter((field) => index[field].size > 0);
    // A bitmap of the keys in use, so that most of a URL's pieces cost one array read, not a lookup.
    const present = { blockedUri: keyBitmap(index.blockedUri), sourceFile: keyBitmap(index.sourceFile), sample: keyBitmap(index.sample) };
    const stamps = new Uint32Array(entries.length);
    let stamp = 0;
    const candidates = [];
    const bounded = (value) => (value.length > MAX_MATCH_INPUT ? value.slice(0, MAX_MATCH_INPUT) : value);
    const values = { blockedUri: '', sourceFile: '', sample: '' };
    return {
        size: rules.length,
        match(v) {
            values.blockedUri = bounded(v.blockedUri);
            values.sourceFile = bounded(v.sourceFile);
            values.sample = bounded(v.sample);
            stamp = (stamp + 1) >>> 0 || 1;
            if (stamp === 1)
                stamps.fill(0);
            candidates.length = 0;
            for (const field of indexedFields) {
                const value = values[field];
                if (value.length < 3)
                    continue;
                const text = foldCase(value);
                const map = index[field];
                const bits = present[field];
                for (let i = 0; i + 3 <= text.length; i++) {
                    const key = trigramKey(text, i);
                    if ((bits[(key >>> 3) & BITMAP_MASK] & (1 << (key & 7))) === 0)
                        continue;
                    const list = map.get(key);
                    if (!list)
                        continue;
                    for (const entry of list) {
                        if (stamps[entry] !== stamp) {
                            stamps[entry] = stamp;
                            candidates.push(entry);
                        }
                    }
                }
            }
            for (const entry of unindexed)
                candidates.push(entry);
            if (candidates.length === 0)
                return null;
            if (candidates.length > 1)
                candidates.sort((a, b) => a - b);
            let directive = null;
            next: for (const entry of candidates) {
                const e = entries[entry];
                if (e.directive) {
                    directive ??= baseDirective(v.effectiveDirective || directiveName(v.violatedDirective));
                    if (e.directive !== directive)
                        continue;
                }
                for (const [field, test] of e.tests)
                    if (!test(values[field]))
                        continue next;
                return e.rule;
            }
            return null;
        },
    };
}

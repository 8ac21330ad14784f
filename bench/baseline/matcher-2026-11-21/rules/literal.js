/**
 * What a rule pattern says about the text it can match, read without a regex engine: plain
 * text every match must contain (one of a few alternatives; to index rules by), and whether the
 * whole pattern is plain text (to match without a regex). Conservative by construction:
 * anything it does not understand yields less, never a wrong answer.
 */
const QUANTIFIER_START = new Set(['*', '+', '?', '{']);
const METACHAR = new Set(['.', '^', '$', '|', '(', ')', '[', ']', '*', '+', '?', '{', '}', '\\']);
const isAsciiPrintable = (c) => c >= ' ' && c <= '~';
const isWordChar = (c) => /^[A-Za-z0-9]$/.test(c);
/** Index just past the character class that starts at `i` (`[`). */
function skipClass(p, i) {
    let j = i + 1;
    if (p[j] === '^')
        j++;
    if (p[j] === ']')
        j++; // a leading ] is literal
    while (j < p.length && p[j] !== ']') {
        if (p[j] === '\\')
            j++;
        else if (p[j] === '[' && p[j + 1] === ':') {
            const close = p.indexOf(':]', j + 2);
            if (close !== -1)
                j = close + 1;
        }
        j++;
    }
    return j + 1;
}
/** Index just past the group that starts at `i` (`(`). */
function skipGroup(p, i) {
    let depth = 0;
    let j = i;
    while (j < p.length) {
        const c = p[j];
        if (c === '\\')
            j += 2;
        else if (c === '[')
            j = skipClass(p, j);
        else {
            if (c === '(')
                depth++;
            else if (c === ')' && --depth === 0)
                return j + 1;
            j++;
        }
    }
    return j;
}
/**
 * Index just past the escape at `i` (`\`), and the literal character it stands for, or null
 * when it is a class, an anchor or anything else that is not one plain character.
 */
function readEscape(p, i) {
    const d = p[i + 1];
    if (d === undefined)
        return [i + 1, null];
    if (d === 'Q') {
        const end = p.indexOf('\\E', i + 2);
        return [end === -1 ? p.length : end + 2, null];
    }
    if (d === 'p' || d === 'P' || d === 'x') {
        if (p[i + 2] === '{') {
            const close = p.indexOf('}', i + 3);
            return [close === -1 ? p.length : close + 1, null];
        }
        return [d === 'x' ? i + 4 : i + 3, null];
    }
    if (isWordChar(d))
        return [i + 2, null];
    return [i + 2, isAsciiPrintable(d) ? d : null];
}
/** Index past a quantifier at `i`, and the least number of repetitions it allows. */
function readQuantifier(p, i) {
    const c = p[i];
    if (c === undefined || !QUANTIFIER_START.has(c))
        return null;
    let next = i + 1;
    let min = c === '+' ? 1 : 0;
    if (c === '{') {
        const m = /^\{(\d+)(,\d*)?\}/.exec(p.slice(i));
        if (!m)
            return null; // a literal "{" in RE2 when not a valid repeat
        next = i + m[0].length;
        min = Number(m[1]);
    }
    if (p[next] === '?' || p[next] === '+')
        next++; // lazy or possessive marker
    return [next, min];
}
/** The parts of a pattern separated by `|` at its top level. */
function topLevelAlternatives(p) {
    const parts = [];
    let from = 0;
    let i = 0;
    while (i < p.length) {
        const c = p[i];
        if (c === '\\')
            i += 2;
        else if (c === '[')
            i = skipClass(p, i);
        else if (c === '(')
            i = skipGroup(p, i);
        else {
            if (c === '|') {
                parts.push(p.slice(from, i));
                from = i + 1;
            }
            i++;
        }
    }
    parts.push(p.slice(from));
    return parts;
}
/**
 * The content of the group spanning [start, end) when every match of the group must match
 * its content (capturing, non-capturing, named or flag groups); null for lookarounds.
 */
function groupContent(p, start, end) {
    const inner = p.slice(start + 1, end - 1);
    if (!inner.startsWith('?'))
        return inner;
    const named = /^\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(inner);
    if (named)
        return inner.slice(named[0].length);
    const flags = /^\?[a-zA-Z-]*:/.exec(inner);
    if (flags)
        return inner.slice(flags[0].length);
    return null; // (?=, (?!, (?<=, (?<!, or a bare flag group (?i)
}
/** The shortest string of a set: how selective the set is at worst. */
const weakest = (set) => Math.min(...set.map((text) => text.length));
/** The best set of alternatives one top-level sequence (no `|`) requires, or null. */
function sequenceAnyOf(p, depth) {
    const candidates = [];
    let run = '';
    const end = () => {
        if (run)
            candidates.push([run]);
        run = '';
    };
    let i = 0;
    while (i < p.length) {
        const c = p[i];
        let literal = null;
        let group = null;
        let next;
        if (c === '(') {
            next = skipGroup(p, i);
            const content = depth < 8 ? groupContent(p, i, next) : null;
            group = content === null ? null : anyOf(content, depth + 1);
        }
        else if (c === '[')
            next = skipClass(p, i);
        else if (c === '\\')
            [next, literal] = readEscape(p, i);
        else if (c === '.' || c === '^' || c === '$')
            next = i + 1;
        else {
            next = i + 1;
            literal = isAsciiPrintable(c) && !METACHAR.has(c) ? c : null;
        }
        const quantifier = readQuantifier(p, next);
        if (quantifier)
            next = quantifier[0];
        const required = !quantifier || quantifier[1] > 0;
        if (group && required)
            candidates.push(group);
        if (literal === null || !required)
            end();
        else {
            run += literal.toLowerCase();
            if (quantifier)
                end(); // repeated: the text after it need not follow directly
        }
        i = next;
    }
    end();
    let best = null;
    for (const set of candidates) {
        if (!best || weakest(set) > weakest(best) || (weakest(set) === weakest(best) && set.length < best.length))
            best = set;
    }
    return best;
}
function anyOf(p, depth) {
    const parts = topLevelAlternatives(p);
    const sets = [];
    for (const part of parts) {
        const set = sequenceAnyOf(part, depth);
        if (!set)
            return null;
        for (const text of set)
            if (!sets.includes(text))
                sets.push(text);
    }
    return sets;
}
/**
 * Plain text (lower case) of which every match of `pattern` contains at least one: `[".evil.com/"]`
 * for `^https?://([a-z]+\\.)*evil\\.com/`, `["wajam", "social2search"]` for
 * `(wajam|social2search)\\.com`. Null when nothing is known (`\\d+`, `a|.*`).
 */
export function requiredAnyOf(pattern) {
    const set = anyOf(pattern, 0);
    return set && set.length > 0 && set.every((text) => text.length > 0) ? set : null;
}
/** The longest plain text every match contains, when one string says it; "" otherwise. */
export function requiredLiteral(pattern) {
    const set = requiredAnyOf(pattern);
    return set && set.length === 1 ? set[0] : '';
}
/** The pattern as plain text when it is nothing else (`^chrome-extension:`, `\.evil\.com/`, `^inline$`). */
export function plainPattern(pattern) {
    let p = pattern;
    const atStart = p.startsWith('^');
    if (atStart)
        p = p.slice(1);
    const atEnd = p.endsWith('$') && !p.endsWith('\\$');
    if (atEnd)
        p = p.slice(0, -1);
    let text = '';
    for (let i = 0; i < p.length;) {
        const c = p[i];
        let literal;
        if (c === '\\')
            [i, literal] = readEscape(p, i);
        else {
            literal = isAsciiPrintable(c) && !METACHAR.has(c) ? c : null;
            i++;
        }
        if (literal === null || readQuantifier(p, i))
            return null;
        text += literal.toLowerCase();
    }
    return text ? { text, atStart, atEnd } : null;
}
/**
 * Lower-cases text for the plain-text checks the way a case-insensitive RE2 match folds it:
 * `ſ` (long s) and `K` (Kelvin) fold to ASCII letters there.
 */
export function foldCase(value) {
    const lower = value.toLowerCase();
    return lower.indexOf('\u017f') === -1 ? lower : lower.replace(/\u017f/g, 's');
}

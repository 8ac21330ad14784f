/**
 * What a rule pattern says about the text it can match, read without a regex engine: the
 * longest piece of plain text every match must contain (to index rules by), and whether the
 * whole pattern is plain text (to match without a regex). Conservative by construction:
 * anything it does not understand yields less, never a wrong answer.
 */

/** A pattern that is plain text, optionally anchored: matched with string operations. */
export interface PlainPattern {
  text: string;
  atStart: boolean;
  atEnd: boolean;
}

const QUANTIFIER_START = new Set(['*', '+', '?', '{']);
const METACHAR = new Set(['.', '^', '$', '|', '(', ')', '[', ']', '*', '+', '?', '{', '}', '\\']);

const isAsciiPrintable = (c: string) => c >= ' ' && c <= '~';
const isWordChar = (c: string) => /^[A-Za-z0-9]$/.test(c);

/** Index just past the character class that starts at `i` (`[`). */
function skipClass(p: string, i: number): number {
  let j = i + 1;
  if (p[j] === '^') j++;
  if (p[j] === ']') j++; // a leading ] is literal
  while (j < p.length && p[j] !== ']') {
    if (p[j] === '\\') j++;
    else if (p[j] === '[' && p[j + 1] === ':') {
      const close = p.indexOf(':]', j + 2);
      if (close !== -1) j = close + 1;
    }
    j++;
  }
  return j + 1;
}

/** Index just past the group that starts at `i` (`(`). */
function skipGroup(p: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < p.length) {
    const c = p[j];
    if (c === '\\') j += 2;
    else if (c === '[') j = skipClass(p, j);
    else {
      if (c === '(') depth++;
      else if (c === ')' && --depth === 0) return j + 1;
      j++;
    }
  }
  return j;
}

/**
 * Index just past the escape at `i` (`\`), and the literal character it stands for, or null
 * when it is a class, an anchor or anything else that is not one plain character.
 */
function readEscape(p: string, i: number): [next: number, literal: string | null] {
  const d = p[i + 1];
  if (d === undefined) return [i + 1, null];
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
  if (isWordChar(d)) return [i + 2, null];
  return [i + 2, isAsciiPrintable(d) ? d : null];
}

/** Index past a quantifier at `i`, and the least number of repetitions it allows. */
function readQuantifier(p: string, i: number): [next: number, min: number] | null {
  const c = p[i];
  if (c === undefined || !QUANTIFIER_START.has(c)) return null;
  let next = i + 1;
  let min = c === '+' ? 1 : 0;
  if (c === '{') {
    const m = /^\{(\d+)(,\d*)?\}/.exec(p.slice(i));
    if (!m) return null; // a literal "{" in RE2 when not a valid repeat
    next = i + m[0].length;
    min = Number(m[1]);
  }
  if (p[next] === '?' || p[next] === '+') next++; // lazy or possessive marker
  return [next, min];
}

/** Splits the top level of a pattern into runs of required plain text; null if it has a top-level `|`. */
function requiredRuns(p: string): string[] | null {
  const runs: string[] = [];
  let run = '';
  const end = () => {
    if (run) runs.push(run);
    run = '';
  };
  let i = 0;
  while (i < p.length) {
    const c = p[i]!;
    if (c === '|') return null;
    let literal: string | null = null;
    let next: number;
    if (c === '(') next = skipGroup(p, i);
    else if (c === '[') next = skipClass(p, i);
    else if (c === '\\') [next, literal] = readEscape(p, i);
    else if (c === '.' || c === '^' || c === '$') next = i + 1;
    else {
      next = i + 1;
      literal = isAsciiPrintable(c) && !METACHAR.has(c) ? c : null;
    }
    const quantifier = readQuantifier(p, next);
    if (quantifier) next = quantifier[0];
    if (literal === null || (quantifier && quantifier[1] === 0)) end();
    else {
      run += literal.toLowerCase();
      if (quantifier) end(); // repeated: the text after it need not follow directly
    }
    i = next;
  }
  end();
  return runs;
}

/** The longest plain text (lower case) that every match of `pattern` contains; "" when none is known. */
export function requiredLiteral(pattern: string): string {
  const runs = requiredRuns(pattern);
  if (!runs) return '';
  return runs.reduce((best, run) => (run.length > best.length ? run : best), '');
}

/** The pattern as plain text when it is nothing else (`^chrome-extension:`, `\.evil\.com/`, `^inline$`). */
export function plainPattern(pattern: string): PlainPattern | null {
  let p = pattern;
  const atStart = p.startsWith('^');
  if (atStart) p = p.slice(1);
  const atEnd = p.endsWith('$') && !p.endsWith('\\$');
  if (atEnd) p = p.slice(0, -1);
  let text = '';
  for (let i = 0; i < p.length; ) {
    const c = p[i]!;
    let literal: string | null;
    if (c === '\\') [i, literal] = readEscape(p, i);
    else {
      literal = isAsciiPrintable(c) && !METACHAR.has(c) ? c : null;
      i++;
    }
    if (literal === null || readQuantifier(p, i)) return null;
    text += literal.toLowerCase();
  }
  return text ? { text, atStart, atEnd } : null;
}

/**
 * Lower-cases text for the plain-text checks the way a case-insensitive RE2 match folds it:
 * `ſ` (long s) and `K` (Kelvin) fold to ASCII letters there.
 */
export function foldCase(value: string): string {
  const lower = value.toLowerCase();
  // eslint-disable-next-line no-control-regex
  return /[^\u0000-\u007f]/.test(lower) ? lower.replace(/\u017f/g, 's') : lower;
}

/**
 * Whether a pattern is simple enough for a backtracking engine (V8's RegExp) to run in time
 * linear in its input, whatever the input. Conservative: anything it does not recognise is
 * "not simple", and the caller uses a linear-time engine instead.
 *
 * Simple means: anchored at the start (`^`) or without any unbounded repetition; at most one
 * unbounded repetition (`*`, `+`, `{n,}` or a bound over 16); repetitions only of one character,
 * class or `.`; groups only of alternatives of plain text (anchors allowed), at most optional
 * (`?`): a group repeated even a bounded number of times backtracks through every way its
 * alternatives split the text (`(?:a|a){16}b` tries 2^16 ways at each position); no
 * backreferences, lookarounds, RE2-only or POSIX syntax.
 */
export function isBacktrackingSafe(pattern: string): boolean {
  if (pattern.length > 500 || pattern.includes('[:')) return false;
  let unbounded = 0;
  let i = 0;
  const p = pattern;
  const anchored = p.startsWith('^');
  while (i < p.length) {
    const c = p[i]!;
    let atomIsGroup = false;
    if (c === '\\') {
      const d = p[i + 1];
      if (d === undefined) return false;
      // Character escapes and the shared classes only: \1 (backreference), \Q, \z, \p ... are out.
      if (/[A-Za-z0-9]/.test(d) && !'dDwWsSbBnrtf'.includes(d)) return false;
      i += 2;
    } else if (c === '[') {
      const end = classEnd(p, i);
      if (end === -1) return false;
      i = end;
    } else if (c === '(') {
      const end = p.indexOf(')', i);
      if (end === -1) return false;
      let inner = p.slice(i + 1, end);
      if (inner.startsWith('?:')) inner = inner.slice(2);
      else if (inner.startsWith('?')) return false; // lookarounds, named groups, flags
      // Alternatives of plain text: letters, digits, escaped punctuation and the anchors `^` and
      // `$` (zero-width: `(:|$)` is a colon or the end).
      if (!/^(?:[A-Za-z0-9_\-/:%=&,^$]|\\[^A-Za-z0-9])*(?:\|(?:[A-Za-z0-9_\-/:%=&,^$]|\\[^A-Za-z0-9])*)*$/.test(inner)) return false;
      i = end + 1;
      atomIsGroup = true;
    } else if (c === ')' || c === '*' || c === '+' || c === '?' || c === '{') {
      return false; // stray: not a shape this check knows
    } else i++;

    const quantifier = /^(?:[*+?]|\{(\d+)(?:,(\d*))?\})[?+]?/.exec(p.slice(i));
    if (!quantifier) continue;
    i += quantifier[0].length;
    const q = quantifier[0][0];
    const max =
      q === '?'
        ? 1
        : q === '{'
          ? quantifier[2] === undefined
            ? Number(quantifier[1])
            : quantifier[2] === ''
              ? Infinity
              : Number(quantifier[2])
          : Infinity;
    if (atomIsGroup && max > 1) return false;
    if (max > 16) unbounded++;
  }
  return unbounded === 0 || (anchored && unbounded === 1);
}

/** Index past the class starting at `i`, or -1 when it does not end. */
function classEnd(p: string, i: number): number {
  let j = i + 1;
  if (p[j] === '^') j++;
  if (p[j] === ']') j++;
  while (j < p.length && p[j] !== ']') j += p[j] === '\\' ? 2 : 1;
  return j < p.length ? j + 1 : -1;
}

import { describe, expect, it } from 'vitest';
import { foldCase, plainPattern, requiredAnyOf, requiredLiteral } from './literal.js';

describe('requiredLiteral', () => {
  it.each([
    ['^https?://([a-z0-9-]+\\.)*evil\\.com/', 'evil.com/'],
    ['kaspersky-labs\\.com', 'kaspersky-labs.com'],
    ['^chrome-extension:', 'chrome-extension:'],
    ['coin-?hive\\.com', 'hive.com'],
    ['ab+cdef', 'cdef'],
    ['a{0,3}bcd', 'bcd'],
    ['x{2}yz', 'yz'],
    ['[a-z]+\\.EXAMPLE\\.org', '.example.org'],
    ['\\d+\\.\\d+\\.\\d+', '.'],
    ['evil|bad', ''],
    ['(evil|bad)\\.com', '.com'],
    ['\\Qa.b\\E', ''],
    ['(?i)Tracker', 'tracker'],
  ])('%s -> %j', (pattern, literal) => {
    expect(requiredLiteral(pattern)).toBe(literal);
  });

  it('names only text that every match contains (checked against the engine on generated cases)', () => {
    const atoms = ['a', 'b', '\\.', 'ab', '(a|b)', '[ab]', '.', 'c', '(ab|ca)', '(?:bc|a.)', '(?=a)', '(a|)'];
    const quantifiers = ['', '', '?', '*', '+', '{0,2}', '{1,2}'];
    const inputs = ['', 'a', 'b', 'ab', 'abc', 'a.b', 'cab.', 'bbb', 'aab.c', 'c.c', 'abab', 'ca.bc'];
    let seed = 7;
    const pick = <T>(list: readonly T[]) => list[(seed = (seed * 1103515245 + 12345) % 2147483648) % list.length]!;
    for (let n = 0; n < 2000; n++) {
      const length = 1 + (n % 5);
      let pattern = n % 3 === 0 ? '^' : '';
      for (let i = 0; i < length; i++) pattern += pick(atoms) + pick(quantifiers);
      const full = n % 2 ? pattern : `${pattern}|${pick(atoms)}${pick(atoms)}`;
      const anyOf = requiredAnyOf(full) ?? [''];
      const re = new RegExp(full, 'i');
      for (const input of inputs) {
        if (re.test(input))
          expect(
            anyOf.some((text) => input.toLowerCase().includes(text)),
            `${re.source} on ${input}: ${anyOf}`,
          ).toBe(true);
      }
    }
  });
});

describe('requiredAnyOf', () => {
  it.each([
    ['(wajam|social2search|searchawesome)\\.(com|net)', ['wajam', 'social2search', 'searchawesome']],
    ['^https://(translate\\.googleapis\\.com|translate\\.google\\.com)/', ['translate.googleapis.com', 'translate.google.com']],
    ['^(?:chrome|moz)-extension:', ['-extension:']],
    ['evil|bad', ['evil', 'bad']],
    ['(?P<host>tracker)\\.', ['tracker']],
    ['(?=evil)x', ['x']],
    ['evil|.*', null],
    ['(a|)bc', ['bc']],
  ])('%s -> %j', (pattern, anyOf) => {
    expect(requiredAnyOf(pattern)).toEqual(anyOf);
  });
});

describe('plainPattern', () => {
  it.each([
    ['^chrome-extension:', { text: 'chrome-extension:', atStart: true, atEnd: false }],
    ['^inline$', { text: 'inline', atStart: true, atEnd: true }],
    ['\\.evil\\.com/', { text: '.evil.com/', atStart: false, atEnd: false }],
    ['\\.js$', { text: '.js', atStart: false, atEnd: true }],
  ])('%s is plain text', (pattern, plain) => {
    expect(plainPattern(pattern)).toEqual(plain);
  });

  it.each(['a+b', 'evil.com', '^(a)', 'a|b', '[a]', '\\d', 'ab?', ''])('%s is not', (pattern) => {
    expect(plainPattern(pattern)).toBeNull();
  });
});

describe('foldCase', () => {
  it('folds as a case-insensitive match does', () => {
    expect(foldCase('EVIL.Com')).toBe('evil.com');
    expect(foldCase('\u017fcript')).toBe('script');
  });
});

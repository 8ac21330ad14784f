import { describe, expect, it } from 'vitest';
import { foldCase, plainPattern, requiredLiteral } from './literal.js';

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
    const atoms = ['a', 'b', '\\.', 'ab', '(a|b)', '[ab]', '.', 'c'];
    const quantifiers = ['', '', '?', '*', '+', '{0,2}', '{1,2}'];
    const inputs = ['', 'a', 'b', 'ab', 'abc', 'a.b', 'cab.', 'bbb', 'aab.c', 'c.c', 'abab', 'ca.bc'];
    let seed = 7;
    const pick = <T>(list: readonly T[]) => list[(seed = (seed * 1103515245 + 12345) % 2147483648) % list.length]!;
    for (let n = 0; n < 2000; n++) {
      const length = 1 + (n % 5);
      let pattern = n % 3 === 0 ? '^' : '';
      for (let i = 0; i < length; i++) pattern += pick(atoms) + pick(quantifiers);
      const literal = requiredLiteral(pattern);
      const re = new RegExp(pattern, 'i');
      for (const input of inputs) {
        if (re.test(input)) expect(input.toLowerCase(), `${pattern} on ${input}`).toContain(literal);
      }
    }
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

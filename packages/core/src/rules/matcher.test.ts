import { describe, expect, it } from 'vitest';
import { emptyViolation, type Violation } from '../violation.js';
import { compileRules, MAX_MATCH_INPUT } from './matcher.js';
import type { Rule, RuleMatch } from './rule.js';

const v8 = (source: string) => {
  const re = new RegExp(source, 'i');
  return (input: string) => re.test(input);
};

function rule(id: string, match: Array<Partial<RuleMatch>>, extra: Partial<Rule> = {}): Rule {
  return {
    id,
    cause: 'extension',
    title: id,
    shortDescription: '',
    longDescription: '',
    ignore: false,
    origin: 'global',
    references: [],
    match: match.map((m) => ({ blockedUri: '', directive: '', sourceFile: '', sample: '', documentUri: '', policy: '', engine: '', ...m })),
    ...extra,
  };
}

const violation = (fields: Partial<Violation>): Violation => ({ ...emptyViolation(), ...fields });

describe('compileRules', () => {
  const rules = [
    rule('ext', [{ blockedUri: '^chrome-extension:' }]),
    rule('kaspersky', [{ blockedUri: '^https?://[a-z0-9.-]*\\.kaspersky-labs\\.com/', directive: 'script-src' }]),
    rule('eval-sample', [{ blockedUri: '^eval$', sample: 'grammarly' }]),
    rule('source', [{ sourceFile: '^moz-extension:' }]),
    rule('short', [{ blockedUri: '^ws:' }]),
  ];
  const matcher = compileRules(rules, v8);
  const idOf = (fields: Partial<Violation>) => matcher.match(violation(fields))?.id ?? null;

  it('matches blocked URIs case-insensitively and anywhere unless anchored', () => {
    expect(idOf({ blockedUri: 'chrome-extension://abcdef/x.js' })).toBe('ext');
    expect(idOf({ blockedUri: 'CHROME-EXTENSION://ABC' })).toBe('ext');
    expect(idOf({ blockedUri: 'https://a.test/chrome-extension:' })).toBeNull();
  });

  it('treats -elem and -attr directives as their base directive', () => {
    const url = 'https://gc.kis.v2.scr.kaspersky-labs.com/abc/main.js';
    expect(idOf({ blockedUri: url, effectiveDirective: 'script-src-elem' })).toBe('kaspersky');
    expect(idOf({ blockedUri: url, effectiveDirective: 'script-src' })).toBe('kaspersky');
    expect(idOf({ blockedUri: url, violatedDirective: "script-src 'self'" })).toBe('kaspersky');
    expect(idOf({ blockedUri: url, effectiveDirective: 'img-src' })).toBeNull();
  });

  it('needs every pattern of a matcher to match', () => {
    expect(idOf({ blockedUri: 'eval', sample: 'window.Grammarly = 1' })).toBe('eval-sample');
    expect(idOf({ blockedUri: 'eval', sample: 'window.other = 1' })).toBeNull();
    expect(idOf({ blockedUri: 'inline', sourceFile: 'moz-extension://x/content.js' })).toBe('source');
  });

  it('matches rules without indexable text too', () => {
    expect(idOf({ blockedUri: 'ws://evil.test/' })).toBe('short');
  });

  it('returns the first matching rule in the order given', () => {
    const first = compileRules([rule('custom', [{ blockedUri: 'evil' }]), rule('global', [{ blockedUri: '\\.evil\\.' }])], v8);
    expect(first.match(violation({ blockedUri: 'https://x.evil.test/' }))?.id).toBe('custom');
  });

  it('only shows the patterns the first MAX_MATCH_INPUT characters', () => {
    const far = compileRules([rule('far', [{ blockedUri: 'needle' }])], v8);
    expect(far.match(violation({ blockedUri: `${'x'.repeat(MAX_MATCH_INPUT)}needle` }))).toBeNull();
    expect(far.match(violation({ blockedUri: `${'x'.repeat(MAX_MATCH_INPUT - 6)}needle` }))?.id).toBe('far');
  });

  it('names the rule whose pattern does not compile', () => {
    expect(() => compileRules([rule('broken', [{ blockedUri: '(' }])], v8)).toThrow(/rule broken: blockedUri pattern "\("/);
  });

  it('agrees with checking every rule in order, on many rules and reports', () => {
    const many: Rule[] = [];
    for (let i = 0; i < 300; i++) {
      const host = `host${i}`;
      const shapes = [`^https?://([a-z0-9-]+\\.)*${host}\\.test/`, `${host}\\.test`, `^${host}`, `(${host}|x${i})\\.`, `[0-9]+${host}`];
      many.push(rule(`r${i}`, [{ blockedUri: shapes[i % shapes.length]!, directive: i % 7 === 0 ? 'img-src' : '' }]));
    }
    const compiled = compileRules(many, v8);
    const tests = many.map((r) => ({ r, test: v8(r.match[0]!.blockedUri) }));
    for (let n = 0; n < 3000; n++) {
      const i = (n * 7919) % 330;
      const blockedUri = [`https://cdn.host${i}.test/a.js`, `host${i}`, `x${i}.y`, `9host${i}`, `https://other.test/host${i}`][n % 5]!;
      const effectiveDirective = n % 2 ? 'img-src' : 'script-src-elem';
      const expected =
        tests.find(
          ({ r, test }) => (!r.match[0]!.directive || r.match[0]!.directive === (n % 2 ? 'img-src' : 'script-src')) && test(blockedUri),
        )?.r.id ?? null;
      expect(compiled.match(violation({ blockedUri, effectiveDirective }))?.id ?? null, blockedUri).toBe(expected);
    }
  });
});

describe('what rules see', () => {
  const compile = (source: string) => {
    const re = new RegExp(source, 'i');
    return (input: string) => re.test(input);
  };
  const base = {
    documentUri: 'https://shop.test/cart',
    referrer: '',
    effectiveDirective: 'script-src-elem',
    violatedDirective: '',
    originalPolicy: '',
    disposition: 'report',
    sourceFile: '',
    lineNumber: 0,
    columnNumber: 0,
    statusCode: 200,
    sample: '',
  };

  it("matches Chromium's bare scheme as scheme: (chrome-extension for chrome-extension://...)", () => {
    const matcher = compileRules([rule('ext.any', [{ blockedUri: '^chrome-extension:' }])], compile);
    expect(matcher.match({ ...base, blockedUri: 'chrome-extension' })?.id).toBe('ext.any');
    expect(matcher.match({ ...base, blockedUri: 'chrome-extension://abc/x.js' })?.id).toBe('ext.any');
    expect(matcher.match({ ...base, blockedUri: 'https://chrome-extension.test/' })).toBeNull();
  });

  it('matches the extension in the source file while the blocked URI is an ordinary URL', () => {
    const matcher = compileRules([rule('ext.any', [{ sourceFile: '^moz-extension:' }])], compile);
    expect(matcher.match({ ...base, blockedUri: 'https://api.test/x', sourceFile: 'moz-extension' })?.id).toBe('ext.any');
  });

  it("reads old Firefox's self and an empty blocked URI with a sample as inline", () => {
    const matcher = compileRules([rule('ext.lastpass', [{ blockedUri: '^inline$', sample: 'lastpass' }])], compile);
    expect(matcher.match({ ...base, blockedUri: 'self', sample: 'window.lastpass = 1' })?.id).toBe('ext.lastpass');
    expect(matcher.match({ ...base, blockedUri: '', sample: 'window.lastpass = 1' })?.id).toBe('ext.lastpass');
  });

  it('matches the document, and an engine only when the report came from it', () => {
    const matcher = compileRules(
      [
        rule('browser.view-source', [{ documentUri: '^view-source:' }]),
        rule('browser.firefox-only', [{ blockedUri: '^resource:', engine: 'firefox' }]),
      ],
      compile,
    );
    expect(matcher.match({ ...base, blockedUri: 'inline', documentUri: 'view-source:https://shop.test/' })?.id).toBe('browser.view-source');
    expect(matcher.match({ ...base, blockedUri: 'resource://gre/x.css' }, 'firefox')?.id).toBe('browser.firefox-only');
    expect(matcher.match({ ...base, blockedUri: 'resource://gre/x.css' }, 'chromium')).toBeNull();
    expect(matcher.match({ ...base, blockedUri: 'resource://gre/x.css' })).toBeNull();
  });
});

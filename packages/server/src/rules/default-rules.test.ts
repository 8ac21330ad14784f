import { readFileSync } from 'node:fs';
import { emptyViolation, parseRulesFile, type Violation } from '@csp-observer/core';
import { describe, expect, it } from 'vitest';
import { compileRuleSet, usableRules } from './rule-compiler.js';
import { BUNDLED_RULES } from './rules-source.js';

const parsed = parseRulesFile(JSON.parse(readFileSync(BUNDLED_RULES, 'utf8')));
const matcher = compileRuleSet(parsed.rules);
const idOf = (fields: Partial<Violation>) => matcher.match({ ...emptyViolation(), effectiveDirective: 'script-src-elem', ...fields })?.id ?? null;

describe('the default rules file', () => {
  it('is read and compiled whole: no rule refused', () => {
    expect(parsed.rejected).toEqual([]);
    expect(usableRules(parsed.rules).rejected).toEqual([]);
    expect(parsed.rules.length).toBeGreaterThanOrEqual(30);
  });

  it('describes every rule for a visitor', () => {
    for (const rule of parsed.rules) {
      expect(rule.title.length, rule.id).toBeGreaterThan(3);
      expect(rule.shortDescription.length, rule.id).toBeGreaterThan(20);
      expect(rule.longDescription.length, rule.id).toBeGreaterThan(60);
      expect(rule.id.startsWith(`${rule.cause === 'extension' ? 'ext' : rule.cause}.`), rule.id).toBe(true);
    }
  });

  it.each([
    ['chrome-extension://abcdefghijklmnop/content.js', 'ext.chromium'],
    ['chrome-extension://aeblfdkhhhdcdjpifhhbdiojplfjncoa/inline/menu.js', 'ext.1password'],
    ['moz-extension://1234-5678/inject.js', 'ext.firefox'],
    ['webkit-masked-url://hidden/', 'ext.safari'],
    ['https://gc.kis.v2.scr.kaspersky-labs.com/FD126C42/main.js', 'other.kaspersky'],
    ['https://coinhive.com/lib/coinhive.min.js', 'malware.cryptominer'],
    ['https://translate.googleapis.com/translate_static/js/element/main.js', 'browser.translate'],
    ['https://connect.facebook.net/en_US/pcm.js', 'browser.facebook-in-app'],
    ['about', 'browser.internal'],
    ['http://1.2.3.4/bmi-int-js/bmi.js', 'other.isp-bytemobile'],
    ['https://www.baways.com/cdn.js', 'malware.card-skimmer'],
    ['https://cdn.shop.test/app.js', null],
    ['inline', null],
    ['eval', null],
  ])('%s -> %s', (blockedUri, id) => {
    expect(idOf({ blockedUri })).toBe(id);
  });

  it('recognizes extensions by the source file of an inline violation too', () => {
    expect(idOf({ blockedUri: 'inline', sourceFile: 'moz-extension://abc/content.js' })).toBe('ext.firefox');
    expect(idOf({ blockedUri: 'inline', effectiveDirective: 'style-src-elem', sample: '.darkreader { color: red }' })).toBe('ext.dark-reader');
  });
});

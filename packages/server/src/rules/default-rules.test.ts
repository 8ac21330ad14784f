import { readFileSync } from 'node:fs';
import { emptyViolation, parseRulesFile, type Violation } from '@csp-observer/core';
import { describe, expect, it } from 'vitest';
import { compileRuleSet, usableRules } from './rule-compiler.js';
import { BUNDLED_RULES } from './rules-source.js';

const parsed = parseRulesFile(JSON.parse(readFileSync(BUNDLED_RULES, 'utf8')));
const matcher = compileRuleSet(parsed.rules);
const idOf = (fields: Partial<Violation>) =>
  matcher.match({ ...emptyViolation(), effectiveDirective: 'script-src-elem', ...fields })?.id ?? null;

describe('the default rules file', () => {
  it('is read and compiled whole: no rule refused', () => {
    expect(parsed.rejected).toEqual([]);
    expect(usableRules(parsed.rules).rejected).toEqual([]);
    expect(parsed.rules.length).toBeGreaterThanOrEqual(30);
  });

  it('holds several hundred rules, each citing its source under a license that allows shipping it', () => {
    expect(parsed.rules.length).toBeGreaterThanOrEqual(300);
    const allowed = new Set(['MIT', 'BSD-3-Clause', 'Apache-2.0', 'CC0-1.0', 'CC-BY-4.0', 'MPL-2.0']);
    for (const rule of parsed.rules) {
      expect(rule.source, rule.id).toBeDefined();
      expect(allowed.has(rule.source!.license), `${rule.id}: ${rule.source!.license}`).toBe(true);
      expect(rule.source!.url, rule.id).toMatch(/^https:\/\//);
    }
  });

  it('names each cause once: a title never repeats the label the visitor reads beside it', () => {
    // The scan page shows "Browser extension" beside the title: "Grammarly", not "Grammarly extension".
    for (const rule of parsed.rules.filter((r) => r.cause === 'extension'))
      expect(rule.title, rule.id).not.toMatch(/\b(browser )?extension$|\bextension browser extension/i);
  });

  it('describes every rule for a visitor', () => {
    for (const rule of parsed.rules) {
      expect(rule.title.length, rule.id).toBeGreaterThan(2);
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
  ])('%s -> %s', (blockedUri, id) => {
    expect(idOf({ blockedUri })).toBe(id);
  });

  it("leaves the site's own eval unexplained, and puts an eval without a source file (an in-app browser's) on the browser", () => {
    expect(idOf({ blockedUri: 'eval', effectiveDirective: 'script-src', sourceFile: 'https://shop.test/app.js' })).toBeNull();
    expect(idOf({ blockedUri: 'eval', effectiveDirective: 'script-src', sourceFile: 'https://shop.test/cart' })).toBeNull();
    expect(idOf({ blockedUri: 'eval', effectiveDirective: 'script-src' })).toBe('browser.injected-eval');
  });

  it("matches Chromium's bare extension scheme, and the extension in a sample", () => {
    expect(idOf({ blockedUri: 'chrome-extension' })).toBe('ext.chromium');
    expect(idOf({ blockedUri: 'moz-extension', effectiveDirective: 'img-src' })).toBe('ext.firefox');
    expect(idOf({ blockedUri: 'inline', effectiveDirective: 'style-src-attr', sample: 'background: url(moz-extension://9c1/x.png)' })).toBe(
      'ext.url-in-sample',
    );
  });

  it('knows a heuristic by shape: a private address with a port', () => {
    expect(idOf({ blockedUri: 'http://10.237.69.146:15871/x' })).toBe('other.private-address-port');
    expect(idOf({ blockedUri: 'https://172.20.0.3:8443' })).toBe('other.private-address-port');
    expect(idOf({ blockedUri: 'http://192.168.1.1/' })).toBeNull();
    expect(idOf({ blockedUri: 'http://172.32.0.1:80/' })).toBeNull();
    expect(idOf({ blockedUri: 'mxjscall' })).toBe('browser.maxthon');
  });

  it('recognizes extensions by the source file of an inline violation too', () => {
    expect(idOf({ blockedUri: 'inline', sourceFile: 'moz-extension://abc/content.js' })).toBe('ext.firefox');
    expect(idOf({ blockedUri: 'inline', effectiveDirective: 'style-src-elem', sample: '.darkreader { color: red }' })).toBe(
      'ext.dark-reader',
    );
  });
});

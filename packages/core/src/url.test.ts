import { describe, expect, it } from 'vitest';
import { isExtensionUrl, scrubUrls, stripQuery, withoutDefaultPort } from './url.js';

describe('stripQuery', () => {
  it.each([
    ['https://a.test/p?token=secret#frag', 'https://a.test/p'],
    ['https://a.test/p#frag', 'https://a.test/p'],
    ['/relative?x=1', '/relative'],
    ['inline', 'inline'],
    ['', ''],
  ])('%s -> %s', (input, output) => expect(stripQuery(input)).toBe(output));
});

describe('scrubUrls', () => {
  it('strips queries of every absolute URL in a JSON text and nothing else', () => {
    const raw = JSON.stringify({
      'document-uri': 'https://shop.test/reset?token=abc&mail=a%40b.c',
      'blocked-uri': 'wss://live.test/socket?sid=1',
      'script-sample': 'fetch("/api?x=1")',
      'original-policy': "script-src 'self'; report-uri /csp/report/T",
    });
    expect(JSON.parse(scrubUrls(raw))).toEqual({
      'document-uri': 'https://shop.test/reset',
      'blocked-uri': 'wss://live.test/socket',
      'script-sample': 'fetch("/api?x=1")',
      'original-policy': "script-src 'self'; report-uri /csp/report/T",
    });
  });
});

describe('scrubUrls on JSON that escapes slashes (issue 21, item 8)', () => {
  it('strips the query of https:\\/\\/... URLs, whole, and keeps the JSON valid', () => {
    const raw = String.raw`{"csp-report":{"document-uri":"https:\/\/shop.test\/reset?token=abc\/def&mail=a%40b.c","blocked-uri":"https:\/\/cdn.test\/x.js\u003fsid=9\u0026k=2","referrer":"http:\/\/ref.test\/#frag"}}`;
    expect(JSON.parse(scrubUrls(raw))).toEqual({
      'csp-report': { 'document-uri': 'https://shop.test/reset', 'blocked-uri': 'https://cdn.test/x.js', referrer: 'http://ref.test/' },
    });
  });
});

describe('isExtensionUrl', () => {
  it.each([
    ['chrome-extension://abcdef/content.js', true],
    ['moz-extension', true],
    ['safari-web-extension://x/y.js', true],
    ['https://chrome-extension.test/', false],
    ['inline', false],
  ])('%s -> %s', (value, expected) => expect(isExtensionUrl(value)).toBe(expected));
});

describe('withoutDefaultPort', () => {
  it.each([
    // WebKit's event on an HTTPS page, and its report-uri body of the same violation.
    ['https://coinhive.com:443/lib/coinhive.min.js', 'https://coinhive.com/lib/coinhive.min.js'],
    ['https://coinhive.com/lib/coinhive.min.js', 'https://coinhive.com/lib/coinhive.min.js'],
    ['http://a.test:80', 'http://a.test'],
    ['HTTP://a.test:80/?q', 'HTTP://a.test/?q'],
    ['wss://a.test:443#f', 'wss://a.test#f'],
    ['https://[::1]:443/x', 'https://[::1]/x'],
    ['https://user:pw@a.test:443/', 'https://user:pw@a.test/'],
    // Not a default port, or not the scheme's.
    ['https://a.test:8443/', 'https://a.test:8443/'],
    ['http://a.test:443/', 'http://a.test:443/'],
    ['https://a.test:80/', 'https://a.test:80/'],
    ['https://a.test:4430/', 'https://a.test:4430/'],
    // Keywords and other schemes.
    ['inline', 'inline'],
    ['chrome-extension', 'chrome-extension'],
    ['moz-extension://abc:443/x', 'moz-extension://abc:443/x'],
    ['', ''],
  ])('%s -> %s', (input, expected) => {
    expect(withoutDefaultPort(input)).toBe(expected);
  });
});

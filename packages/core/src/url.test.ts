import { describe, expect, it } from 'vitest';
import { isExtensionUrl, scrubUrls, stripQuery } from './url.js';

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

describe('isExtensionUrl', () => {
  it.each([
    ['chrome-extension://abcdef/content.js', true],
    ['moz-extension', true],
    ['safari-web-extension://x/y.js', true],
    ['https://chrome-extension.test/', false],
    ['inline', false],
  ])('%s -> %s', (value, expected) => expect(isExtensionUrl(value)).toBe(expected));
});

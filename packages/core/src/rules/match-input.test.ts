import { describe, expect, it } from 'vitest';
import { matchBlockedUri, matchUrl } from './match-input.js';

describe('matchUrl', () => {
  it.each([
    // Chromium strips non-http URLs to their scheme.
    ['chrome-extension', 'chrome-extension:'],
    ['moz-extension', 'moz-extension:'],
    ['ms-browser-extension', 'ms-browser-extension:'],
    ['safari-web-extension', 'safari-web-extension:'],
    ['data', 'data:'],
    ['android-webview-video-poster', 'android-webview-video-poster:'],
    // Full URLs and keywords pass unchanged.
    ['chrome-extension://abc/content.js', 'chrome-extension://abc/content.js'],
    ['https://cdn.test/a.js', 'https://cdn.test/a.js'],
    ['inline', 'inline'],
    ['eval', 'eval'],
    ['wasm-eval', 'wasm-eval'],
    ['', ''],
  ])('%s -> %s', (input, expected) => {
    expect(matchUrl(input)).toBe(expected);
  });
});

describe('matchBlockedUri', () => {
  it('reads every spelling of inline code as inline', () => {
    expect(matchBlockedUri({ blockedUri: 'inline', sample: 'x' })).toBe('inline');
    // Old Firefox.
    expect(matchBlockedUri({ blockedUri: 'self', sample: 'x' })).toBe('inline');
    // Old browsers: nothing, with a sample.
    expect(matchBlockedUri({ blockedUri: '', sample: 'window.__lpform' })).toBe('inline');
    expect(matchBlockedUri({ blockedUri: '', sample: '' })).toBe('');
    expect(matchBlockedUri({ blockedUri: 'chrome-extension', sample: '' })).toBe('chrome-extension:');
  });
});

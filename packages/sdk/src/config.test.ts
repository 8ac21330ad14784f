// @vitest-environment happy-dom
import { EN_POPUP_STRINGS, POPUP_STRINGS } from '@csp-observer/core';
import { describe, expect, it } from 'vitest';
import { configFromScript, resolveConfig } from './config.js';

// The page is https://site.example/page (vitest.config.ts).

/** The SDK's tag as the server writes it (page-middleware.ts), not attached: nothing loads. */
function sdkTag(attributes: Record<string, string>, nonce = ''): HTMLScriptElement {
  const script = document.createElement('script');
  for (const [name, value] of Object.entries(attributes)) script.setAttribute(name, value);
  // Browsers expose the nonce as a property only (the attribute is hidden once connected); happy-dom has neither.
  Object.defineProperty(script, 'nonce', { value: nonce });
  return script;
}

describe('resolveConfig (init)', () => {
  it('fills in the defaults: popup always, English, no nonce', () => {
    expect(resolveConfig({ token: 'tok', endpoint: '/csp' })).toEqual({
      token: 'tok',
      endpoint: '/csp',
      popup: 'always',
      strings: EN_POPUP_STRINGS,
      nonce: '',
    });
  });

  it.each([
    ['no token', { endpoint: '/csp' }],
    ['an empty token', { token: '', endpoint: '/csp' }],
    ['a token that is not a string', { token: 42, endpoint: '/csp' }],
  ])('is null with %s (nothing can be sent)', (_, init) => {
    expect(resolveConfig(init as never)).toBeNull();
  });

  it('is null without options at all', () => {
    expect(resolveConfig(undefined as never)).toBeNull();
  });

  it('drops one trailing slash of the endpoint', () => {
    expect(resolveConfig({ token: 't', endpoint: 'https://collector.example/csp/' })?.endpoint).toBe('https://collector.example/csp');
    expect(resolveConfig({ token: 't', endpoint: undefined as never })?.endpoint).toBe('');
  });

  it.each(['always', 'minimized', 'off'] as const)('keeps popup mode %s', (popup) => {
    expect(resolveConfig({ token: 't', endpoint: '/csp', popup })?.popup).toBe(popup);
  });

  it('takes an unknown popup mode as always', () => {
    expect(resolveConfig({ token: 't', endpoint: '/csp', popup: 'sometimes' as never })?.popup).toBe('always');
  });

  it('lays given strings over English, ignoring empty and non-string ones', () => {
    const strings = resolveConfig({
      token: 't',
      endpoint: '/csp',
      strings: { clean: 'Alles gut', close: '', problem: 1 as never },
    })!.strings;
    expect(strings).toEqual({ ...EN_POPUP_STRINGS, clean: 'Alles gut' });
  });
});

describe('configFromScript (the script tag)', () => {
  it('is null without a script (document.currentScript was null)', () => {
    expect(configFromScript(null)).toBeNull();
  });

  it('reads the session, endpoint, popup mode, strings and nonce of the tag', () => {
    const tag = sdkTag(
      {
        src: '/csp/sdk.js',
        'data-session': 'tok.en',
        'data-endpoint': '/csp',
        'data-popup': 'minimized',
        'data-strings': JSON.stringify(POPUP_STRINGS.de),
      },
      'n0nce',
    );
    expect(configFromScript(tag)).toEqual({
      token: 'tok.en',
      endpoint: '/csp',
      popup: 'minimized',
      strings: POPUP_STRINGS.de,
      nonce: 'n0nce',
    });
  });

  it('is null without data-session', () => {
    expect(configFromScript(sdkTag({ src: '/csp/sdk.js', 'data-endpoint': '/csp' }))).toBeNull();
  });

  it("defaults the endpoint to the script's folder, query and all", () => {
    expect(configFromScript(sdkTag({ src: '/csp/sdk.js?v=3', 'data-session': 't' }))?.endpoint).toBe('https://site.example/csp');
    expect(configFromScript(sdkTag({ src: 'https://collector.example/csp/sdk.js', 'data-session': 't' }))?.endpoint).toBe(
      'https://collector.example/csp',
    );
  });

  it('keeps English when data-strings is not JSON', () => {
    expect(configFromScript(sdkTag({ src: '/csp/sdk.js', 'data-session': 't', 'data-strings': '{"clean":' }))?.strings).toEqual(
      EN_POPUP_STRINGS,
    );
  });

  it('overrides only the words data-strings gives', () => {
    const config = configFromScript(
      sdkTag({ src: '/csp/sdk.js', 'data-session': 't', 'data-strings': '{"clean":"Rien à signaler","bogus":"x"}' }),
    );
    expect(config?.strings).toEqual({ ...EN_POPUP_STRINGS, clean: 'Rien à signaler' });
  });

  it('takes a missing or unknown data-popup as always', () => {
    expect(configFromScript(sdkTag({ src: '/csp/sdk.js', 'data-session': 't' }))?.popup).toBe('always');
    expect(configFromScript(sdkTag({ src: '/csp/sdk.js', 'data-session': 't', 'data-popup': 'OFF' }))?.popup).toBe('always');
  });
});

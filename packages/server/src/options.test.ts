import { describe, expect, it } from 'vitest';
import { OptionsError, resolveOptions, type CspObserverOptions } from './options.js';

const SECRET = 'options-test-secret-0123456789';
const resolve = (options: Partial<CspObserverOptions>) => resolveOptions({ secret: SECRET, ...options });
const refusal = (options: Partial<CspObserverOptions>) => {
  try {
    resolve(options);
  } catch (error) {
    expect(error).toBeInstanceOf(OptionsError);
    return (error as Error).message;
  }
  throw new Error('the options were accepted');
};

describe('visitor-side options', () => {
  it('defaults: popup always, no sharing, the built-in privacy text and strings', () => {
    expect(resolve({})).toMatchObject({ popup: 'always', dataSharingUrl: null, privacyText: null, popupLanguage: null, popupStrings: null });
  });

  it('takes the popup modes of the seed, and refuses others by name', () => {
    expect(resolve({ popup: 'minimized' }).popup).toBe('minimized');
    expect(resolve({ popup: 'off' }).popup).toBe('off');
    expect(refusal({ popup: 'hidden' as never })).toBe('popup must be one of always, minimized, off, got "hidden"');
  });

  it('needs an http(s) URL to share data with', () => {
    expect(resolve({ dataSharingUrl: 'https://rules.example/share' }).dataSharingUrl).toBe('https://rules.example/share');
    expect(refusal({ dataSharingUrl: 'ftp://x.test/' })).toContain('dataSharingUrl must be an http(s) URL');
    expect(refusal({ dataSharingUrl: 'not a url' })).toContain('dataSharingUrl must be an http(s) URL');
  });

  it('checks the popup language and strings', () => {
    expect(resolve({ popupLanguage: 'pt-BR' }).popupLanguage).toBe('pt-BR');
    expect(refusal({ popupLanguage: 'de; drop' })).toContain('popupLanguage must be a language tag');
    expect(resolve({ popupStrings: { clean: 'Alles gut' } }).popupStrings).toEqual({ clean: 'Alles gut' });
    expect(refusal({ popupStrings: { clean: 'ok', title: 'x' } as never })).toBe('popupStrings: unknown or empty text "title"');
    expect(refusal({ privacyText: '  ' })).toBe('privacyText must be a non-empty markdown string');
  });
});

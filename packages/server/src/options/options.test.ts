import { describe, expect, it } from 'vitest';
import { OptionsError } from './option-checks.js';
import { resolveOptions, type CspObserverOptions } from './options.js';

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
    expect(resolve({})).toMatchObject({
      page: { popup: 'always', popupLanguage: null, popupStrings: null },
      visitor: { dataSharingUrl: null, privacyText: null },
    });
  });

  it("takes django-csp-observer's popup modes, and refuses others by name", () => {
    expect(resolve({ popup: 'minimized' }).page.popup).toBe('minimized');
    expect(resolve({ popup: 'off' }).page.popup).toBe('off');
    expect(refusal({ popup: 'hidden' as never })).toBe('popup must be one of always, minimized, off, got "hidden"');
  });

  it('needs an http(s) URL to share data with', () => {
    expect(resolve({ dataSharingUrl: 'https://rules.example/share' }).visitor.dataSharingUrl).toBe('https://rules.example/share');
    expect(refusal({ dataSharingUrl: 'ftp://x.test/' })).toContain('dataSharingUrl must be an http(s) URL');
    expect(refusal({ dataSharingUrl: 'not a url' })).toContain('dataSharingUrl must be an http(s) URL');
  });

  it('checks the popup language and strings', () => {
    expect(resolve({ popupLanguage: 'pt-BR' }).page.popupLanguage).toBe('pt-BR');
    expect(refusal({ popupLanguage: 'de; drop' })).toContain('popupLanguage must be a language tag');
    expect(resolve({ popupStrings: { clean: 'Alles gut' } }).page.popupStrings).toEqual({ clean: 'Alles gut' });
    expect(refusal({ popupStrings: { clean: 'ok', title: 'x' } as never })).toBe('popupStrings: unknown or empty text "title"');
    expect(refusal({ privacyText: '  ' })).toBe('privacyText must be a non-empty markdown string');
  });
});

describe('collector and remote options', () => {
  const site = { id: 'shop', secrets: ['shop-secret-0123456789'], origins: ['https://shop.test'] };
  const remoteRefusal = (options: Record<string, unknown>) => {
    try {
      resolveOptions(options as never);
    } catch (error) {
      expect(error).toBeInstanceOf(OptionsError);
      return (error as Error).message;
    }
    throw new Error('the options were accepted');
  };

  it("resolves a collector's sites with their secrets and origins", () => {
    const until = '2030-01-01T00:00:00Z';
    const resolved = resolve({
      collector: {
        sites: [
          { ...site, secrets: ['new-secret-0123456789', { secret: 'old-secret-0123456789', until }], origins: ['https://shop.test/'] },
        ],
      },
    });
    expect(resolved.collector?.get('shop')).toEqual({
      id: 'shop',
      secrets: [
        { secret: 'new-secret-0123456789', until: null },
        { secret: 'old-secret-0123456789', until: Date.parse(until) },
      ],
      origins: new Set(['https://shop.test']),
    });
    expect(resolve({}).collector).toBeNull();
  });

  it('names what is wrong with a site', () => {
    expect(refusal({ collector: { sites: [{ ...site, id: 'Shop!' }] } })).toMatch(/id must be lower-case letters/);
    expect(refusal({ collector: { sites: [site, site] } })).toMatch(/the id shop is used twice/);
    expect(refusal({ collector: { sites: [{ ...site, id: 'local' }] } })).toMatch(/"local" names this server's own pages/);
    expect(refusal({ collector: { sites: [{ ...site, secrets: ['short'] }] } })).toMatch(/at least 16 characters/);
    expect(refusal({ collector: { sites: [{ ...site, secrets: [{ secret: 'old-secret-0123456789', until: '2001-01-01' }] }] } })).toMatch(
      /grace period is over/,
    );
    expect(refusal({ collector: { sites: [{ ...site, secrets: [{ secret: 'old-secret-0123456789', until: 'soon' }] }] } })).toMatch(
      /until must be a date/,
    );
    expect(refusal({ collector: { sites: [{ ...site, origins: [] }] } })).toMatch(/origins must list/);
    expect(refusal({ collector: { sites: [{ ...site, origins: ['https://shop.test/path'] }] } })).toMatch(/must be an origin only/);
  });

  it('takes a remote site with its policy and popup options, and sends it to the collector for the rest', () => {
    const remote = { url: 'https://csp.example.com/csp/', site: 'shop', secret: 'shop-secret-0123456789' };
    const resolved = resolveOptions({ remote, popup: 'minimized' });
    expect(resolved.remote).toEqual({ url: 'https://csp.example.com/csp', origin: 'https://csp.example.com', site: 'shop' });
    expect(resolved.endpoint).toBe('https://csp.example.com/csp');
    expect(resolved.secret).toBe(remote.secret);
    expect(remoteRefusal({ remote, database: 'x.sqlite', admin: {} })).toBe(
      'with remote, database, admin are options of the collector, not of the site: set them there',
    );
    expect(remoteRefusal({ remote, secret: SECRET })).toMatch(/^with remote, secret is an option of the collector/);
    expect(remoteRefusal({ remote: { ...remote, url: 'ftp://csp.example.com' } })).toMatch(
      /remote.url must be the collector's http\(s\) URL/,
    );
    expect(remoteRefusal({ remote: { ...remote, site: 'Shop' } })).toMatch(/remote.site must be/);
    expect(remoteRefusal({ remote: { ...remote, secret: 'short' } })).toMatch(/remote.secret must be/);
  });
});

describe('bounds on hostile traffic (issue 21)', () => {
  it('defaults: 5000 held verdict requests, 100 per address, 4 per page view; a matching budget of 100000', () => {
    expect(resolve({}).verdict).toEqual({ waits: { total: 5000, perIp: 100, perSession: 4 } });
    expect(resolve({}).rules.matchBudget).toBe(100_000);
  });

  it('takes smaller caps, keeps them nested, and refuses what is not a count', () => {
    expect(resolve({ verdictWaits: { total: 10 } }).verdict.waits).toEqual({ total: 10, perIp: 10, perSession: 4 });
    expect(refusal({ verdictWaits: { perIp: 0 } })).toBe('verdictWaits.perIp must be a whole number of requests, at least 1, got 0');
    expect(refusal({ verdictWaits: { total: 2.5 } })).toBe('verdictWaits.total must be a whole number of requests, at least 1, got 2.5');
    expect(refusal({ verdictWaits: { total: 10, perIp: 20 } })).toBe('verdictWaits.perIp (20) cannot exceed verdictWaits.total (10)');
    expect(refusal({ verdictWaits: { perIp: 2, perSession: 3 } })).toBe('verdictWaits.perSession (3) cannot exceed verdictWaits.perIp (2)');
    expect(refusal({ rules: { matchBudget: -1 } })).toBe('rules.matchBudget must be a positive number, got -1');
  });
});

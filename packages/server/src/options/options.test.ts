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

describe('unknown keys are refused, with the closest name (issue 22)', () => {
  it.each([
    [{ reportonly: false }, 'unknown option reportonly (did you mean "reportOnly"?); the options are in docs/configuration.md'],
    [{ polcy: {} }, 'unknown option polcy (did you mean "policy"?); the options are in docs/configuration.md'],
    [
      { directives: { 'script-src': ["'self'"] } },
      'unknown option directives (csp-observer calls the directives "policy" (merged over the defaults, as helmet does)); the options are in docs/configuration.md',
    ],
    [{ nonces: { scripts: true } }, 'unknown option nonces.scripts (did you mean "script"?); the options are in docs/configuration.md'],
    [
      { limits: { perIp: { report: 5, windowSeconds: 60 } } },
      'unknown option limits.perIp.report (did you mean "reports"?); the options are in docs/configuration.md',
    ],
    [
      { rules: { autoupdate: true } },
      'unknown option rules.autoupdate (did you mean "autoUpdate"?); the options are in docs/configuration.md',
    ],
    [
      { admin: { passwd: 'long-enough-password' } },
      'unknown option admin.passwd (did you mean "password"?); the options are in docs/configuration.md',
    ],
    [
      { verdictWaits: { perSesion: 2 } },
      'unknown option verdictWaits.perSesion (did you mean "perSession"?); the options are in docs/configuration.md',
    ],
    [
      { webhook: { url: 'https://hooks.example.com/x', secret: 'webhook-secret-0123456789', attempt: 3 } },
      'unknown option webhook.attempt (did you mean "attempts"?); the options are in docs/configuration.md',
    ],
    [{ log: { levl: 'info' } }, 'unknown option log.levl (did you mean "level"?); the options are in docs/configuration.md'],
    [{ databse: 'x.sqlite' }, 'unknown option databse (did you mean "database"?); the options are in docs/configuration.md'],
    [{ somethingElse: 1 }, 'unknown option somethingElse; the options are in docs/configuration.md'],
  ])('%o', (options, message) => {
    expect(refusal(options as never)).toBe(message);
  });

  it("knows every feature's keys, those added beside the checks too", () => {
    expect(resolve({ admin: { token: 'admin-token-0123456789', metricsToken: 'metrics-token-0123456789' } }).admin.metricsToken).toBe(
      'metrics-token-0123456789',
    );
    expect(resolve({ webhook: { url: 'https://hooks.example.com/x', secret: 'webhook-secret-0123456789' } }).ingest.webhook).not.toBe(
      false,
    );
  });

  it('lets keys set to undefined pass, as spreading optional values gives them', () => {
    expect(resolve({ reportOnly: undefined, ...({ later: undefined } as object) }).page.reportOnly).toBe(true);
  });

  it('refuses unknown keys of a remote site and of a collector site', () => {
    const remote = { url: 'https://csp.example.com/csp', site: 'shop', secret: 'shop-secret-0123456789' };
    expect(() => resolveOptions({ remote, reportonly: false } as never)).toThrow('unknown option reportonly (did you mean "reportOnly"?)');
    expect(() => resolveOptions({ remote: { ...remote, sites: 'shop' } } as never)).toThrow(
      'unknown option remote.sites (did you mean "site"?)',
    );
    const site = { id: 'shop', secrets: ['shop-secret-0123456789'], origins: ['https://shop.test'], origin: 'x' };
    expect(refusal({ collector: { sites: [site] } })).toBe(
      'unknown option collector.sites[shop].origin (did you mean "origins"?); the options are in docs/configuration.md',
    );
  });
});

describe('policy: merged over the defaults, as helmet does (issue 22)', () => {
  it('keeps the default directives beside the ones given, which replace theirs', () => {
    expect(resolve({ policy: { 'script-src': ["'self'", 'https://cdn.test'] } }).page.policy).toEqual({
      'default-src': ["'self'"],
      'script-src': ["'self'", 'https://cdn.test'],
      'connect-src': ["'self'"],
      'object-src': ["'none'"],
      'base-uri': ["'self'"],
    });
  });

  it('takes camelCase names as helmet does, and null to remove a default directive', () => {
    expect(resolve({ policy: { scriptSrc: ["'self'"], imgSrc: ['data:'], connectSrc: null, baseUri: null } }).page.policy).toEqual({
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'object-src': ["'none'"],
      'img-src': ['data:'],
    });
  });

  it('sends only the policy given with useDefaults: false', () => {
    expect(resolve({ useDefaults: false, policy: { 'default-src': ["'none'"] } }).page.policy).toEqual({ 'default-src': ["'none'"] });
    expect(refusal({ useDefaults: false })).toBe('useDefaults: false needs a policy: with neither, no directive would be sent');
    expect(refusal({ useDefaults: 'no' as never })).toBe('useDefaults must be true or false, got "no"');
  });

  it('adopts an existing policy given as a header value', () => {
    const existing = "default-src 'self' https://cdn.test; img-src * data:; frame-ancestors 'none'";
    expect(resolve({ policy: existing, useDefaults: false }).page.policy).toEqual({
      'default-src': ["'self'", 'https://cdn.test'],
      'img-src': ['*', 'data:'],
      'frame-ancestors': ["'none'"],
    });
    expect(refusal({ policy: "default-src 'self'; report-uri /elsewhere" })).toBe(
      'policy must not set report-uri: csp-observer adds it per session',
    );
  });

  it('refuses unquoted keywords, unknown directives and bad sources by name', () => {
    expect(refusal({ policy: { 'script-src': ['self'] } })).toBe(
      `policy: Content-Security-Policy directive "script-src": the keyword self must be quoted: write "'self'"`,
    );
    expect(refusal({ policy: { scriptSrcc: ["'self'"] } })).toBe(
      'policy: Content-Security-Policy has an unknown directive "script-srcc" (did you mean "script-src"?)',
    );
    expect(refusal({ policy: "default-src 'self' https://cdn.test:port" })).toMatch(
      /^policy: Content-Security-Policy directive "default-src": "https:\/\/cdn.test:port" is not a source expression/,
    );
    expect(refusal({ policy: { scriptSrc: ["'self'"], 'script-src': [] } })).toBe(
      'policy: Content-Security-Policy received a duplicate directive "script-src"',
    );
  });
});

describe('database (issue 22)', () => {
  it('refuses a URL scheme it does not speak, rather than taking it for a SQLite file name', () => {
    expect(refusal({ database: 'mysql://root:pw@localhost/app' })).toBe(
      'database: mysql:// is not supported; use postgres://, postgresql:// (PostgreSQL) or sqlite:// and a file path (SQLite)',
    );
    expect(resolve({ database: 'sqlite://data/reports.sqlite' }).storage.database).toBe('sqlite://data/reports.sqlite');
  });
});

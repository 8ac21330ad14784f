import { LOCAL_SITE, SITE_ID, type SiteSecret } from '../session/session-token.js';
import { httpUrl, knownKeys, OptionsError, originSet } from './option-checks.js';

export interface RemoteOptions {
  /** The collector's endpoints: its origin and prefix, e.g. `https://csp.example.com/csp`. */
  url: string;
  /** This site's id at the collector. */
  site: string;
  /** This site's secret at the collector (at least 16 characters). */
  secret: string;
}

export interface CollectorOptions {
  /** The sites allowed to send here. */
  sites: ReadonlyArray<CollectorSite>;
}

export interface CollectorSite {
  /** Lower-case letters, digits and dashes (at most 32), e.g. `shop`; it is part of the site's tokens. */
  id: string;
  /**
   * The secrets whose tokens are accepted; several while rotating. A string is accepted until it is
   * removed; `{ secret, until }` only until that date (the old secret's grace period, long enough for
   * the page views it signed: their verdicts and scan pages keep working).
   */
  secrets: ReadonlyArray<string | { secret: string; until: string | number | Date }>;
  /** The origins the site's pages are served from: only they may send its reports and read its verdicts (CORS). */
  origins: ReadonlyArray<string>;
}

/** A collector's site after validation. */
export interface ResolvedSite {
  id: string;
  secrets: readonly SiteSecret[];
  origins: ReadonlySet<string>;
}

/** A site in remote mode: where its pages report. */
export interface ResolvedRemote {
  /** The collector's endpoint URL (origin and prefix, no trailing slash). */
  url: string;
  origin: string;
  site: string;
}

/** The collector's sites by id, each with its accepted secrets and origins. */
export function resolveCollector(value: CollectorOptions | undefined, now = Date.now()): ReadonlyMap<string, ResolvedSite> | null {
  if (value === undefined) return null;
  if (!value || typeof value !== 'object' || !Array.isArray(value.sites))
    throw new OptionsError('collector must be { sites: [{ id, secrets, origins }] }');
  knownKeys('collector', value, ['sites']);
  const sites = new Map<string, ResolvedSite>();
  for (const site of value.sites) {
    const id: unknown = site?.id;
    if (typeof id !== 'string' || !SITE_ID.test(id)) {
      throw new OptionsError(`collector.sites: id must be lower-case letters, digits and dashes (at most 32), got ${JSON.stringify(id)}`);
    }
    if (sites.has(id)) throw new OptionsError(`collector.sites: the id ${id} is used twice`);
    if (id === LOCAL_SITE)
      throw new OptionsError(`collector.sites: "${LOCAL_SITE}" names this server's own pages in the dashboard; choose another id`);
    const name = `collector.sites[${id}]`;
    knownKeys(name, site, ['id', 'secrets', 'origins'] satisfies Array<keyof CollectorSite>);
    if (!Array.isArray(site.secrets) || site.secrets.length === 0) throw new OptionsError(`${name}.secrets must list at least one secret`);
    const secrets = (site.secrets as CollectorSite['secrets']).map((entry) => siteSecret(name, entry));
    if (!secrets.some((s: SiteSecret) => s.until === null || s.until > now)) {
      throw new OptionsError(`${name}.secrets: every secret's grace period is over; add the site's current secret`);
    }
    if (!Array.isArray(site.origins) || site.origins.length === 0) {
      throw new OptionsError(`${name}.origins must list the origins the site's pages are served from, like https://shop.example`);
    }
    sites.set(id, { id, secrets, origins: originSet(`${name}.origins`, site.origins) });
  }
  return sites;
}

function siteSecret(name: string, entry: CollectorSite['secrets'][number]): SiteSecret {
  const secret = typeof entry === 'string' ? entry : entry?.secret;
  if (typeof secret !== 'string' || secret.length < 16)
    throw new OptionsError(`${name}.secrets: each secret must be at least 16 characters`);
  if (typeof entry === 'string') return { secret, until: null };
  knownKeys(`${name}.secrets`, entry, ['secret', 'until']);
  const until =
    entry.until instanceof Date ? entry.until.getTime() : typeof entry.until === 'number' ? entry.until : Date.parse(String(entry.until));
  if (!Number.isFinite(until))
    throw new OptionsError(`${name}.secrets: until must be a date like "2026-12-31T00:00:00Z", got ${JSON.stringify(entry.until)}`);
  return { secret, until };
}

/** The collector a site in remote mode reports to, validated; throws OptionsError naming the key. */
export function resolveRemote(remote: RemoteOptions): ResolvedRemote {
  if (!remote || typeof remote !== 'object') throw new OptionsError('remote must be { url, site, secret }');
  knownKeys('remote', remote, ['url', 'site', 'secret'] satisfies Array<keyof RemoteOptions>);
  const url = httpUrl(remote.url);
  if (!url || url.search || url.hash) {
    throw new OptionsError(
      `remote.url must be the collector's http(s) URL with its prefix, like "https://csp.example.com/csp", got ${JSON.stringify(remote.url)}`,
    );
  }
  if (typeof remote.site !== 'string' || !SITE_ID.test(remote.site)) {
    throw new OptionsError(
      `remote.site must be the site's id at the collector (a-z, 0-9, -; at most 32), got ${JSON.stringify(remote.site)}`,
    );
  }
  if (typeof remote.secret !== 'string' || remote.secret.length < 16) {
    throw new OptionsError(
      "remote.secret must be the site's secret at the collector, at least 16 characters (set it from the environment)",
    );
  }
  return { url: url.href.replace(/\/+$/, ''), origin: url.origin, site: remote.site };
}

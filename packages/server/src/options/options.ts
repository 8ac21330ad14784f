import type { Logger } from '../logger.js';
import { resolveAdmin, type AdminOptions, type ResolvedAdminOptions } from './admin-options.js';
import { INGEST_OPTION_KEYS, resolveIngestOptions, type IngestOptions, type ResolvedIngestOptions } from './ingest-options.js';
import { knownKeys, OptionsError } from './option-checks.js';
import { PAGE_OPTION_KEYS, resolvePageOptions, type PageOptions, type ResolvedPageOptions } from './page-options.js';
import { resolveRulesOptions, type RulesOptions } from './rules-options.js';
import {
  resolveCollector,
  resolveRemote,
  type CollectorOptions,
  type RemoteOptions,
  type ResolvedRemote,
  type ResolvedSite,
} from './site-options.js';
import { resolveStorageOptions, STORAGE_OPTION_KEYS, type ResolvedStorageOptions, type StorageOptions } from './storage-options.js';
import { resolveVerdictOptions, VERDICT_OPTION_KEYS, type ResolvedVerdictOptions, type VerdictOptions } from './verdict-options.js';
import { resolveVisitorOptions, VISITOR_OPTION_KEYS, type ResolvedVisitorOptions, type VisitorOptions } from './visitor-options.js';

/**
 * Options of `cspObserver()`; every one has a default but `secret`. One flat object, each key
 * defined (with its default and its check) in its feature's file beside this one.
 */
export interface CspObserverOptions extends PageOptions, IngestOptions, StorageOptions, VisitorOptions, VerdictOptions {
  /** Signs session tokens (HMAC-SHA256). At least 16 characters; keep it out of the code. */
  secret: string;
  /** Where the routes are mounted (default `/csp`). */
  prefix?: string;
  /** Where the server logs; default the console. */
  logger?: Logger;
  /** Where the global rules come from and how often they may be updated (see docs/rules.md). */
  rules?: RulesOptions;
  /**
   * Who may open the admin dashboard and its API under `{prefix}/admin`. Closed when none is set
   * (default): a token, a password, or your own `authorize(ctx)` check. `CSP_OBSERVER_ADMIN_TOKEN`
   * and `CSP_OBSERVER_ADMIN_PASSWORD` fill in token and password when the option leaves them out.
   */
  admin?: AdminOptions;
  /**
   * Be the central collector of other sites (django-csp-observer's IS_MASTER_COLLECTOR): each site
   * sends its visitors' reports, SDK events and verdict requests here, with tokens signed by its
   * own secret.
   */
  collector?: CollectorOptions;
}

/**
 * Every key of the options, for refusing the ones that are not: a misspelt key (`reportonly`) or
 * one of helmet's (`directives`) would otherwise be ignored without a word. The compiler keeps
 * the list whole: a new option that is not added here fails the type check.
 */
const OPTION_KEYS: Record<keyof CspObserverOptions, true> = {
  ...PAGE_OPTION_KEYS,
  ...INGEST_OPTION_KEYS,
  ...STORAGE_OPTION_KEYS,
  ...VISITOR_OPTION_KEYS,
  ...VERDICT_OPTION_KEYS,
  secret: true,
  prefix: true,
  logger: true,
  rules: true,
  admin: true,
  collector: true,
};

/** The options a site in remote mode may set; the others are the collector's. */
const REMOTE_SITE_KEYS = [
  'reportOnly',
  'policy',
  'enabledPaths',
  'nonces',
  'reportSample',
  'injectSdk',
  'reportingApi',
  'popup',
  'popupLanguage',
  'popupStrings',
  'logger',
] as const satisfies ReadonlyArray<keyof CspObserverOptions>;

/**
 * A site that reports to a central collector (django-csp-observer's REMOTE_REPORTING): it sets
 * the policy, nonces and SDK tag on its pages and signs each page view's token with its site
 * secret; reports, events, verdicts and scan pages go to the collector. It keeps no database and
 * never calls the collector while serving a page. Everything else (storage, rules, handlers,
 * admin) is the collector's to configure.
 */
export interface RemoteSiteOptions extends Pick<CspObserverOptions, (typeof REMOTE_SITE_KEYS)[number]> {
  remote: RemoteOptions;
}

/** Options after defaults and validation, by feature. */
export interface ResolvedOptions {
  secret: string;
  prefix: string;
  /** Where the pages' reports, events and verdicts go: the prefix, or the collector's URL in remote mode. */
  endpoint: string;
  page: ResolvedPageOptions;
  ingest: ResolvedIngestOptions;
  storage: ResolvedStorageOptions;
  rules: Required<RulesOptions>;
  visitor: ResolvedVisitorOptions;
  verdict: ResolvedVerdictOptions;
  admin: ResolvedAdminOptions;
  /** The sites of a collector by id; null when this server is not one. */
  collector: ReadonlyMap<string, ResolvedSite> | null;
  /** Set when this app's pages report to a collector (no database, no routes). */
  remote: ResolvedRemote | null;
}

const PREFIX = /^\/[A-Za-z0-9._~\-/]*[A-Za-z0-9._~-]$/;

/** Applies defaults and validates; throws OptionsError with the option's name. */
export function resolveOptions(options: CspObserverOptions | RemoteSiteOptions): ResolvedOptions {
  if (!options || typeof options !== 'object') throw new OptionsError('cspObserver(options) needs an options object');
  knownKeys('', options, [...Object.keys(OPTION_KEYS), 'remote']);
  if ('remote' in options && options.remote !== undefined) return resolveRemoteSite(options as RemoteSiteOptions);
  return resolveLocal(options as CspObserverOptions);
}

function resolveRemoteSite(options: RemoteSiteOptions): ResolvedOptions {
  const allowed: ReadonlySet<string> = new Set(['remote', ...REMOTE_SITE_KEYS]);
  const misplaced = Object.keys(options).filter(
    (key) => !allowed.has(key) && (options as unknown as Record<string, unknown>)[key] !== undefined,
  );
  if (misplaced.length) {
    throw new OptionsError(
      `with remote, ${misplaced.join(', ')} ${misplaced.length === 1 ? 'is an option' : 'are options'} of the collector, not of the site: set ${misplaced.length === 1 ? 'it' : 'them'} there`,
    );
  }
  const remote = resolveRemote(options.remote);
  const local = resolveLocal({ ...options, remote: undefined, secret: options.remote.secret } as CspObserverOptions);
  return { ...local, remote, endpoint: remote.url };
}

function resolveLocal(options: CspObserverOptions): ResolvedOptions {
  const { secret } = options;
  if (typeof secret !== 'string' || secret.length < 16) {
    throw new OptionsError(
      'secret is required and must be at least 16 characters (set it from an environment variable, e.g. CSP_OBSERVER_SECRET)',
    );
  }
  const prefix = options.prefix ?? '/csp';
  if (typeof prefix !== 'string' || !PREFIX.test(prefix) || prefix.includes('//')) {
    throw new OptionsError(`prefix must be a path like "/csp" (no trailing slash), got ${JSON.stringify(prefix)}`);
  }
  return {
    secret,
    prefix,
    endpoint: prefix,
    page: resolvePageOptions(options),
    ingest: resolveIngestOptions(options),
    storage: resolveStorageOptions(options),
    rules: resolveRulesOptions(options.rules ?? {}),
    visitor: resolveVisitorOptions(options),
    verdict: resolveVerdictOptions(options),
    admin: resolveAdmin(options.admin ?? {}, process.env),
    collector: resolveCollector(options.collector),
    remote: null,
  };
}

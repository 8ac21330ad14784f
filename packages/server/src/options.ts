import { hostname } from 'node:os';
import { mergePopupStrings, POPUP_MODES, validatePolicy, type Policy, type PopupMode, type PopupStrings } from '@csp-observer/core';
import type { Knex } from 'knex';
import type { Context } from 'koa';
import type { Logger } from './logger.js';
import type { ReceivedReport } from './report/received-report.js';
import { rulesPublicKey } from './rules/rules-source.js';
import { LOCAL_SITE, SITE_ID, type SiteSecret } from './session/session-token.js';

/** Where reports are stored: a SQLite file path, a `postgres://` URL, a knex config or instance. */
export type DatabaseOption = string | Knex.Config | Knex;

/** Paths on which the middleware sets its policy: regexes matched from the start of the path. */
export type EnabledPaths = ReadonlyArray<string | RegExp> | ((ctx: Context) => boolean);

/** Options of `cspObserver()`; every one has a default but `secret`. */
export interface CspObserverOptions {
  /** Signs session tokens (HMAC-SHA256). At least 16 characters; keep it out of the code. */
  secret: string;
  /** Default `csp-observer.sqlite` in the working directory. */
  database?: DatabaseOption;
  /** Run pending migrations when the middleware starts (default true). */
  migrate?: boolean;
  /** Where the routes are mounted (default `/csp`). */
  prefix?: string;
  /** Send `Content-Security-Policy-Report-Only` (default true) instead of enforcing. */
  reportOnly?: boolean;
  /** Directive -> sources. Default: the seed's `default-src 'self'; script-src 'self' 'unsafe-inline'; connect-src 'self'`. */
  policy?: Policy;
  /** Default `["/"]` (every path). Strings are regexes anchored at the start of the path. */
  enabledPaths?: EnabledPaths;
  /** Add the response's nonce to `<script>` and `<style>`/`<link rel=stylesheet>` tags lacking one. */
  nonces?: { script?: boolean; style?: boolean };
  /** Add `'report-sample'` to script-src and style-src so reports carry the first 40 characters (default true). */
  reportSample?: boolean;
  /** Inject the SDK `<script>` tag into HTML responses (default true). */
  injectSdk?: boolean;
  /** How long sessions and reports are kept; tokens older than this are refused (default 14). */
  sessionKeepDays?: number;
  /** Largest accepted request body of a report or event batch, in bytes (default 64 KiB). */
  maxBodyBytes?: number;
  /** Where the server logs; default the console. */
  logger?: Logger;
  /** Store reports in the database (default true), as the seed's CSP_REPORTS_SAVE. */
  save?: boolean;
  /** Log each report (default true, at `warn` as "CSP Reports"), as CSP_REPORTS_LOG / _LOG_LEVEL / _LOGGER_NAME. */
  log?: boolean | { level?: LogLevel; name?: string };
  /** E-mail reports to admins through SMTP (default off), as CSP_REPORTS_EMAIL_ADMINS. */
  emailAdmins?: false | EmailAdminsOptions;
  /** Your own functions, called with each processed report once it is committed. */
  handlers?: ReadonlyArray<ReportHandler>;
  /** Only reports it accepts are processed; the others are counted as dropped. */
  filter?: ReportFilter;
  /** Drop reports whose blocked URI or source file is a browser extension's (default false). */
  filterBrowserExtensions?: boolean;
  /** Extra values stored with each report (JSON column `extra`), in place of the seed's custom model. */
  extraFields?: (report: ReceivedReport, ctx: Context) => Record<string, unknown> | undefined;
  /** Remove query strings and fragments from stored URLs and raw bodies (default true). */
  stripQuery?: boolean;
  /** Bounds against floods; each answered with 413 or 429. */
  limits?: LimitsOptions;
  /** Origins allowed to send Reporting API reports and SDK events cross-origin (CORS); `'*'` for any. Default: same origin only. */
  reportOrigins?: ReadonlyArray<string> | '*';
  /** Also send `Reporting-Endpoints` and `report-to` on HTTPS responses (default false), as the seed's USE_NEW_API. */
  reportingApi?: boolean;
  /** Where the global rules come from and how often they may be updated (see docs/rules.md). */
  rules?: RulesOptions;
  /** The visitor's popup, as the seed's CLIENTUI_VISIBILITY: `always` (default), `minimized` (only on a problem) or `off`. */
  popup?: PopupMode;
  /**
   * Where the scan page lets a visitor share a page view's unexplained reports (the seed's
   * VOLUNTARY_DATA_SHARING_URL): an http(s) URL the server POSTs JSON to, only on the visitor's
   * click. Unset (default): no sharing at all.
   */
  dataSharingUrl?: string;
  /** Markdown that replaces the text of `{prefix}/privacy`. */
  privacyText?: string;
  /** The popup's language (`en`, `de`, `fr`); default each page's `<html lang>`, English when unknown. */
  popupLanguage?: string;
  /** Your own words for the popup (any language), laid over the built-in ones; `{n}` is the number of problems. */
  popupStrings?: Partial<PopupStrings>;
  /**
   * Who may open the admin dashboard and its API under `{prefix}/admin`. Closed when none is set
   * (default): a token, a password, or your own `authorize(ctx)` check. `CSP_OBSERVER_ADMIN_TOKEN`
   * and `CSP_OBSERVER_ADMIN_PASSWORD` fill in token and password when the option leaves them out.
   */
  admin?: AdminOptions;
  /**
   * Be the central collector of other sites (the seed's IS_MASTER_COLLECTOR): each site sends its
   * visitors' reports, SDK events and verdict requests here, with tokens signed by its own secret.
   */
  collector?: CollectorOptions;
}

/**
 * A site that reports to a central collector (the seed's REMOTE_REPORTING): it sets the policy,
 * nonces and SDK tag on its pages and signs each page view's token with its site secret; reports,
 * events, verdicts and scan pages go to the collector. It keeps no database and never calls the
 * collector while serving a page. Everything else (storage, rules, handlers, admin) is the
 * collector's to configure.
 */
export interface RemoteSiteOptions
  extends Pick<
    CspObserverOptions,
    'reportOnly' | 'policy' | 'enabledPaths' | 'nonces' | 'reportSample' | 'injectSdk' | 'reportingApi' | 'popup' | 'popupLanguage' | 'popupStrings' | 'logger'
  > {
  remote: RemoteOptions;
}

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

export interface AdminOptions {
  /** A bearer token for scripts (`Authorization: Bearer …`), also accepted at the login form. At least 16 characters. */
  token?: string;
  /** The password of the login form. At least 10 characters. */
  password?: string;
  /** Your own check (for apps with their own login): true lets the request in. Asked when neither a bearer token nor a login cookie lets the request in. */
  authorize?: (ctx: Context) => boolean | Promise<boolean>;
  /** How long a login lasts, in hours (default 12). */
  sessionHours?: number;
}

export interface RulesOptions {
  /** A rules file URL or path, or `bundled` (default): the file shipped with the package. Read on first start and by updates. */
  source?: string;
  /** Seconds that must pass between two updates unless forced (default 21600, the seed's RULE_UPDATE_INTERVAL). */
  updateInterval?: number;
  /** Update from `source` every `updateInterval` seconds while running (default false: run `csp-observer update-rules` on a schedule). */
  autoUpdate?: boolean;
  /** The rules feed publisher's Ed25519 public key (PEM or base64 SPKI): `source` must come with a valid `<source>.sig`. */
  publicKey?: string;
  /** A pinned version of `source`: the hex SHA-256 of its bytes. */
  sha256?: string;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Called after a report is committed; errors are logged, never returned to the browser. */
export type ReportHandler = (report: ReceivedReport, ctx: Context) => void | Promise<void>;
/** Return false to drop a report (it is counted under `dropped`, never stored). */
export type ReportFilter = (report: ReceivedReport, ctx: Context) => boolean | Promise<boolean>;

export interface EmailAdminsOptions {
  /** Recipients. */
  to: string | string[];
  /** Sender; default `csp-observer@<hostname>`. */
  from?: string;
  /** An SMTP URL (`smtp://user:pass@host:587`) or nodemailer SMTP options. */
  transport: string | Record<string, unknown>;
  /** Default `[CSP report]`. */
  subjectPrefix?: string;
  /** Reports arriving within this many seconds share one message (default 10). */
  windowSeconds?: number;
  /** At most this many messages an hour; further reports are only logged (default 20). */
  maxPerHour?: number;
}

export interface LimitsOptions {
  /** Reports in one request (Reporting API batches, SDK events); default 100. */
  maxReportsPerRequest?: number;
  /** Reports stored for one session (page view); default 500. */
  maxReportsPerSession?: number;
  /** Reports from one client IP in a window; default 600 a minute. `false` turns it off. */
  perIp?: false | { reports: number; windowSeconds: number };
}

/** The seed's default policy (django-csp-observer CSP_POLICIES). */
export const DEFAULT_POLICY: Policy = {
  'default-src': ["'self'"],
  'script-src': ["'self'", "'unsafe-inline'"],
  'connect-src': ["'self'"],
};

/** How long sessions and reports are kept by default (the seed's SESSION_KEEP_DAYS). */
export const DEFAULT_SESSION_KEEP_DAYS = 14;

/** Options after defaults and validation. */
export interface ResolvedOptions {
  secret: string;
  database: DatabaseOption;
  migrate: boolean;
  prefix: string;
  reportOnly: boolean;
  policy: Policy;
  isEnabledPath: (ctx: Context) => boolean;
  nonces: { script: boolean; style: boolean };
  reportSample: boolean;
  injectSdk: boolean;
  sessionKeepDays: number;
  maxBodyBytes: number;
  save: boolean;
  log: false | { level: LogLevel; name: string };
  emailAdmins: false | Required<Omit<EmailAdminsOptions, 'to'>> & { to: string[] };
  handlers: ReadonlyArray<ReportHandler>;
  filter: ReportFilter | null;
  filterBrowserExtensions: boolean;
  extraFields: CspObserverOptions['extraFields'] | null;
  stripQuery: boolean;
  limits: { maxReportsPerRequest: number; maxReportsPerSession: number; perIp: false | { reports: number; windowSeconds: number } };
  reportOrigins: ReadonlySet<string> | '*';
  reportingApi: boolean;
  rules: Required<RulesOptions>;
  popup: PopupMode;
  dataSharingUrl: string | null;
  privacyText: string | null;
  popupLanguage: string | null;
  popupStrings: Partial<PopupStrings> | null;
  admin: { token: string | null; password: string | null; authorize: AdminOptions['authorize'] | null; sessionHours: number };
  /** The sites of a collector by id; null when this server is not one. */
  collector: ReadonlyMap<string, ResolvedSite> | null;
  /** Set when this app's pages report to a collector (no database, no routes). */
  remote: { url: string; origin: string; site: string } | null;
  /** Where the pages' reports, events and verdicts go: the prefix, or the collector's URL in remote mode. */
  endpoint: string;
}

export interface ResolvedSite {
  id: string;
  secrets: readonly SiteSecret[];
  origins: ReadonlySet<string>;
}

/** Raised by `cspObserver()` for options it cannot work with; the message names the option. */
export class OptionsError extends Error {
  override name = 'CspObserverOptionsError';
}

const PREFIX = /^\/[A-Za-z0-9._~\-/]*[A-Za-z0-9._~-]$/;

function compileEnabledPaths(value: EnabledPaths | undefined): (ctx: Context) => boolean {
  if (value === undefined) return () => true;
  if (typeof value === 'function') return value;
  if (!Array.isArray(value)) throw new OptionsError('enabledPaths must be an array of regexes or a function');
  const patterns = value.map((pattern) => {
    if (pattern instanceof RegExp) return pattern;
    if (typeof pattern !== 'string') throw new OptionsError(`enabledPaths entry ${String(pattern)} is not a string or RegExp`);
    try {
      return new RegExp(`^(?:${pattern})`);
    } catch (error) {
      throw new OptionsError(`enabledPaths entry "${pattern}" is not a valid regex: ${(error as Error).message}`);
    }
  });
  return (ctx) => patterns.some((pattern) => pattern.test(ctx.path));
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new OptionsError(`${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}

/** The options a site in remote mode may set; the others are the collector's. */
const REMOTE_SITE_KEYS: ReadonlySet<string> = new Set<keyof RemoteSiteOptions>([
  'remote',
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
]);

/** Applies defaults and validates; throws OptionsError with the option's name. */
export function resolveOptions(options: CspObserverOptions | RemoteSiteOptions): ResolvedOptions {
  if (!options || typeof options !== 'object') throw new OptionsError('cspObserver(options) needs an options object');
  if ('remote' in options && options.remote !== undefined) return resolveRemoteSite(options as RemoteSiteOptions);
  return resolveLocal(options as CspObserverOptions);
}

function resolveRemoteSite(options: RemoteSiteOptions): ResolvedOptions {
  const misplaced = Object.keys(options).filter((key) => !REMOTE_SITE_KEYS.has(key) && (options as unknown as Record<string, unknown>)[key] !== undefined);
  if (misplaced.length) {
    throw new OptionsError(
      `with remote, ${misplaced.join(', ')} ${misplaced.length === 1 ? 'is an option' : 'are options'} of the collector, not of the site: set ${misplaced.length === 1 ? 'it' : 'them'} there`,
    );
  }
  const remote = options.remote;
  if (!remote || typeof remote !== 'object') throw new OptionsError('remote must be { url, site, secret }');
  const url = httpUrl(remote.url);
  if (!url || url.search || url.hash) {
    throw new OptionsError(`remote.url must be the collector's http(s) URL with its prefix, like "https://csp.example.com/csp", got ${JSON.stringify(remote.url)}`);
  }
  if (typeof remote.site !== 'string' || !SITE_ID.test(remote.site)) {
    throw new OptionsError(`remote.site must be the site's id at the collector (a-z, 0-9, -; at most 32), got ${JSON.stringify(remote.site)}`);
  }
  if (typeof remote.secret !== 'string' || remote.secret.length < 16) {
    throw new OptionsError('remote.secret must be the site\'s secret at the collector, at least 16 characters (set it from the environment)');
  }
  const endpoint = url.href.replace(/\/+$/, '');
  const local = resolveLocal({ ...options, remote: undefined, secret: remote.secret } as CspObserverOptions);
  return { ...local, remote: { url: endpoint, origin: url.origin, site: remote.site }, endpoint };
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
  let policy: Policy;
  try {
    policy = validatePolicy(options.policy ?? DEFAULT_POLICY);
  } catch (error) {
    throw new OptionsError(`policy: ${(error as Error).message}`);
  }
  for (const reserved of ['report-uri', 'report-to']) {
    if (reserved in policy) throw new OptionsError(`policy must not set ${reserved}: csp-observer adds it per session`);
  }
  return {
    secret,
    database: options.database ?? 'csp-observer.sqlite',
    migrate: options.migrate ?? true,
    prefix,
    reportOnly: options.reportOnly ?? true,
    policy,
    isEnabledPath: compileEnabledPaths(options.enabledPaths),
    nonces: { script: options.nonces?.script ?? true, style: options.nonces?.style ?? true },
    reportSample: options.reportSample ?? true,
    injectSdk: options.injectSdk ?? true,
    sessionKeepDays: positive('sessionKeepDays', options.sessionKeepDays, DEFAULT_SESSION_KEEP_DAYS),
    maxBodyBytes: positive('maxBodyBytes', options.maxBodyBytes, 64 * 1024),
    save: options.save ?? true,
    log: resolveLog(options.log),
    emailAdmins: resolveEmail(options.emailAdmins),
    handlers: functions('handlers', options.handlers ?? []),
    filter: optionalFunction('filter', options.filter),
    filterBrowserExtensions: options.filterBrowserExtensions ?? false,
    extraFields: optionalFunction('extraFields', options.extraFields),
    stripQuery: options.stripQuery ?? true,
    limits: resolveLimits(options.limits ?? {}),
    reportOrigins: resolveOrigins(options.reportOrigins),
    reportingApi: options.reportingApi ?? false,
    rules: resolveRules(options.rules ?? {}),
    popup: resolvePopup(options.popup),
    dataSharingUrl: resolveSharingUrl(options.dataSharingUrl),
    privacyText: resolvePrivacyText(options.privacyText),
    popupLanguage: resolvePopupLanguage(options.popupLanguage),
    popupStrings: resolvePopupStrings(options.popupStrings),
    admin: resolveAdmin(options.admin ?? {}, process.env),
    collector: resolveCollector(options.collector),
    remote: null,
    endpoint: prefix,
  };
}

/** The collector's sites by id, each with its accepted secrets and origins. */
export function resolveCollector(value: CollectorOptions | undefined, now = Date.now()): ResolvedOptions['collector'] {
  if (value === undefined) return null;
  if (!value || typeof value !== 'object' || !Array.isArray(value.sites)) throw new OptionsError('collector must be { sites: [{ id, secrets, origins }] }');
  const sites = new Map<string, ResolvedSite>();
  for (const site of value.sites) {
    const id: unknown = site?.id;
    if (typeof id !== 'string' || !SITE_ID.test(id)) {
      throw new OptionsError(`collector.sites: id must be lower-case letters, digits and dashes (at most 32), got ${JSON.stringify(id)}`);
    }
    if (sites.has(id)) throw new OptionsError(`collector.sites: the id ${id} is used twice`);
    if (id === LOCAL_SITE) throw new OptionsError(`collector.sites: "${LOCAL_SITE}" names this server's own pages in the dashboard; choose another id`);
    const name = `collector.sites[${id}]`;
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
  if (typeof secret !== 'string' || secret.length < 16) throw new OptionsError(`${name}.secrets: each secret must be at least 16 characters`);
  if (typeof entry === 'string') return { secret, until: null };
  const until = entry.until instanceof Date ? entry.until.getTime() : typeof entry.until === 'number' ? entry.until : Date.parse(String(entry.until));
  if (!Number.isFinite(until)) throw new OptionsError(`${name}.secrets: until must be a date like "2026-12-31T00:00:00Z", got ${JSON.stringify(entry.until)}`);
  return { secret, until };
}

/** Token and password from the option, else from `CSP_OBSERVER_ADMIN_TOKEN` / `CSP_OBSERVER_ADMIN_PASSWORD`. */
export function resolveAdmin(value: AdminOptions, env: NodeJS.ProcessEnv): ResolvedOptions['admin'] {
  if (!value || typeof value !== 'object') throw new OptionsError('admin must be an object like { password } or { authorize(ctx) }');
  const token = value.token ?? (env.CSP_OBSERVER_ADMIN_TOKEN || undefined);
  const password = value.password ?? (env.CSP_OBSERVER_ADMIN_PASSWORD || undefined);
  if (token !== undefined && (typeof token !== 'string' || token.length < 16)) {
    throw new OptionsError('admin.token (or CSP_OBSERVER_ADMIN_TOKEN) must be at least 16 characters');
  }
  if (password !== undefined && (typeof password !== 'string' || password.length < 10)) {
    throw new OptionsError('admin.password (or CSP_OBSERVER_ADMIN_PASSWORD) must be at least 10 characters');
  }
  return {
    token: token ?? null,
    password: password ?? null,
    authorize: optionalFunction('admin.authorize', value.authorize),
    sessionHours: positive('admin.sessionHours', value.sessionHours, 12),
  };
}

/** Whether any way into the admin is configured; without one it stays closed. */
export function adminIsOpen(admin: ResolvedOptions['admin']): boolean {
  return Boolean(admin.token || admin.password || admin.authorize);
}

function resolvePopup(value: PopupMode | undefined): PopupMode {
  if (value === undefined) return 'always';
  if (!POPUP_MODES.includes(value)) throw new OptionsError(`popup must be one of ${POPUP_MODES.join(', ')}, got ${JSON.stringify(value)}`);
  return value;
}

/** An absolute http(s) URL, or null for anything else. */
function httpUrl(value: unknown): URL | null {
  try {
    const url = typeof value === 'string' ? new URL(value) : null;
    return url && (url.protocol === 'https:' || url.protocol === 'http:') ? url : null;
  } catch {
    return null;
  }
}

function resolveSharingUrl(value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  const url = httpUrl(value);
  if (!url) {
    throw new OptionsError(`dataSharingUrl must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  return url.href;
}

function resolvePopupLanguage(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || !/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(value)) {
    throw new OptionsError(`popupLanguage must be a language tag like "de" or "pt-BR", got ${JSON.stringify(value)}`);
  }
  return value;
}

function resolvePopupStrings(value: Partial<PopupStrings> | undefined): Partial<PopupStrings> | null {
  if (value === undefined) return null;
  if (!value || typeof value !== 'object') throw new OptionsError('popupStrings must be an object of popup texts (see docs/configuration.md)');
  const known = mergePopupStrings({} as PopupStrings, value);
  const unknown = Object.keys(value).filter((key) => !(key in known));
  if (unknown.length) throw new OptionsError(`popupStrings: unknown or empty text ${unknown.map((k) => JSON.stringify(k)).join(', ')}`);
  return known;
}

function resolvePrivacyText(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || !value.trim()) throw new OptionsError('privacyText must be a non-empty markdown string');
  return value;
}

function resolveRules(value: RulesOptions): ResolvedOptions['rules'] {
  const source = value.source ?? 'bundled';
  if (typeof source !== 'string' || !source) throw new OptionsError('rules.source must be a URL, a file path or "bundled"');
  const publicKey = value.publicKey ?? '';
  if (publicKey) {
    try {
      rulesPublicKey(publicKey);
    } catch (error) {
      throw new OptionsError(`rules.publicKey: ${(error as Error).message}`);
    }
  }
  const sha256 = value.sha256 ?? '';
  if (sha256 && !/^[0-9a-f]{64}$/i.test(sha256)) throw new OptionsError('rules.sha256 must be 64 hexadecimal digits (the SHA-256 of the rules file)');
  return {
    source,
    updateInterval: positive('rules.updateInterval', value.updateInterval, 21600),
    autoUpdate: value.autoUpdate ?? false,
    publicKey,
    sha256,
  };
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

function resolveLog(value: CspObserverOptions['log']): ResolvedOptions['log'] {
  if (value === false) return false;
  const config = value === true || value === undefined ? {} : value;
  const level = config.level ?? 'warn';
  if (!LOG_LEVELS.includes(level)) throw new OptionsError(`log.level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  return { level, name: config.name ?? 'CSP Reports' };
}

function resolveEmail(value: CspObserverOptions['emailAdmins']): ResolvedOptions['emailAdmins'] {
  if (!value) return false;
  const to = (Array.isArray(value.to) ? value.to : [value.to]).filter((address) => typeof address === 'string' && address.includes('@'));
  if (to.length === 0) throw new OptionsError('emailAdmins.to needs at least one e-mail address');
  if (!value.transport || (typeof value.transport !== 'string' && typeof value.transport !== 'object')) {
    throw new OptionsError('emailAdmins.transport must be an SMTP URL or nodemailer SMTP options');
  }
  return {
    to,
    from: value.from ?? `csp-observer@${hostname()}`,
    transport: value.transport,
    subjectPrefix: value.subjectPrefix ?? '[CSP report]',
    windowSeconds: positive('emailAdmins.windowSeconds', value.windowSeconds, 10),
    maxPerHour: positive('emailAdmins.maxPerHour', value.maxPerHour, 20),
  };
}

function resolveLimits(value: LimitsOptions): ResolvedOptions['limits'] {
  const perIp = value.perIp ?? { reports: 600, windowSeconds: 60 };
  return {
    maxReportsPerRequest: positive('limits.maxReportsPerRequest', value.maxReportsPerRequest, 100),
    maxReportsPerSession: positive('limits.maxReportsPerSession', value.maxReportsPerSession, 500),
    perIp:
      perIp === false
        ? false
        : {
            reports: positive('limits.perIp.reports', perIp.reports, 600),
            windowSeconds: positive('limits.perIp.windowSeconds', perIp.windowSeconds, 60),
          },
  };
}

function resolveOrigins(value: CspObserverOptions['reportOrigins']): ResolvedOptions['reportOrigins'] {
  if (value === undefined) return new Set();
  if (value === '*') return '*';
  if (!Array.isArray(value)) throw new OptionsError(`reportOrigins must be an array of origins or '*'`);
  return originSet('reportOrigins', value);
}

function originSet(name: string, origins: ReadonlyArray<string>): ReadonlySet<string> {
  return new Set(
    origins.map((origin) => {
      let parsed: URL;
      try {
        parsed = new URL(origin);
      } catch {
        throw new OptionsError(`${name} entry ${JSON.stringify(origin)} is not an origin like https://shop.example`);
      }
      if (parsed.origin !== String(origin).replace(/\/$/, '')) {
        throw new OptionsError(`${name} entry ${JSON.stringify(origin)} must be an origin only (scheme, host, port)`);
      }
      return parsed.origin;
    }),
  );
}

function functions<T>(name: string, value: ReadonlyArray<T>): ReadonlyArray<T> {
  if (!Array.isArray(value) || value.some((f) => typeof f !== 'function')) throw new OptionsError(`${name} must be an array of functions`);
  return value;
}

function optionalFunction<T>(name: string, value: T | undefined): T | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'function') throw new OptionsError(`${name} must be a function`);
  return value;
}

import { hostname } from 'node:os';
import type { Context } from 'koa';
import { DEFAULT_BODY_TIMEOUT_SECONDS } from '../http/body.js';
import { DEFAULT_IPV6_PREFIX } from '../http/ip.js';
import type { ReceivedReport } from '../report/received-report.js';
import { functions, knownKeys, optionalFunction, OptionsError, originSet, positive } from './option-checks.js';

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

export interface WebhookOptions {
  /** Where alerts are POSTed (a Slack incoming webhook works as it is); http or https. */
  url: string;
  /** Signs each POST (HMAC-SHA256, header `X-CSP-Observer-Signature`); at least 16 characters. */
  secret: string;
  /** Reports arriving within this many seconds share one alert (default 10). */
  windowSeconds?: number;
  /** This many reports in one window is a spike (default 500). */
  spikeReports?: number;
  /** Tries per alert, with exponential backoff between them (default 5). */
  attempts?: number;
  /** The first wait between tries, doubled after each (default 1, at most 5 minutes). */
  backoffSeconds?: number;
  /** Seconds one POST may take (default 10). */
  timeoutSeconds?: number;
  /** Alerts waiting at most; past it the oldest is dropped and logged (default 100). */
  maxQueued?: number;
}

export interface LimitsOptions {
  /** Reports in one request (Reporting API batches, SDK events); default 100. */
  maxReportsPerRequest?: number;
  /** Reports stored for one session (page view); default 500. */
  maxReportsPerSession?: number;
  /** Reports from one client IP in a window; default 600 a minute. `false` turns it off. */
  perIp?: false | { reports: number; windowSeconds: number };
  /**
   * Invalid reports without a session token (the plain collector `{prefix}/report`) stored per
   * client IP in a window; default 10 a minute. Each keeps at most the first 1 KiB of its body;
   * past the limit they are not stored, only counted as dropped (`invalid-body`).
   */
  invalidPerIp?: { reports: number; windowSeconds: number };
  /**
   * IPv6 clients are limited per network of this prefix length, not per address (default 64:
   * one subscriber holds a whole /64 and can send from any address of it). 1 to 128.
   */
  ipv6Prefix?: number;
}

/** How reports are received and what happens to each: bounds, filters, storage, logging, mail, your handlers. */
export interface IngestOptions {
  /** Largest accepted request body of a report or event batch, in bytes (default 64 KiB). */
  maxBodyBytes?: number;
  /** Seconds a client may take to send a report body, else 408 and the connection is closed (default 10). */
  bodyTimeoutSeconds?: number;
  /** Store reports in the database (default true), as django-csp-reports' CSP_REPORTS_SAVE. */
  save?: boolean;
  /** Log each report (default true, at `debug` as "CSP Reports"), as CSP_REPORTS_LOG / _LOG_LEVEL / _LOGGER_NAME. */
  log?: boolean | { level?: LogLevel; name?: string };
  /** E-mail reports to admins through SMTP (default off), as CSP_REPORTS_EMAIL_ADMINS. */
  emailAdmins?: false | EmailAdminsOptions;
  /** Alerts by signed webhook on new problems, anomalies and spikes (default off); see docs/operations.md. */
  webhook?: false | WebhookOptions;
  /** Your own functions, called with each processed report once it is committed. */
  handlers?: ReadonlyArray<ReportHandler>;
  /** Only reports it accepts are processed; the others are counted as dropped. */
  filter?: ReportFilter;
  /** Drop reports whose blocked URI or source file is a browser extension's (default false). */
  filterBrowserExtensions?: boolean;
  /** Extra values stored with each report (JSON column `extra`), in place of django-csp-reports' custom model. */
  extraFields?: (report: ReceivedReport, ctx: Context) => Record<string, unknown> | undefined;
  /** Remove query strings and fragments from stored URLs and raw bodies (default true). */
  stripQuery?: boolean;
  /** Bounds against floods; each answered with 413 or 429. */
  limits?: LimitsOptions;
  /** Origins allowed to send Reporting API reports and SDK events cross-origin (CORS); `'*'` for any. Default: same origin only. */
  reportOrigins?: ReadonlyArray<string> | '*';
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export const INGEST_DEFAULTS = {
  maxBodyBytes: 64 * 1024,
  bodyTimeoutSeconds: DEFAULT_BODY_TIMEOUT_SECONDS,
  save: true,
  log: { level: 'debug', name: 'CSP Reports' },
  email: { subjectPrefix: '[CSP report]', windowSeconds: 10, maxPerHour: 20 },
  webhook: { windowSeconds: 10, spikeReports: 500, attempts: 5, backoffSeconds: 1, timeoutSeconds: 10, maxQueued: 100 },
  filterBrowserExtensions: false,
  stripQuery: true,
  limits: {
    maxReportsPerRequest: 100,
    maxReportsPerSession: 500,
    perIp: { reports: 600, windowSeconds: 60 },
    invalidPerIp: { reports: 10, windowSeconds: 60 },
    ipv6Prefix: DEFAULT_IPV6_PREFIX,
  },
} as const;

/** The ingest options after defaults and validation. */
export interface ResolvedIngestOptions {
  maxBodyBytes: number;
  bodyTimeoutSeconds: number;
  save: boolean;
  log: false | { level: LogLevel; name: string };
  emailAdmins: false | (Required<Omit<EmailAdminsOptions, 'to'>> & { to: string[] });
  webhook: false | Required<WebhookOptions>;
  handlers: ReadonlyArray<ReportHandler>;
  filter: ReportFilter | null;
  filterBrowserExtensions: boolean;
  extraFields: IngestOptions['extraFields'] | null;
  stripQuery: boolean;
  limits: {
    maxReportsPerRequest: number;
    maxReportsPerSession: number;
    perIp: false | { reports: number; windowSeconds: number };
    invalidPerIp: { reports: number; windowSeconds: number };
    ipv6Prefix: number;
  };
  reportOrigins: ReadonlySet<string> | '*';
}

/** Every key of IngestOptions, for refusing the ones that are not (the compiler keeps the list whole). */
export const INGEST_OPTION_KEYS: Record<keyof IngestOptions, true> = {
  maxBodyBytes: true,
  bodyTimeoutSeconds: true,
  save: true,
  log: true,
  emailAdmins: true,
  handlers: true,
  filter: true,
  filterBrowserExtensions: true,
  extraFields: true,
  stripQuery: true,
  limits: true,
  reportOrigins: true,
  webhook: true,
};
const WEBHOOK_KEYS: Record<keyof WebhookOptions, true> = {
  url: true,
  secret: true,
  windowSeconds: true,
  spikeReports: true,
  attempts: true,
  backoffSeconds: true,
  timeoutSeconds: true,
  maxQueued: true,
};
const EMAIL_KEYS: Record<keyof EmailAdminsOptions, true> = {
  to: true,
  from: true,
  transport: true,
  subjectPrefix: true,
  windowSeconds: true,
  maxPerHour: true,
};
const LIMITS_KEYS: Record<keyof LimitsOptions, true> = {
  maxReportsPerRequest: true,
  maxReportsPerSession: true,
  perIp: true,
  invalidPerIp: true,
  ipv6Prefix: true,
};
const WINDOW_KEYS = ['reports', 'windowSeconds'];

export function resolveIngestOptions(options: IngestOptions): ResolvedIngestOptions {
  if (typeof options.log === 'object') knownKeys('log', options.log, ['level', 'name']);
  if (options.emailAdmins) knownKeys('emailAdmins', options.emailAdmins, Object.keys(EMAIL_KEYS));
  if (options.webhook) knownKeys('webhook', options.webhook, Object.keys(WEBHOOK_KEYS));
  if (options.limits !== undefined) {
    knownKeys('limits', options.limits, Object.keys(LIMITS_KEYS));
    knownKeys('limits.perIp', options.limits.perIp, WINDOW_KEYS);
    knownKeys('limits.invalidPerIp', options.limits.invalidPerIp, WINDOW_KEYS);
  }
  return {
    maxBodyBytes: positive('maxBodyBytes', options.maxBodyBytes, INGEST_DEFAULTS.maxBodyBytes),
    bodyTimeoutSeconds: positive('bodyTimeoutSeconds', options.bodyTimeoutSeconds, INGEST_DEFAULTS.bodyTimeoutSeconds),
    save: options.save ?? INGEST_DEFAULTS.save,
    log: resolveLog(options.log),
    emailAdmins: resolveEmail(options.emailAdmins),
    webhook: resolveWebhook(options.webhook),
    handlers: functions('handlers', options.handlers ?? []),
    filter: optionalFunction('filter', options.filter),
    filterBrowserExtensions: options.filterBrowserExtensions ?? INGEST_DEFAULTS.filterBrowserExtensions,
    extraFields: optionalFunction('extraFields', options.extraFields),
    stripQuery: options.stripQuery ?? INGEST_DEFAULTS.stripQuery,
    limits: resolveLimits(options.limits ?? {}),
    reportOrigins: resolveOrigins(options.reportOrigins),
  };
}

function resolveLog(value: IngestOptions['log']): ResolvedIngestOptions['log'] {
  if (value === false) return false;
  const config = value === true || value === undefined ? {} : value;
  const level = config.level ?? INGEST_DEFAULTS.log.level;
  if (!LOG_LEVELS.includes(level))
    throw new OptionsError(`log.level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  return { level, name: config.name ?? INGEST_DEFAULTS.log.name };
}

function resolveEmail(value: IngestOptions['emailAdmins']): ResolvedIngestOptions['emailAdmins'] {
  if (!value) return false;
  const to = (Array.isArray(value.to) ? value.to : [value.to]).filter((address) => typeof address === 'string' && address.includes('@'));
  if (to.length === 0) throw new OptionsError('emailAdmins.to needs at least one e-mail address');
  if (!value.transport || (typeof value.transport !== 'string' && typeof value.transport !== 'object')) {
    throw new OptionsError('emailAdmins.transport must be an SMTP URL or nodemailer SMTP options');
  }
  const defaults = INGEST_DEFAULTS.email;
  return {
    to,
    from: value.from ?? `csp-observer@${hostname()}`,
    transport: value.transport,
    subjectPrefix: value.subjectPrefix ?? defaults.subjectPrefix,
    windowSeconds: positive('emailAdmins.windowSeconds', value.windowSeconds, defaults.windowSeconds),
    maxPerHour: positive('emailAdmins.maxPerHour', value.maxPerHour, defaults.maxPerHour),
  };
}

function resolveWebhook(value: IngestOptions['webhook']): ResolvedIngestOptions['webhook'] {
  if (!value) return false;
  if (typeof value.url !== 'string' || !/^https?:\/\/[^/]/i.test(value.url) || !URL.canParse(value.url)) {
    throw new OptionsError('webhook.url must be an http(s) URL');
  }
  if (typeof value.secret !== 'string' || value.secret.length < 16) throw new OptionsError('webhook.secret must be at least 16 characters');
  const d = INGEST_DEFAULTS.webhook;
  return {
    url: value.url,
    secret: value.secret,
    windowSeconds: positive('webhook.windowSeconds', value.windowSeconds, d.windowSeconds),
    spikeReports: positive('webhook.spikeReports', value.spikeReports, d.spikeReports),
    attempts: positive('webhook.attempts', value.attempts, d.attempts),
    backoffSeconds: positive('webhook.backoffSeconds', value.backoffSeconds, d.backoffSeconds),
    timeoutSeconds: positive('webhook.timeoutSeconds', value.timeoutSeconds, d.timeoutSeconds),
    maxQueued: positive('webhook.maxQueued', value.maxQueued, d.maxQueued),
  };
}

function resolveLimits(value: LimitsOptions): ResolvedIngestOptions['limits'] {
  const defaults = INGEST_DEFAULTS.limits;
  const perIp = value.perIp ?? defaults.perIp;
  return {
    maxReportsPerRequest: positive('limits.maxReportsPerRequest', value.maxReportsPerRequest, defaults.maxReportsPerRequest),
    maxReportsPerSession: positive('limits.maxReportsPerSession', value.maxReportsPerSession, defaults.maxReportsPerSession),
    perIp:
      perIp === false
        ? false
        : {
            reports: positive('limits.perIp.reports', perIp.reports, defaults.perIp.reports),
            windowSeconds: positive('limits.perIp.windowSeconds', perIp.windowSeconds, defaults.perIp.windowSeconds),
          },
    invalidPerIp: {
      reports: positive('limits.invalidPerIp.reports', value.invalidPerIp?.reports, defaults.invalidPerIp.reports),
      windowSeconds: positive('limits.invalidPerIp.windowSeconds', value.invalidPerIp?.windowSeconds, defaults.invalidPerIp.windowSeconds),
    },
    ipv6Prefix: prefixLength('limits.ipv6Prefix', value.ipv6Prefix, defaults.ipv6Prefix),
  };
}

function prefixLength(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > 128)
    throw new OptionsError(`${name} must be a prefix length from 1 to 128, got ${String(value)}`);
  return value;
}

function resolveOrigins(value: IngestOptions['reportOrigins']): ResolvedIngestOptions['reportOrigins'] {
  if (value === undefined) return new Set();
  if (value === '*') return '*';
  if (!Array.isArray(value)) throw new OptionsError(`reportOrigins must be an array of origins or '*'`);
  return originSet('reportOrigins', value);
}

import { serializePolicy } from '@csp-observer/core';
import { sentPolicy } from '../page/csp-header.js';
import type { ResolvedOptions } from '../options.js';

const MASK = '********';

/** A URL with its password (and a `password=` query value) hidden. */
export function maskUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = MASK;
    for (const key of [...url.searchParams.keys()]) if (/pass|secret|token|key/i.test(key)) url.searchParams.set(key, MASK);
    return url.toString();
  } catch {
    return text;
  }
}

/** Any value with secrets hidden: keys that name one are masked, URLs lose their passwords. */
function maskDeep(value: unknown, depth = 0): unknown {
  if (depth > 6) return '…';
  if (typeof value === 'string') return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? maskUrl(value) : value;
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, /pass|secret|token|key|auth/i.test(key) && item ? MASK : maskDeep(item, depth + 1)]),
    );
  }
  return value;
}

function describeDatabase(database: ResolvedOptions['database']): string {
  if (typeof database === 'string') return maskUrl(database);
  if (typeof database === 'function') return 'a knex instance passed by the application';
  const client = (database as { client?: unknown }).client;
  return `knex configuration (${typeof client === 'string' ? client : 'custom client'})`;
}

/** The effective configuration for the Settings view: secrets masked, functions named. */
export function effectiveSettings(options: ResolvedOptions): Record<string, unknown> {
  return {
    prefix: options.prefix,
    database: describeDatabase(options.database),
    migrate: options.migrate,
    secret: `${MASK} (${options.secret.length} characters)`,
    reportOnly: options.reportOnly,
    policy: options.policy,
    policyHeader: serializePolicy(sentPolicy(options)),
    nonces: options.nonces,
    reportSample: options.reportSample,
    injectSdk: options.injectSdk,
    reportingApi: options.reportingApi,
    reportOrigins: options.reportOrigins === '*' ? '*' : [...options.reportOrigins],
    sessionKeepDays: options.sessionKeepDays,
    maxBodyBytes: options.maxBodyBytes,
    limits: options.limits,
    stripQuery: options.stripQuery,
    save: options.save,
    log: options.log,
    emailAdmins: maskDeep(options.emailAdmins),
    handlers: options.handlers.map((handler) => `function ${handler.name || '(anonymous)'}`),
    filter: options.filter ? `function ${options.filter.name || '(anonymous)'}` : null,
    filterBrowserExtensions: options.filterBrowserExtensions,
    extraFields: options.extraFields ? 'function' : null,
    rules: { ...options.rules, source: maskUrl(options.rules.source) },
    popup: options.popup,
    popupLanguage: options.popupLanguage,
    popupStrings: options.popupStrings,
    dataSharingUrl: options.dataSharingUrl === null ? null : maskUrl(options.dataSharingUrl),
    privacyText: options.privacyText === null ? null : `${options.privacyText.length} characters of markdown`,
    admin: {
      token: options.admin.token ? MASK : null,
      password: options.admin.password ? MASK : null,
      authorize: options.admin.authorize ? 'function' : null,
      sessionHours: options.admin.sessionHours,
    },
  };
}

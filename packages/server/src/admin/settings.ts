import { serializePolicy } from '@csp-observer/core';
import { sentPolicy } from '../page/csp-header.js';
import type { ResolvedOptions } from '../options/options.js';

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

function describeDatabase(database: ResolvedOptions['storage']['database']): string {
  if (typeof database === 'string') return maskUrl(database);
  if (typeof database === 'function') return 'a knex instance passed by the application';
  const client = (database as { client?: unknown }).client;
  return `knex configuration (${typeof client === 'string' ? client : 'custom client'})`;
}

/** The effective configuration for the Settings view: secrets masked, functions named. */
export function effectiveSettings(options: ResolvedOptions): Record<string, unknown> {
  return {
    prefix: options.prefix,
    database: describeDatabase(options.storage.database),
    migrate: options.storage.migrate,
    secret: `${MASK} (${options.secret.length} characters)`,
    reportOnly: options.page.reportOnly,
    policy: options.page.policy,
    policyHeader: serializePolicy(sentPolicy(options)),
    nonces: options.page.nonces,
    reportSample: options.page.reportSample,
    injectSdk: options.page.injectSdk,
    reportingApi: options.page.reportingApi,
    reportOrigins: options.ingest.reportOrigins === '*' ? '*' : [...options.ingest.reportOrigins],
    sessionKeepDays: options.storage.sessionKeepDays,
    maxBodyBytes: options.ingest.maxBodyBytes,
    limits: options.ingest.limits,
    stripQuery: options.ingest.stripQuery,
    save: options.ingest.save,
    log: options.ingest.log,
    emailAdmins: maskDeep(options.ingest.emailAdmins),
    handlers: options.ingest.handlers.map((handler) => `function ${handler.name || '(anonymous)'}`),
    filter: options.ingest.filter ? `function ${options.ingest.filter.name || '(anonymous)'}` : null,
    filterBrowserExtensions: options.ingest.filterBrowserExtensions,
    extraFields: options.ingest.extraFields ? 'function' : null,
    rules: { ...options.rules, source: maskUrl(options.rules.source) },
    popup: options.page.popup,
    popupLanguage: options.page.popupLanguage,
    popupStrings: options.page.popupStrings,
    dataSharingUrl: options.visitor.dataSharingUrl === null ? null : maskUrl(options.visitor.dataSharingUrl),
    privacyText: options.visitor.privacyText === null ? null : `${options.visitor.privacyText.length} characters of markdown`,
    admin: {
      token: options.admin.token ? MASK : null,
      password: options.admin.password ? MASK : null,
      authorize: options.admin.authorize ? 'function' : null,
      sessionHours: options.admin.sessionHours,
    },
  };
}

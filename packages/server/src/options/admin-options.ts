import type { Context } from 'koa';
import { knownKeys, optionalFunction, OptionsError, positive } from './option-checks.js';

export interface AdminOptions {
  /** A bearer token for scripts (`Authorization: Bearer …`), also accepted at the login form. At least 16 characters. */
  token?: string;
  /** The password of the login form. At least 10 characters. */
  password?: string;
  /** Your own check (for apps with their own login): true lets the request in. Asked when neither a bearer token nor a login cookie lets the request in. */
  authorize?: (ctx: Context) => boolean | Promise<boolean>;
  /** How long a login lasts, in hours (default 12). */
  sessionHours?: number;
  /**
   * A bearer token that opens `{prefix}/admin/metrics` (Prometheus) and nothing else, for a
   * scraper; at least 16 characters. Default: none (the metrics take the admin's own ways in).
   */
  metricsToken?: string;
}

export const ADMIN_DEFAULTS = { sessionHours: 12, metricsToken: null } as const;

export interface ResolvedAdminOptions {
  token: string | null;
  password: string | null;
  authorize: AdminOptions['authorize'] | null;
  sessionHours: number;
  metricsToken: string | null;
}

/** Token and password from the option, else from `CSP_OBSERVER_ADMIN_TOKEN` / `CSP_OBSERVER_ADMIN_PASSWORD`. */
export function resolveAdmin(value: AdminOptions, env: NodeJS.ProcessEnv): ResolvedAdminOptions {
  if (!value || typeof value !== 'object') throw new OptionsError('admin must be an object like { password } or { authorize(ctx) }');
  knownKeys('admin', value, ['token', 'password', 'authorize', 'sessionHours', 'metricsToken'] satisfies Array<keyof AdminOptions>);
  const token = value.token ?? (env.CSP_OBSERVER_ADMIN_TOKEN || undefined);
  const password = value.password ?? (env.CSP_OBSERVER_ADMIN_PASSWORD || undefined);
  if (token !== undefined && (typeof token !== 'string' || token.length < 16)) {
    throw new OptionsError('admin.token (or CSP_OBSERVER_ADMIN_TOKEN) must be at least 16 characters');
  }
  if (password !== undefined && (typeof password !== 'string' || password.length < 10)) {
    throw new OptionsError('admin.password (or CSP_OBSERVER_ADMIN_PASSWORD) must be at least 10 characters');
  }
  const metricsToken = value.metricsToken ?? (env.CSP_OBSERVER_METRICS_TOKEN || undefined);
  if (metricsToken !== undefined && (typeof metricsToken !== 'string' || metricsToken.length < 16)) {
    throw new OptionsError('admin.metricsToken (or CSP_OBSERVER_METRICS_TOKEN) must be at least 16 characters');
  }
  return {
    token: token ?? null,
    password: password ?? null,
    authorize: optionalFunction('admin.authorize', value.authorize),
    sessionHours: positive('admin.sessionHours', value.sessionHours, ADMIN_DEFAULTS.sessionHours),
    metricsToken: metricsToken ?? ADMIN_DEFAULTS.metricsToken,
  };
}

/** Whether any way into the admin is configured; without one it stays closed. */
export function adminIsOpen(admin: ResolvedAdminOptions): boolean {
  return Boolean(admin.token || admin.password || admin.authorize);
}

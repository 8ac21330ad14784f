import { validatePolicy, type Policy } from '@csp-observer/core';
import type { Knex } from 'knex';
import type { Context } from 'koa';
import type { Logger } from './logger.js';

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
}

/** The seed's default policy (django-csp-observer CSP_POLICIES). */
export const DEFAULT_POLICY: Policy = {
  'default-src': ["'self'"],
  'script-src': ["'self'", "'unsafe-inline'"],
  'connect-src': ["'self'"],
};

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

/** Applies defaults and validates; throws OptionsError with the option's name. */
export function resolveOptions(options: CspObserverOptions): ResolvedOptions {
  if (!options || typeof options !== 'object') throw new OptionsError('cspObserver(options) needs an options object');
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
    sessionKeepDays: positive('sessionKeepDays', options.sessionKeepDays, 14),
    maxBodyBytes: positive('maxBodyBytes', options.maxBodyBytes, 64 * 1024),
  };
}

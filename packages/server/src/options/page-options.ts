import {
  mergePopupStrings,
  parsePolicy,
  POPUP_MODES,
  validatePolicy,
  type Policy,
  type PopupMode,
  type PopupStrings,
} from '@csp-observer/core';
import type { Context } from 'koa';
import { knownKeys, OptionsError } from './option-checks.js';

/** Paths on which the middleware sets its policy: regexes matched from the start of the path. */
export type EnabledPaths = ReadonlyArray<string | RegExp> | ((ctx: Context) => boolean);

/** What the middleware does to the pages of the app: the policy it sends, nonces, the SDK tag and its popup. */
export interface PageOptions {
  /** Send `Content-Security-Policy-Report-Only` (default true) instead of enforcing. */
  reportOnly?: boolean;
  /**
   * Your directives, merged over the default policy (`DEFAULT_POLICY`) as helmet's `directives`
   * are: a directive you give replaces the default's, `null` removes a default directive, the
   * others stay (so giving `script-src` keeps `default-src`). Names in dash-case or camelCase
   * (`scriptSrc`, as helmet takes them); keywords quoted (`"'self'"`). A string is a policy as
   * sent in a header (your app's existing policy, adopted). See docs/configuration.md, "Policy".
   */
  policy?: PolicyOption;
  /** Merge `policy` over the default policy (default true, as helmet's `useDefaults`); false: `policy` is the whole policy. */
  useDefaults?: boolean;
  /** Default `["/"]` (every path). Strings are regexes anchored at the start of the path. */
  enabledPaths?: EnabledPaths;
  /** Add the response's nonce to `<script>` and `<style>`/`<link rel=stylesheet>` tags lacking one. */
  nonces?: { script?: boolean; style?: boolean };
  /** Add `'report-sample'` to script-src and style-src so reports carry the first 40 characters (default true). */
  reportSample?: boolean;
  /** Inject the SDK `<script>` tag into HTML responses (default true). */
  injectSdk?: boolean;
  /** Also send `Reporting-Endpoints` and `report-to` on HTTPS responses (default false), as django-csp-observer's USE_NEW_API. */
  reportingApi?: boolean;
  /** The visitor's popup, as django-csp-observer's CLIENTUI_VISIBILITY: `always` (default), `minimized` (only on a problem) or `off`. */
  popup?: PopupMode;
  /** The popup's language (`en`, `de`, `fr`); default each page's `<html lang>`, English when unknown. */
  popupLanguage?: string;
  /** Your own words for the popup (any language), laid over the built-in ones; `{n}` is the number of problems. */
  popupStrings?: Partial<PopupStrings>;
}

/** Directives by name (dash-case or camelCase); `null` removes a default directive. Or a whole policy as a header value. */
export type PolicyOption = Readonly<Record<string, readonly string[] | null>> | string;

/**
 * The policy sent by default: django-csp-observer's CSP_POLICIES (`default-src 'self'; script-src
 * 'self' 'unsafe-inline'; connect-src 'self'`) with what the policy assistant asks of every
 * policy: `object-src 'none'` (no plugins) and `base-uri 'self'` (no injected `<base>`).
 * 'unsafe-inline' only speaks to browsers older than nonces: beside the nonce it is ignored.
 */
export const DEFAULT_POLICY: Policy = {
  'default-src': ["'self'"],
  'script-src': ["'self'", "'unsafe-inline'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
};

export const PAGE_DEFAULTS = {
  reportOnly: true,
  useDefaults: true,
  nonces: { script: true, style: true },
  reportSample: true,
  injectSdk: true,
  reportingApi: false,
  popup: 'always',
} as const satisfies PageOptions;

/** The page options after defaults and validation. */
export interface ResolvedPageOptions {
  reportOnly: boolean;
  policy: Policy;
  isEnabledPath: (ctx: Context) => boolean;
  nonces: { script: boolean; style: boolean };
  reportSample: boolean;
  injectSdk: boolean;
  reportingApi: boolean;
  popup: PopupMode;
  popupLanguage: string | null;
  popupStrings: Partial<PopupStrings> | null;
}

/** Every key of PageOptions, for refusing the ones that are not (the compiler keeps the list whole). */
export const PAGE_OPTION_KEYS: Record<keyof PageOptions, true> = {
  reportOnly: true,
  policy: true,
  useDefaults: true,
  enabledPaths: true,
  nonces: true,
  reportSample: true,
  injectSdk: true,
  reportingApi: true,
  popup: true,
  popupLanguage: true,
  popupStrings: true,
};

export function resolvePageOptions(options: PageOptions): ResolvedPageOptions {
  if (options.nonces !== undefined) knownKeys('nonces', options.nonces, ['script', 'style']);
  const useDefaults = options.useDefaults ?? PAGE_DEFAULTS.useDefaults;
  if (typeof useDefaults !== 'boolean') throw new OptionsError(`useDefaults must be true or false, got ${JSON.stringify(useDefaults)}`);
  return {
    reportOnly: options.reportOnly ?? PAGE_DEFAULTS.reportOnly,
    policy: resolvePolicy(options.policy, useDefaults),
    isEnabledPath: compileEnabledPaths(options.enabledPaths),
    nonces: { script: options.nonces?.script ?? PAGE_DEFAULTS.nonces.script, style: options.nonces?.style ?? PAGE_DEFAULTS.nonces.style },
    reportSample: options.reportSample ?? PAGE_DEFAULTS.reportSample,
    injectSdk: options.injectSdk ?? PAGE_DEFAULTS.injectSdk,
    reportingApi: options.reportingApi ?? PAGE_DEFAULTS.reportingApi,
    popup: resolvePopup(options.popup),
    popupLanguage: resolvePopupLanguage(options.popupLanguage),
    popupStrings: resolvePopupStrings(options.popupStrings),
  };
}

function resolvePolicy(value: PolicyOption | undefined, useDefaults: boolean): Policy {
  const merged = mergedPolicy(value, useDefaults);
  let policy: Policy;
  try {
    policy = validatePolicy(merged);
  } catch (error) {
    throw new OptionsError(`policy: ${(error as Error).message}`);
  }
  for (const reserved of ['report-uri', 'report-to']) {
    if (reserved in policy) throw new OptionsError(`policy must not set ${reserved}: csp-observer adds it per session`);
  }
  if (Object.keys(policy).length === 0) throw new OptionsError('policy has no directive left: give at least one, or leave useDefaults on');
  return policy;
}

/** The user's directives over the defaults (unless `useDefaults` is false), names in dash-case. */
function mergedPolicy(value: PolicyOption | undefined, useDefaults: boolean): Policy {
  if (value === undefined) {
    if (!useDefaults) throw new OptionsError('useDefaults: false needs a policy: with neither, no directive would be sent');
    return DEFAULT_POLICY;
  }
  if (value === null || (typeof value !== 'string' && (typeof value !== 'object' || Array.isArray(value)))) {
    throw new OptionsError(`policy must be an object of directive -> sources, or a policy string, got ${JSON.stringify(value)}`);
  }
  const given = typeof value === 'string' ? parsePolicy(value) : value;
  const merged: Record<string, readonly string[]> = useDefaults ? { ...DEFAULT_POLICY } : {};
  const seen = new Set<string>();
  for (const [rawName, sources] of Object.entries(given)) {
    const name = dashCase(rawName);
    if (seen.has(name)) throw new OptionsError(`policy: Content-Security-Policy received a duplicate directive "${rawName}"`);
    seen.add(name);
    if (sources === null) delete merged[name];
    else merged[name] = sources;
  }
  return merged;
}

/** `scriptSrc` -> `script-src`, as helmet takes directive names; dash-case names stay. */
function dashCase(name: string): string {
  return /^[a-z]+(?:[A-Z][a-z]*)+$/.test(name) ? name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`) : name.toLowerCase();
}

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

function resolvePopup(value: PopupMode | undefined): PopupMode {
  if (value === undefined) return PAGE_DEFAULTS.popup;
  if (!POPUP_MODES.includes(value)) throw new OptionsError(`popup must be one of ${POPUP_MODES.join(', ')}, got ${JSON.stringify(value)}`);
  return value;
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
  if (!value || typeof value !== 'object')
    throw new OptionsError('popupStrings must be an object of popup texts (see docs/configuration.md)');
  const known = mergePopupStrings({} as PopupStrings, value);
  const unknown = Object.keys(value).filter((key) => !(key in known));
  if (unknown.length) throw new OptionsError(`popupStrings: unknown or empty text ${unknown.map((k) => JSON.stringify(k)).join(', ')}`);
  return known;
}

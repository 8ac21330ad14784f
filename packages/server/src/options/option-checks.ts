import { didYouMean } from '@csp-observer/core';

/** Raised by `cspObserver()` for options it cannot work with; the message names the option. */
export class OptionsError extends Error {
  override name = 'CspObserverOptionsError';
}

/** A positive number, or `fallback` when unset. */
export function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new OptionsError(`${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}

/** An absolute http(s) URL, or null for anything else. */
export function httpUrl(value: unknown): URL | null {
  try {
    const url = typeof value === 'string' ? new URL(value) : null;
    return url && (url.protocol === 'https:' || url.protocol === 'http:') ? url : null;
  } catch {
    return null;
  }
}

/** Origins like `https://shop.example` (scheme, host, port and nothing else), as a set. */
export function originSet(name: string, origins: ReadonlyArray<string>): ReadonlySet<string> {
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

export function functions<T>(name: string, value: ReadonlyArray<T>): ReadonlyArray<T> {
  if (!Array.isArray(value) || value.some((f) => typeof f !== 'function')) throw new OptionsError(`${name} must be an array of functions`);
  return value;
}

export function optionalFunction<T>(name: string, value: T | undefined): T | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'function') throw new OptionsError(`${name} must be a function`);
  return value;
}

/**
 * Options of helmet and koa-helmet that mean something else here, with what to write instead:
 * refused with that hint rather than the closest name.
 */
const HELMET_NAMES: Readonly<Record<string, string>> = {
  directives: 'csp-observer calls the directives "policy" (merged over the defaults, as helmet does)',
  contentSecurityPolicy: 'give its directives to "policy", and its reportOnly to "reportOnly"',
  reportUri: 'csp-observer sets report-uri itself, per page view',
};

/**
 * Refuses keys of an options object that are not among `known`, naming the closest known key
 * ("did you mean …?"): a misspelt option would otherwise be ignored without a word. Keys set to
 * `undefined` pass (spreading optional values is common). `name` is the object's place, "" at the top.
 */
export function knownKeys(name: string, value: unknown, known: Iterable<string>): void {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return;
  const allowed = new Set(known);
  for (const key of Object.keys(value)) {
    if (allowed.has(key) || (value as Record<string, unknown>)[key] === undefined) continue;
    const where = name ? `${name}.${key}` : key;
    const hint = name === '' && HELMET_NAMES[key] ? ` (${HELMET_NAMES[key]})` : didYouMean(key, allowed);
    throw new OptionsError(`unknown option ${where}${hint}; the options are in docs/configuration.md`);
  }
}

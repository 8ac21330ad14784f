import type { Violation } from '../violation.js';

/**
 * The keywords browsers put where a URL would be: not schemes. Old Firefox said `self` for an
 * inline violation.
 */
const KEYWORDS = new Set([
  'inline',
  'eval',
  'wasm-eval',
  'self',
  'trusted-types-policy',
  'trusted-types-sink',
  'unsafe-inline',
  'unsafe-eval',
]);
/** A URL scheme alone (schemes are short): `chrome-extension`, `data`. */
const BARE_WORD = /^[a-z][a-z0-9+.-]{0,63}$/i;

/**
 * A blocked URI or source file as rules see it: Chromium strips URLs of schemes other than
 * http(s) to the bare scheme (`chrome-extension`, `moz-extension`, `data`), so a bare scheme is
 * written `scheme:`, and a rule for `^chrome-extension:` matches both spellings.
 */
export function matchUrl(value: string): string {
  return BARE_WORD.test(value) && !KEYWORDS.has(value.toLowerCase()) ? `${value}:` : value;
}

/**
 * The blocked URI as rules see it: `matchUrl`, and inline code under every spelling browsers used
 * (`inline`; old Firefox's `self`; nothing at all, with a sample, from old browsers).
 */
export function matchBlockedUri(v: Pick<Violation, 'blockedUri' | 'sample'>): string {
  const blocked = v.blockedUri.trim();
  if (blocked.toLowerCase() === 'self' || (blocked === '' && v.sample !== '')) return 'inline';
  return matchUrl(blocked);
}

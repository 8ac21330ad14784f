import { httpUrl, OptionsError } from './option-checks.js';

/** What the visitor pages (scan page, privacy page) say and offer. */
export interface VisitorOptions {
  /**
   * Where the scan page lets a visitor share a page view's unexplained reports (django-csp-observer's
   * VOLUNTARY_DATA_SHARING_URL): an http(s) URL the server POSTs JSON to, only on the visitor's
   * click. Unset (default): no sharing at all.
   */
  dataSharingUrl?: string;
  /** Markdown that replaces the text of `{prefix}/privacy`. */
  privacyText?: string;
}

export interface ResolvedVisitorOptions {
  dataSharingUrl: string | null;
  privacyText: string | null;
}

/** Every key of VisitorOptions, for refusing the ones that are not (the compiler keeps the list whole). */
export const VISITOR_OPTION_KEYS: Record<keyof VisitorOptions, true> = { dataSharingUrl: true, privacyText: true };

export function resolveVisitorOptions(options: VisitorOptions): ResolvedVisitorOptions {
  return { dataSharingUrl: resolveSharingUrl(options.dataSharingUrl), privacyText: resolvePrivacyText(options.privacyText) };
}

function resolveSharingUrl(value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  const url = httpUrl(value);
  if (!url) throw new OptionsError(`dataSharingUrl must be an http(s) URL, got ${JSON.stringify(value)}`);
  return url.href;
}

function resolvePrivacyText(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || !value.trim()) throw new OptionsError('privacyText must be a non-empty markdown string');
  return value;
}

import { resolveConfig, type SdkInit } from './config.js';
import { observe } from './observe.js';

export type { SdkConfig, SdkInit } from './config.js';

/**
 * Starts csp-observer in a bundled app. Prefer the script tag as early in `<head>` as possible:
 * violations that happen before `init()` runs are only seen through the buffered
 * ReportingObserver (Chromium) and the browser's own reports.
 *
 * @example init({ token: window.__CSP_SESSION__, endpoint: '/csp' })
 * @returns false without a token, or when the SDK already runs on the page.
 */
export function init(options: SdkInit): boolean {
  const config = resolveConfig(options);
  return config ? observe(config) : false;
}

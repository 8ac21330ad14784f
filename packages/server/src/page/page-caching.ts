import type { Context } from 'koa';
import { responseHeader } from '../http/response-header.js';

/**
 * What keeps a nonced page out of caches and conditional requests: a page's nonce and session
 * token are new on every response, so no cache may keep one for later and no 304 may pair a new
 * policy with an old body (a browser keeps the body it has and takes the 304's headers: the new
 * nonce, which the old body lacks; w3c/webappsec-csp#815).
 */

/** Request headers that let the app answer 304 Not Modified. */
const CONDITIONALS = ['if-none-match', 'if-modified-since'] as const;
/** Where a browser's `Sec-Fetch-Dest` says the response becomes a document (one the policy governs). */
const DOCUMENT_DESTINATIONS = new Set(['document', 'iframe', 'frame', 'embed', 'object']);

/**
 * Whether a request asks for a document: `Sec-Fetch-Dest` where the browser sends it (every engine
 * since 2023), else an `Accept` that names HTML (as navigations do).
 */
export function isDocumentRequest(headers: Context['request']['headers']): boolean {
  const dest = headers['sec-fetch-dest'];
  if (typeof dest === 'string' && dest !== '') return DOCUMENT_DESTINATIONS.has(dest.toLowerCase());
  const accept = headers.accept;
  return typeof accept === 'string' && /\btext\/html\b|\bapplication\/xhtml\+xml\b/i.test(accept);
}

/**
 * Removes the validators from a document request before the app sees it, so that no ETag or
 * conditional-get middleware answers 304 for a page the middleware will nonce. A non-document
 * request (an image, a script, a fetch) keeps them: its 304 carries no page.
 */
export function dropConditionals(ctx: Context): void {
  const { headers } = ctx.request;
  for (const name of CONDITIONALS) delete headers[name];
}

/** A response's `Cache-Control` allows a cache to keep it (anything but `no-store`). */
function allowsStorage(cacheControl: string): boolean {
  return !/(?:^|,)\s*no-store\s*(?:,|$)/i.test(cacheControl);
}

/** Validators: they let a client revalidate a page (and get a 304). Removed without a word. */
const VALIDATORS = ['ETag', 'Last-Modified'] as const;
/** Lifetimes and CDN directives: they let a cache keep a page. Removed, and what they said reported. */
const LIFETIMES = ['Expires', 'CDN-Cache-Control', 'Surrogate-Control'] as const;

/** Directives that let a cache reuse a page without asking (or let a shared cache keep it). */
const REUSABLE = /(?:^|,)\s*(?:public|s-maxage|immutable|stale-while-revalidate|stale-if-error|max-age\s*=\s*"?[1-9])/i;

/**
 * Makes a nonced page uncacheable: `Cache-Control: private, no-store` unless it already says
 * no-store, and no validators, expiry or CDN directives. Returns what the app had set that would
 * have let a cache hand the page out again (for the warning), or '' (nothing, or only directives
 * like `no-cache` and `private` that a no-store merely tightens).
 */
export function makeUncacheable(ctx: Context): string {
  const cacheControl = responseHeader(ctx, 'Cache-Control');
  let overridden = '';
  if (allowsStorage(cacheControl)) {
    if (REUSABLE.test(cacheControl)) overridden = `Cache-Control: ${cacheControl}`;
    ctx.set('Cache-Control', 'private, no-store');
  }
  for (const name of VALIDATORS) ctx.remove(name);
  for (const name of LIFETIMES) {
    const value = responseHeader(ctx, name);
    if (value === '') continue;
    if (overridden === '') overridden = `${name}: ${value}`;
    ctx.remove(name);
  }
  return overridden;
}

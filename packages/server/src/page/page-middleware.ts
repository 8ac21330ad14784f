import { Readable } from 'node:stream';
import { EN_POPUP_STRINGS, mergePopupStrings, popupStringsFor, type PopupStrings } from '@csp-observer/core';
import type { Context, Next } from 'koa';
import type { ResolvedOptions } from '../options/options.js';
import { ownOrigin } from '../http/own-origin.js';
import { mintSessionToken, mintSiteToken } from '../session/session-token.js';
import { sessionPolicyOf } from './session-policy.js';
import { createNonce } from '../http/nonce.js';
import { cspHeaderBuilder, REPORTING_GROUP } from './csp-header.js';
import { escapeHtml } from '../http/html-page.js';
import { rewriteHtml, rewriteHtmlStream, type RewriteSpec } from './html-rewriter.js';

/** What the middleware leaves on `ctx.state` for the app's templates. */
export interface CspObserverState {
  /** The nonce of this response's policy: put it on inline scripts and styles the app renders. */
  cspNonce: string;
  /** The session token of this page view. */
  cspSession: string;
}

function isUtf8Html(ctx: Context): boolean {
  if (!ctx.response.is('html')) return false;
  const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(ctx.response.get('Content-Type'))?.[1];
  return charset === undefined || /^utf-?8$/i.test(charset);
}

/**
 * For pages on enabled paths: mints the session token and nonce, sets the policy header, and
 * rewrites HTML bodies to carry the nonce and the SDK tag.
 */
export function pageMiddleware(options: ResolvedOptions) {
  const header = cspHeaderBuilder(options);
  const rewriteTags = options.page.nonces.script || options.page.nonces.style || options.page.injectSdk;
  const mint = tokenMinter(options);

  return async function cspObserverPage(ctx: Context, next: Next): Promise<void> {
    if (!options.page.isEnabledPath(ctx)) return next();
    const nonce = createNonce();
    const token = mint();
    const state = ctx.state as CspObserverState;
    state.cspNonce = nonce;
    state.cspSession = token;
    // Measured in Chromium: on plain HTTP, report-to silences report-uri too and yields no
    // report at all; on HTTPS it replaces report-uri. So only HTTPS responses get it.
    const reportTo = options.page.reportingApi && ctx.secure;
    if (reportTo)
      ctx.set('Reporting-Endpoints', `${REPORTING_GROUP}="${options.remote ? '' : ownOrigin(ctx)}${options.endpoint}/reports/${token}"`);
    ctx.set(header.name, header.value(nonce, token, reportTo));

    await next();

    if (!rewriteTags || ctx.method === 'HEAD' || ctx.body == null || ctx.response.get('Content-Encoding')) return;
    if (!isUtf8Html(ctx)) return;
    const spec: RewriteSpec = {
      nonce,
      scriptNonce: options.page.nonces.script,
      styleNonce: options.page.nonces.style,
      ...(options.page.injectSdk ? { inject: (lang: string) => sdkTag(options, nonce, token, lang) } : {}),
    };
    const body: unknown = ctx.body;
    const type = ctx.response.get('Content-Type');
    if (typeof body === 'string') ctx.body = await rewriteHtml(body, spec);
    else if (Buffer.isBuffer(body)) ctx.body = await rewriteHtml(body.toString('utf8'), spec);
    else if (body instanceof Readable) {
      ctx.remove('Content-Length');
      ctx.body = rewriteHtmlStream(body, spec);
    } else return;
    ctx.type = type;
    if (!ctx.response.get('Cache-Control')) ctx.set('Cache-Control', 'private, no-store');
  };
}

/**
 * Mints page views' tokens: signed with this server's secret, or in remote mode with the site's
 * secret at the collector, carrying what the site's policy lets the collector's verdict expect.
 */
function tokenMinter(options: ResolvedOptions): () => string {
  const { remote } = options;
  if (!remote) return () => mintSessionToken(options.secret).token;
  const policy = sessionPolicyOf(options);
  return () => mintSiteToken(remote.site, options.secret, policy).token;
}

/**
 * The SDK tag: blocking and first in `<head>`, so its listener is there before any violation.
 * The popup's words in the page's language ride along in `data-strings` (the SDK knows English).
 */
export function sdkTag(options: PopupTagOptions, nonce: string, token: string, lang = ''): string {
  const { endpoint } = options;
  const { popup } = options.page;
  const strings = popup === 'off' ? '' : popupStringsAttribute(options, lang);
  const src = escapeHtml(endpoint);
  return `<script src="${src}/sdk.js" nonce="${nonce}" data-session="${token}" data-endpoint="${src}" data-popup="${popup}"${strings}></script>`;
}

type PopupTagOptions = Pick<ResolvedOptions, 'endpoint' | 'page'>;

/** ` data-strings="..."` with the strings that differ from the SDK's English, or "" (cached per language). */
const attributeCache = new WeakMap<PopupTagOptions, Map<string, string>>();
function popupStringsAttribute(options: PopupTagOptions, pageLang: string): string {
  const lang = (options.page.popupLanguage ?? pageLang).toLowerCase();
  let cache = attributeCache.get(options);
  if (!cache) attributeCache.set(options, (cache = new Map()));
  let attribute = cache.get(lang);
  if (attribute === undefined) {
    const strings = mergePopupStrings(popupStringsFor(lang), options.page.popupStrings);
    const changed = Object.fromEntries(
      Object.entries(strings).filter(([key, value]) => EN_POPUP_STRINGS[key as keyof PopupStrings] !== value),
    );
    attribute = Object.keys(changed).length ? ` data-strings="${escapeHtml(JSON.stringify(changed))}"` : '';
    // Page languages come from the pages: bound what is kept.
    if (cache.size < 64) cache.set(lang, attribute);
  }
  return attribute;
}

import { pipeline, Readable } from 'node:stream';
import { EN_POPUP_STRINGS, mergePopupStrings, popupStringsFor, type PopupStrings } from '@csp-observer/core';
import type { Context, Next } from 'koa';
import type { ResolvedOptions } from '../options/options.js';
import { ownOrigin } from '../http/own-origin.js';
import { responseHeader } from '../http/response-header.js';
import { tokenMinter } from '../session/session-token.js';
import { sessionPolicyOf } from './session-policy.js';
import { createNonce } from '../http/nonce.js';
import { cspHeaderBuilder, REPORTING_GROUP } from './csp-header.js';
import { escapeHtml } from '../http/html-page.js';
import { htmlRewriteTransform, rewriteHtml, rewriteHtmlStream, type RewriteSpec } from './html-rewriter.js';
import { bodyCharset, type BodyCharset } from './body-charset.js';
import { contentCoding, type ContentCoding } from './content-coding.js';
import { dropConditionals, isDocumentRequest, makeUncacheable } from './page-caching.js';
import { PageWarnings } from './page-warnings.js';
import { RewriteCache } from './rewrite-cache.js';
import type { Logger } from '../logger.js';

/** What the middleware leaves on `ctx.state` for the app's templates. */
export interface CspObserverState {
  /** The nonce of this response's policy: put it on inline scripts and styles the app renders. */
  cspNonce: string;
  /** The session token of this page view. */
  cspSession: string;
}

/**
 * For pages on enabled paths: mints the session token and nonce, sets the policy header, and
 * rewrites HTML bodies to carry the nonce and the SDK tag. Around the app it keeps a page's policy
 * and body paired whatever the middleware stacked inside or outside it does (docs/configuration.md,
 * "Stacking"): no 304 and no cache hands out a nonce twice, a compressed page is decompressed and
 * compressed again, and a page it cannot rewrite (another policy of the same kind, a charset or
 * coding it cannot read, an error) is sent without its policy rather than with nonces it lacks.
 * Each of those is logged once per kind, with the fix.
 */
export function pageMiddleware(options: ResolvedOptions, logger: Logger) {
  const header = cspHeaderBuilder(options);
  const otherHeader = header.name === 'Content-Security-Policy' ? 'Content-Security-Policy-Report-Only' : 'Content-Security-Policy';
  const rewriteTags = options.page.nonces.script || options.page.nonces.style || options.page.injectSdk;
  // Page views' tokens: signed with this server's secret, or in remote mode with the site's secret
  // at the collector, carrying what the site's policy lets the collector's verdict expect.
  const mint = options.remote
    ? tokenMinter(options.secret, { id: options.remote.site, policy: sessionPolicyOf(options) })
    : tokenMinter(options.secret);
  const warn = new PageWarnings(logger, header.name);
  const rewrites = new RewriteCache();

  return async function cspObserverPage(ctx: Context, next: Next): Promise<void> {
    if (!options.page.isEnabledPath(ctx)) return next();
    const nonce = createNonce();
    const token = mint();
    const state = ctx.state as CspObserverState;
    state.cspNonce = nonce;
    state.cspSession = token;
    // A middleware outside (koa-helmet mounted first) already set a policy of this kind: it stands.
    if (responseHeader(ctx, header.name) !== '') {
      warn.conflict(ctx.path, 'before');
      return next();
    }
    if (isDocumentRequest(ctx.request.headers)) dropConditionals(ctx);
    // Measured in Chromium: on plain HTTP, report-to silences report-uri too and yields no
    // report at all; on HTTPS it replaces report-uri. So only HTTPS responses get it.
    const reportTo = options.page.reportingApi && ctx.secure;
    const endpoints = reportTo ? `${REPORTING_GROUP}="${options.remote ? '' : ownOrigin(ctx)}${options.endpoint}/reports/${token}"` : '';
    if (reportTo) ctx.set('Reporting-Endpoints', endpoints);
    const policy = header.value(nonce, token, reportTo);
    ctx.set(header.name, policy);
    const withdraw = () => {
      if (responseHeader(ctx, header.name) === policy) ctx.remove(header.name);
      if (reportTo && responseHeader(ctx, 'Reporting-Endpoints') === endpoints) ctx.remove('Reporting-Endpoints');
    };

    try {
      await next();
    } catch (error) {
      // The page an error handler outside renders has none of this response's nonces.
      withdraw();
      throw error;
    }

    const now = responseHeader(ctx, header.name);
    if (now !== policy) {
      // A middleware inside (koa-helmet mounted after) replaced the policy: one policy, the app's.
      if (now !== '') {
        withdraw(); // the policy header is theirs now: only our Reporting-Endpoints goes
        warn.conflict(ctx.path, 'after');
      }
      return;
    }
    // A 304 keeps the cached page and takes these headers: its nonce would not be the page's. A 206
    // is a part of a page that cannot be rewritten. Neither gets this response's policy.
    if (ctx.status === 304 || ctx.status === 206) return withdraw();
    // Not a page (JSON, an image, an empty answer, a worker's script, which this policy would govern).
    const type = responseHeader(ctx, 'Content-Type');
    if (!isHtml(type)) return withdraw();
    if (responseHeader(ctx, otherHeader) !== '') warn.beside(ctx.path, otherHeader);
    const overridden = makeUncacheable(ctx);
    if (overridden !== '') warn.cache(ctx.path, overridden);
    if (!rewriteTags || ctx.body == null) return;

    const body: unknown = ctx.body;
    const encoding = responseHeader(ctx, 'Content-Encoding');
    const coding = contentCoding(encoding);
    if (coding === undefined || (coding !== null && typeof body === 'string')) {
      warn.coding(ctx.path, encoding);
      return withdraw();
    }
    if (typeof body === 'string') {
      // Koa sends a string as UTF-8, whatever charset the Content-Type names; so do we (a large page
      // as bytes, encoded once: rewrite-cache.ts).
      // Koa keeps the Content-Type a response has when its body changes.
      ctx.body = rewrites.rewrite(body, specOf(options, nonce, token, 'utf8'));
      return;
    }
    const bytes = Buffer.isBuffer(body) ? body : null;
    if (!bytes && !(body instanceof Readable)) return withdraw();
    const charset = bodyCharset(type, coding === null ? (bytes ?? undefined) : undefined);
    if (charset === null) {
      warn.charset(ctx.path, type);
      return withdraw();
    }
    const spec = specOf(options, nonce, token, charset);
    if (bytes && coding === null) {
      ctx.body =
        charset === 'utf8'
          ? rewrites.rewrite(bytes.toString('utf8'), spec)
          : Buffer.from(rewriteHtml(bytes.toString('latin1'), spec), 'latin1');
    } else if (ctx.method === 'HEAD') {
      // Nothing is sent: only the length, which the rewrite changes, is unknown now.
      ctx.remove('Content-Length');
      return;
    } else {
      if (coding !== null) warn.compressed(ctx.path, coding.name);
      const source = bytes ? Readable.from([bytes]) : (body as Readable);
      ctx.remove('Content-Length');
      ctx.body = coding === null ? rewriteHtmlStream(source, spec) : recoded(source, coding, spec);
    }
  };
}

/** `text/html`, as `ctx.response.is('html')` reads it, without parsing the media type each time. */
function isHtml(contentType: string): boolean {
  return /^\s*text\/html\s*(?:;|$)/i.test(contentType);
}

/** A compressed page decompressed, rewritten and compressed again with the same coding. */
function recoded(source: Readable, coding: ContentCoding, spec: RewriteSpec): Readable {
  const encoder = coding.encoder();
  // pipeline destroys every stage on an error; the last one's error reaches Koa, which logs it.
  pipeline(source, coding.decoder(), htmlRewriteTransform(spec), encoder, () => {});
  return encoder;
}

function specOf(options: ResolvedOptions, nonce: string, token: string, encoding: BodyCharset): RewriteSpec {
  return {
    nonce,
    scriptNonce: options.page.nonces.script,
    styleNonce: options.page.nonces.style,
    encoding,
    ...(options.page.injectSdk ? { inject: (lang: string) => sdkTag(options, nonce, token, lang) } : {}),
  };
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

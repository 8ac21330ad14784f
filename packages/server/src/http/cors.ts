import type { Context } from 'koa';
import { HttpError } from './http-error.js';
import { ownOrigin } from './own-origin.js';

/** The origins that may call an endpoint from a page: a set of exact origins, or any (`*`). */
export type AllowedOrigins = ReadonlySet<string> | '*';

/**
 * Whether a request's Origin may send to the CORS endpoints. No Origin or our own is always fine,
 * and so is `null`: WebKit delivers Reporting API reports with `Origin: null`, and an opaque
 * origin is no more able to send than a client without one. Every route that calls this holds a
 * signed session token, which is the authority: the origin check only keeps other sites' pages
 * from posting in a visitor's name.
 */
function allowedOrigin(ctx: Context, allowed: AllowedOrigins): string | null | false {
  const origin = ctx.get('Origin');
  if (!origin || origin === 'null' || origin === ownOrigin(ctx)) return null;
  if (allowed === '*' || allowed.has(origin)) return origin;
  return false;
}

/**
 * For endpoints that browsers reach with CORS (Reporting API deliveries, SDK batches): refuses a
 * foreign origin that is not allowed (403: nothing is stored), and allows the others.
 */
export function applyCors(ctx: Context, allowed: AllowedOrigins): void {
  const origin = allowedOrigin(ctx, allowed);
  ctx.vary('Origin');
  if (origin === false) throw new HttpError(403, `origin ${ctx.get('Origin')} may not send reports here`);
  if (origin) ctx.set('Access-Control-Allow-Origin', origin);
}

/**
 * Answers a CORS preflight. Never 410: a browser that gets it drops the reporting endpoint
 * for good.
 */
export function answerPreflight(ctx: Context, allowed: AllowedOrigins): void {
  applyCors(ctx, allowed);
  ctx.set('Access-Control-Allow-Methods', 'POST, OPTIONS');
  ctx.set('Access-Control-Allow-Headers', 'Content-Type');
  ctx.set('Access-Control-Max-Age', '86400');
  ctx.status = 204;
}

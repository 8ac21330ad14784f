import type { Context } from 'koa';
import { HttpError } from '../http/http-error.js';
import { mediaType, readBoundedBody } from '../http/body.js';
import { LOCAL_SITE, SITE_ID } from '../session/session-token.js';
import { DAY, type Period } from '../storage/admin-queries.js';

/** The longest period one dashboard query covers. */
const MAX_PERIOD_DAYS = 400;
/** Admin request bodies are small (a rule, a login). */
const MAX_ADMIN_BODY = 128 * 1024;

/** A query parameter as one string ("" when absent or repeated). */
export function param(ctx: Context, name: string): string {
  const value = ctx.query[name];
  return typeof value === 'string' ? value.trim() : '';
}

/** `2026-11-20`, an ISO date-time or epoch ms; undefined when empty. */
function instant(ctx: Context, name: string): number | undefined {
  const value = param(ctx, name);
  if (!value) return undefined;
  const at = /^\d+$/.test(value) ? Number(value) : Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (!Number.isFinite(at)) throw new HttpError(400, `${name} must be a date (2026-11-20), an ISO date-time or epoch milliseconds`);
  return at;
}

/** The `site` parameter: a collector site's id, `local` for this server's own pages, absent for every site. */
export function siteParam(ctx: Context): string | undefined {
  const value = param(ctx, 'site');
  if (!value) return undefined;
  if (value === LOCAL_SITE) return '';
  if (!SITE_ID.test(value)) throw new HttpError(400, `site must be a site id or "${LOCAL_SITE}"`);
  return value;
}

/**
 * `from` and `to` (exclusive; a bare date `to` includes that day; default the last `days` days)
 * and the `site` to look at (see siteParam).
 */
export function period(ctx: Context, days = 7, now = Date.now()): Period {
  const toParam = instant(ctx, 'to');
  const to = toParam === undefined ? now + 1 : /^\d{4}-\d{2}-\d{2}$/.test(param(ctx, 'to')) ? toParam + DAY : toParam;
  const from = instant(ctx, 'from') ?? to - days * DAY;
  if (from >= to) throw new HttpError(400, 'from must be before to');
  if (to - from > MAX_PERIOD_DAYS * DAY) throw new HttpError(400, `a period is at most ${MAX_PERIOD_DAYS} days`);
  const site = siteParam(ctx);
  return site === undefined ? { from, to } : { from, to, site };
}

/** A positive whole number parameter within bounds. */
export function intParam(ctx: Context, name: string, fallback: number, max: number): number {
  const value = param(ctx, name);
  if (!value) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new HttpError(400, `${name} must be a whole number from 1 to ${max}`);
  return n;
}

/** The JSON object of a request body (or a form's fields), bounded. */
export async function jsonBody(ctx: Context): Promise<Record<string, unknown>> {
  const type = mediaType(ctx);
  if (type !== 'application/json' && type !== 'application/x-www-form-urlencoded') {
    throw new HttpError(415, 'send application/json');
  }
  const text = (await readBoundedBody(ctx, MAX_ADMIN_BODY)).toString('utf8');
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(text));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the body is not valid JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new HttpError(400, 'the body must be a JSON object');
  return value as Record<string, unknown>;
}

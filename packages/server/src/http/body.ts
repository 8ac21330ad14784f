import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { HttpError } from './http-error.js';

/** Content types browsers and old clients send reports with; anything else gets a 415. */
const REPORT_TYPES = [
  'application/csp-report',
  'application/json',
  'application/reports+json',
  'text/plain',
  'application/x-www-form-urlencoded',
];

/** Deeper JSON than this is not a report. */
const MAX_JSON_DEPTH = 32;

export type BodyKind = 'reports+json' | 'json' | 'form' | 'text';

/** The media type without parameters, lower case; "" when absent. */
export function mediaType(ctx: Context): string {
  return (ctx.get('Content-Type').split(';')[0] ?? '').trim().toLowerCase();
}

/** How long a client may take to send a body by default, in seconds (the `bodyTimeoutSeconds` option). */
export const DEFAULT_BODY_TIMEOUT_SECONDS = 10;

/**
 * The request body's bytes, at most `limit`, within `timeoutMs`: 413 when larger, 408 when
 * slower (the connection is then closed: a client trickling a body must not hold it), 400 when
 * the client aborts or lies about the length.
 */
export async function readBoundedBody(ctx: Context, limit: number, timeoutMs = DEFAULT_BODY_TIMEOUT_SECONDS * 1000): Promise<Buffer> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reading = getRawBody(ctx.req, { limit, length: ctx.get('Content-Length') || undefined });
  const slow = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HttpError(408, `the body took longer than ${timeoutMs / 1000} s to arrive`)), timeoutMs);
  });
  try {
    return await Promise.race([reading, slow]);
  } catch (error) {
    if (error instanceof HttpError) {
      // Stop reading; the rest of the body never reaches the next request on this connection.
      reading.catch(() => undefined);
      ctx.req.pause();
      ctx.set('Connection', 'close');
      throw error;
    }
    const e = error as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.too.large') throw new HttpError(413, `body larger than ${limit} bytes`);
    if (e.type === 'request.aborted') throw new HttpError(400, 'request aborted');
    throw new HttpError(400, e.message ?? 'could not read the body');
  } finally {
    clearTimeout(timer);
  }
}

/** Reads the request body as text, bounded; 413 when larger, 415 for other media types. */
export async function readReportBody(
  ctx: Context,
  limit: number,
  timeoutMs = DEFAULT_BODY_TIMEOUT_SECONDS * 1000,
): Promise<{ text: string; kind: BodyKind }> {
  const type = mediaType(ctx);
  if (type && !REPORT_TYPES.includes(type)) {
    throw new HttpError(
      415,
      `unsupported content type "${type}"; send application/csp-report, application/reports+json or application/json`,
    );
  }
  const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(ctx.get('Content-Type'))?.[1]?.toLowerCase() ?? 'utf-8';
  const text = decode(await readBoundedBody(ctx, limit, timeoutMs), charset);
  const kind: BodyKind =
    type === 'application/reports+json'
      ? 'reports+json'
      : type === 'application/x-www-form-urlencoded'
        ? 'form'
        : type === 'text/plain'
          ? 'text'
          : 'json';
  return { text, kind };
}

/** The JSON a body carries, or undefined. Form bodies may wrap it in a field (`csp-report=...`). */
export function parseReportJson(text: string, kind: BodyKind): unknown {
  const direct = tryJson(text);
  if (direct !== undefined || kind !== 'form') return direct;
  const params = new URLSearchParams(text);
  for (const [key, value] of params) {
    const inner = tryJson(value);
    if (inner !== undefined) return key === 'csp-report' ? { 'csp-report': inner } : inner;
  }
  return undefined;
}

function tryJson(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    if (depthOf(value) > MAX_JSON_DEPTH) throw new HttpError(400, `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    return value;
  } catch (error) {
    if (error instanceof HttpError) throw error;
    return undefined;
  }
}

/** Nesting depth, iteratively (a hostile body must not exhaust the stack). */
function depthOf(root: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > max) max = depth;
    if (max > MAX_JSON_DEPTH) return max;
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return max;
}

/** UTF-8 (nearly every report) decodes directly; other charsets through the WHATWG decoder. */
function decode(bytes: Buffer, charset: string): string {
  if (charset === 'utf-8' || charset === 'utf8') return bytes.toString('utf8');
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    throw new HttpError(415, `unsupported charset "${charset}"`);
  }
}

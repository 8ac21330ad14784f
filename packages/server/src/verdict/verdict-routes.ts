import type Router from '@koa/router';
import type { Context } from 'koa';
import { HttpError } from '../http/http-error.js';
import { clientIp, limitKey } from '../http/ip.js';
import { answerPreflight, applyCors } from '../http/cors.js';
import type { Logger } from '../logger.js';
import { originsFor, originsOfParam, sessionParam, type SessionAccess } from '../session/session-param.js';
import type { VerdictService, VersionedVerdict } from './verdict-service.js';
import type { WaiterGate, WaitTicket } from './waiter-gate.js';

/**
 * What the verdict endpoint needs: the session tokens, the verdicts, the gate that bounds the
 * requests held open, and a logger for what fails unseen.
 */
export interface VerdictRouteDeps extends SessionAccess {
  verdicts: VerdictService;
  waiters: WaiterGate;
  logger: Logger;
  /** How IPv6 clients are counted per address (limits.ipv6Prefix). */
  ipv6Prefix: number;
}

/** The longest a long-poll is held: under common proxy idle timeouts (30-60 s). */
export const MAX_WAIT_MS = 25_000;
/** A stream ends after this long; EventSource reconnects by itself. */
const STREAM_MS = 5 * 60_000;
const HEARTBEAT_MS = 15_000;
/**
 * What a refused held request is told to wait before asking again: the SDK's feed waits that
 * long (it counts no failure), so a crowd past the caps costs one cheap answer per client this often.
 */
export const WAIT_RETRY_AFTER_S = 10;

const REFUSALS = {
  ip: [429, 'too many live verdict requests from this address'],
  session: [429, 'too many live verdict requests for this page view'],
  total: [503, 'too many live verdict requests on this server'],
} as const;

/**
 * A place among the held requests, or a 429 (this address or page view holds its share) or 503
 * (the server holds all it takes) with Retry-After. Refused before anything is read.
 */
function admit(deps: VerdictRouteDeps, ctx: Context, sessionId: string): WaitTicket {
  // The address the nearest trusted proxy saw, not Koa's ctx.ip (the leftmost X-Forwarded-For, which the client writes).
  const ticket = deps.waiters.enter(limitKey(clientIp(ctx) || 'unknown', deps.ipv6Prefix), sessionId);
  if (typeof ticket !== 'string') return ticket;
  const [status, message] = REFUSALS[ticket];
  ctx.set('Retry-After', String(WAIT_RETRY_AFTER_S));
  if (ctx.response.get('Access-Control-Allow-Origin')) ctx.set('Access-Control-Expose-Headers', 'Retry-After');
  throw new HttpError(status, `${message}; retry in ${WAIT_RETRY_AFTER_S} s`);
}

function waitParam(value: unknown): number {
  if (value === undefined || value === '') return 0;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new HttpError(400, 'wait must be a number of milliseconds');
  return Math.min(Math.floor(n), MAX_WAIT_MS);
}

/** An AbortSignal that fires when the client goes away. */
function clientGone(ctx: Context): AbortSignal {
  const controller = new AbortController();
  ctx.res.once('close', () => controller.abort());
  return controller.signal;
}

/**
 * `GET {prefix}/verdict/:token`: the session's verdict as JSON. Live in two ways:
 * - long-poll: `?after=<version>&wait=<ms>` answers once the verdict differs from `after`
 *   (new evidence, or a window closing), or after `wait` (at most 25 s) with the same one;
 * - server-sent events: with `Accept: text/event-stream`, a `verdict` event now and on every
 *   change, a comment every 15 s, for at most 5 minutes.
 */
export function verdictRoutes(router: Router, deps: VerdictRouteDeps): void {
  router.options('/verdict/:token', (ctx) => answerPreflight(ctx, originsOfParam(deps, ctx)));
  router.get('/verdict/:token', async (ctx) => {
    // A token that fails verification is "not found": a verdict never says why.
    const session = sessionParam(deps, ctx, { status: 404, message: 'no such session' });
    applyCors(ctx, originsFor(deps.origins, session));
    if (ctx.accepts('application/json', 'text/event-stream') === 'text/event-stream' && ctx.get('Accept').includes('text/event-stream')) {
      stream(deps, ctx, session.id, admit(deps, ctx, session.id));
      return;
    }
    const asked = waitParam(ctx.query.wait);
    const after = typeof ctx.query.after === 'string' ? ctx.query.after : null;
    const wait = after === null ? 0 : asked;
    // Only a request that may be held takes a place: the verdict now is always answered.
    const ticket = wait > 0 ? admit(deps, ctx, session.id) : null;
    try {
      const verdict = await deps.verdicts.next(session.id, after, wait, clientGone(ctx));
      ctx.body = verdict;
      // A version the page already had was recorded when it was first sent.
      if (verdict.version !== after) recordShown(deps, session.id, verdict);
    } finally {
      ticket?.release();
    }
  });
}

/** Remembers what the visitor's page was sent, without holding up the answer. */
function recordShown(deps: VerdictRouteDeps, sessionId: string, verdict: VersionedVerdict): void {
  deps.verdicts
    .recordShown(sessionId, verdict)
    .catch((error: unknown) => deps.logger.error({ err: error }, 'could not record the verdict shown'));
}

/**
 * Writes the stream to the response directly (`ctx.respond = false`): a client going away is
 * the normal end of a stream, not an error to report.
 */
function stream(deps: VerdictRouteDeps, ctx: Context, sessionId: string, ticket: WaitTicket): void {
  ctx.respond = false;
  const res = ctx.res;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'X-Accel-Buffering': 'no',
    ...corsHeadersOf(ctx),
  });
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);

  const signal = AbortSignal.any([clientGone(ctx), deps.verdicts.closed]);
  const end = Date.now() + STREAM_MS;
  const write = (text: string) => {
    if (!res.writableEnded && !res.destroyed) res.write(text);
  };
  const heartbeat = setInterval(() => write(': keep-alive\n\n'), HEARTBEAT_MS);

  void (async () => {
    let known: string | null = null;
    try {
      write('retry: 2000\n\n');
      while (!signal.aborted && Date.now() < end) {
        const verdict = await deps.verdicts.next(sessionId, known, known === null ? 0 : Math.min(MAX_WAIT_MS, end - Date.now()), signal);
        if (signal.aborted) break;
        if (verdict.version !== known) {
          write(`event: verdict\nid: ${verdict.version}\ndata: ${JSON.stringify(verdict)}\n\n`);
          known = verdict.version;
          recordShown(deps, sessionId, verdict);
        }
      }
    } catch (error) {
      if (!signal.aborted) deps.logger.error({ err: error }, 'verdict stream failed');
    } finally {
      ticket.release();
      clearInterval(heartbeat);
      if (!res.writableEnded) res.end();
    }
  })();
}

/** The CORS headers applyCors set on the context, for a response written directly. */
function corsHeadersOf(ctx: Context): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of ['Access-Control-Allow-Origin', 'Vary']) {
    const value = ctx.response.get(name);
    if (value) headers[name] = value;
  }
  return headers;
}

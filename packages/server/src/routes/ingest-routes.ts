import {
  MAX_EVENTS_PER_BATCH,
  normalizeReportingApiBody,
  normalizeReportUriBody,
  normalizeSdkEvent,
  type Channel,
  type NormalizedReport,
} from '@csp-observer/core';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { HttpError } from '../http-error.js';
import { ingest, originOf } from '../ingest.js';
import type { ObserverContext } from '../observer-context.js';
import { verifySessionToken, type SessionToken } from '../session-token.js';
import { parseReportJson, readReportBody } from './body.js';

function sessionOf(observer: ObserverContext, ctx: Context): SessionToken {
  const session = verifySessionToken(observer.options.secret, ctx.params.token, observer.options.sessionKeepDays * 86400);
  if (!session) throw new HttpError(403, 'invalid or expired session token');
  return session;
}

/** A body that is not JSON is still kept, as one invalid report holding the text. */
function notJson(text: string): NormalizedReport {
  return { type: 'csp-violation', violation: null, valid: false, problems: ['body is not JSON'], url: '', userAgent: '', raw: text };
}

/**
 * Reads, normalizes and stores a native report body. report-uri bodies may also arrive as a
 * Reporting API array (some proxies re-post them), so the body's shape decides.
 */
async function receiveNative(observer: ObserverContext, ctx: Context, session: SessionToken | null, path: Channel) {
  const { text, kind } = await readReportBody(ctx, observer.options.maxBodyBytes);
  const json = parseReportJson(text, kind);
  if (json === undefined) {
    if (session || text.trim()) await ingest(observer.writer, [notJson(text)], originOf(ctx, path, session));
    throw new HttpError(400, 'body is not JSON; stored as an invalid report');
  }
  const reportingApi = kind === 'reports+json';
  const reports = reportingApi ? normalizeReportingApiBody(json) : normalizeReportUriBody(json);
  const channel: Channel = reportingApi ? 'report-to' : path;
  await ingest(observer.writer, reports, originOf(ctx, channel, session));
  ctx.status = 204;
}

/** The endpoints that receive reports: report-uri, Reporting API and SDK events. */
export function ingestRoutes(router: Router, observer: ObserverContext): void {
  router.post('/report/:token', async (ctx) => {
    const session = sessionOf(observer, ctx);
    await receiveNative(observer, ctx, session, 'report-uri');
  });

  // The plain collector (django-csp-reports): reports without a session.
  router.post('/report', async (ctx) => receiveNative(observer, ctx, null, 'report-uri'));

  router.post('/reports/:token', async (ctx) => {
    const session = sessionOf(observer, ctx);
    await receiveNative(observer, ctx, session, 'report-to');
  });

  router.post('/events/:token', async (ctx) => {
    const session = sessionOf(observer, ctx);
    const { text } = await readReportBody(ctx, observer.options.maxBodyBytes);
    const json = parseReportJson(text, 'json') as { events?: unknown } | undefined;
    if (!json || typeof json !== 'object' || !Array.isArray(json.events)) {
      throw new HttpError(400, 'expected {"v":1,"events":[...]}');
    }
    if (json.events.length > MAX_EVENTS_PER_BATCH) {
      throw new HttpError(413, `at most ${MAX_EVENTS_PER_BATCH} events per batch`);
    }
    await ingest(observer.writer, json.events.map(normalizeSdkEvent), originOf(ctx, 'sdk', session));
    ctx.status = 204;
  });
}

import {
  CANARY_OUTCOMES,
  MAX_HIDDEN_PER_BATCH,
  normalizeReportingApiBody,
  normalizeReportUriBody,
  normalizeSdkEvent,
  sdkSeqOf,
  type Channel,
  type NormalizedReport,
  type SdkCanary,
  type SdkEventBatch,
  type SdkHiddenElement,
  type SdkViolationEvent,
  type Unchecked,
} from '@csp-observer/core';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { HttpError } from '../http/http-error.js';
import { parseReportJson, readReportBody } from '../http/body.js';
import { answerPreflight, applyCors } from '../http/cors.js';
import type { ResolvedIngestOptions } from '../options/ingest-options.js';
import { originsFor, originsOfParam, sessionParam, type SessionAccess } from '../session/session-param.js';
import type { SessionToken } from '../session/session-token.js';
import type { DirectPosts } from './direct-posts.js';
import type { ReportPipeline } from './pipeline.js';

/** What the report endpoints need: the session tokens, the body limit and the pipeline. */
export interface IngestRouteDeps extends SessionAccess {
  options: { ingest: Pick<ResolvedIngestOptions, 'maxBodyBytes' | 'bodyTimeoutSeconds'> };
  pipeline: ReportPipeline;
}

const sessionOf = (deps: IngestRouteDeps, ctx: Context): SessionToken =>
  sessionParam(deps, ctx, { status: 403, message: 'invalid or expired session token' });

/** A body that is not JSON is still kept, as one invalid report holding the text. */
function notJson(text: string): NormalizedReport {
  return { type: 'csp-violation', violation: null, valid: false, problems: ['body is not JSON'], url: '', userAgent: '', raw: text };
}

/**
 * Reads, normalizes and stores a native report body. The media type decides the format: a
 * Reporting API array may also reach the report-uri endpoint (some proxies re-post them).
 */
async function receiveNative(deps: IngestRouteDeps, ctx: Context, session: SessionToken | null, endpoint: Channel) {
  const { text, kind } = await readReportBody(ctx, deps.options.ingest.maxBodyBytes, deps.options.ingest.bodyTimeoutSeconds * 1000);
  const json = parseReportJson(text, kind);
  if (json === undefined) {
    if (text.trim()) await deps.pipeline.receive(ctx, endpoint, session, [notJson(text)]);
    throw new HttpError(400, 'body is not JSON; stored as an invalid report');
  }
  const reportingApi = kind === 'reports+json';
  const reports = reportingApi ? normalizeReportingApiBody(json) : normalizeReportUriBody(json);
  // One report in a JSON body: its raw evidence is the body exactly as received.
  if (reports.length === 1 && kind !== 'form' && !Array.isArray(json)) reports[0]!.raw = text.trim();
  await deps.pipeline.receive(ctx, reportingApi ? 'report-to' : endpoint, session, reports);
  ctx.status = 204;
}

/** The endpoints that receive reports: report-uri, Reporting API and SDK events. */
export function ingestRoutes(router: Router, posts: DirectPosts, deps: IngestRouteDeps): void {
  const { origins } = deps;

  // report-uri deliveries are no-cors: browsers send them from any origin without a preflight.
  // A collector's site is held to its origins (browsers send Origin with report-uri too).
  posts.post('/report/:token', async (ctx) => {
    const session = sessionOf(deps, ctx);
    if (session.site) applyCors(ctx, originsFor(origins, session));
    await receiveNative(deps, ctx, session, 'report-uri');
  });

  // The plain collector (django-csp-reports): reports without a session, from any site.
  posts.post('/report', async (ctx) => receiveNative(deps, ctx, null, 'report-uri'));

  router.options('/reports/:token', (ctx) => answerPreflight(ctx, originsOfParam(deps, ctx)));
  posts.post('/reports/:token', async (ctx) => {
    const session = sessionOf(deps, ctx);
    applyCors(ctx, originsFor(origins, session));
    await receiveNative(deps, ctx, session, 'report-to');
  });

  router.options('/events/:token', (ctx) => answerPreflight(ctx, originsOfParam(deps, ctx)));
  posts.post('/events/:token', async (ctx) => {
    const session = sessionOf(deps, ctx);
    applyCors(ctx, originsFor(origins, session));
    const { text } = await readReportBody(ctx, deps.options.ingest.maxBodyBytes, deps.options.ingest.bodyTimeoutSeconds * 1000);
    const json = parseReportJson(text, 'json') as Unchecked<SdkEventBatch> | undefined;
    if (!json || typeof json !== 'object' || !Array.isArray(json.events)) {
      throw new HttpError(400, 'expected {"v":1,"events":[...]}');
    }
    const batch = json as Unchecked<SdkEventBatch> & { events: unknown[] };
    const fields = batch.events.map((event) => (event && typeof event === 'object' ? (event as Unchecked<SdkViolationEvent>) : {}));
    await deps.pipeline.receive(ctx, 'sdk', session, batch.events.map(normalizeSdkEvent), {
      via: fields.map((event) => (event.source === 'observer' ? 'observer' : 'listener')),
      seq: fields.map((event) => sdkSeqOf(event.seq)),
      canary: readCanary(batch.canary),
      hidden: readHidden(batch.hidden),
    });
    ctx.status = 204;
  });
}

function readCanary(value: unknown): SdkCanary | undefined {
  if (value === undefined) return undefined;
  const canary = value as Partial<SdkCanary> | null;
  if (!canary || typeof canary !== 'object' || !CANARY_OUTCOMES.includes(canary.outcome as SdkCanary['outcome'])) {
    throw new HttpError(400, `canary must be {"outcome": ${CANARY_OUTCOMES.map((o) => `"${o}"`).join(' | ')}, "threw": boolean}`);
  }
  return { outcome: canary.outcome!, threw: canary.threw === true };
}

function readHidden(value: unknown): SdkHiddenElement[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > MAX_HIDDEN_PER_BATCH || value.some((item) => !item || typeof item !== 'object')) {
    throw new HttpError(400, `hidden must be an array of at most ${MAX_HIDDEN_PER_BATCH} {tag, url, directive} objects`);
  }
  return value.map((item: Unchecked<SdkHiddenElement>) => {
    const seq = sdkSeqOf(item.seq);
    return {
      tag: typeof item.tag === 'string' ? item.tag : '',
      url: typeof item.url === 'string' ? item.url : '',
      directive: typeof item.directive === 'string' ? item.directive : '',
      ...(seq === null ? {} : { seq }),
    };
  });
}

import type { Context } from 'koa';
import { HttpError } from '../http/http-error.js';
import type { AllowedOrigins } from '../http/cors.js';
import type { SessionToken } from './session-token.js';
import type { TokenVerifier } from './token-verifier.js';

/** What a route needs to accept a page view's token and know whose origins may use it. */
export interface SessionAccess {
  tokens: TokenVerifier;
  origins: SiteOrigins;
}

/** Who may use a page view's token from a page: its collector site's origins, else this server's. */
export interface SiteOrigins {
  /** Collector mode: each site's origins. */
  collector: ReadonlyMap<string, { origins: AllowedOrigins }> | null;
  /** The origins allowed for this server's own pages (`reportOrigins`). */
  reportOrigins: AllowedOrigins;
}

/**
 * The session of the route's `:token`; otherwise the route's answer: 403 where reports are
 * refused, 404 where a verdict must not say whether a session exists.
 */
export function sessionParam(access: SessionAccess, ctx: Context, refusal: { status: 403 | 404; message: string }): SessionToken {
  const session = access.tokens.verify(ctx.params.token);
  if (!session) throw new HttpError(refusal.status, refusal.message);
  return session;
}

/** The origins that may send a session's reports and read its verdict: its site's, else `reportOrigins`. */
export function originsFor(origins: SiteOrigins, session: SessionToken | null): AllowedOrigins {
  if (session?.site) return origins.collector?.get(session.site)?.origins ?? new Set();
  return origins.reportOrigins;
}

/** For a preflight: the origins of the route's token if it is valid, else `reportOrigins`. */
export function originsOfParam(access: SessionAccess, ctx: Context): AllowedOrigins {
  return originsFor(access.origins, access.tokens.verify(ctx.params.token));
}

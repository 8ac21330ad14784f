import type { Context } from 'koa';
import { HttpError } from '../http/http-error.js';
import type { AllowedOrigins } from '../http/cors.js';
import type { SessionToken } from './session-token.js';
import type { TokenVerifier } from './token-verifier.js';

/** What a route needs to accept a page view's token and know whose origins may use it. */
export interface SessionAccess {
  tokens: TokenVerifier;
  options: {
    /** Collector mode: each site's origins. */
    collector: ReadonlyMap<string, { origins: AllowedOrigins }> | null;
    /** The origins of this server's own pages. */
    reportOrigins: AllowedOrigins;
  };
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
export function originsFor(options: SessionAccess['options'], session: SessionToken | null): AllowedOrigins {
  if (session?.site) return options.collector?.get(session.site)?.origins ?? new Set();
  return options.reportOrigins;
}

/** For a preflight: the origins of the route's token if it is valid, else `reportOrigins`. */
export function originsOfParam(access: SessionAccess, ctx: Context): AllowedOrigins {
  return originsFor(access.options, access.tokens.verify(ctx.params.token));
}

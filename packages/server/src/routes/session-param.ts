import type { Context } from 'koa';
import { HttpError } from '../http-error.js';
import type { ObserverContext } from '../observer-context.js';
import type { ResolvedOptions } from '../options.js';
import type { SessionToken } from '../session-token.js';

/**
 * The session of the route's `:token`; otherwise the route's answer: 403 where reports are
 * refused, 404 where a verdict must not say whether a session exists.
 */
export function sessionParam(observer: ObserverContext, ctx: Context, refusal: { status: 403 | 404; message: string }): SessionToken {
  const session = observer.tokens.verify(ctx.params.token);
  if (!session) throw new HttpError(refusal.status, refusal.message);
  return session;
}

/** The origins that may send a session's reports and read its verdict: its site's, else `reportOrigins`. */
export function originsFor(options: ResolvedOptions, session: SessionToken | null): ResolvedOptions['reportOrigins'] {
  if (session?.site) return options.collector?.get(session.site)?.origins ?? new Set();
  return options.reportOrigins;
}

/** For a preflight: the origins of the route's token if it is valid, else `reportOrigins`. */
export function originsOfParam(observer: ObserverContext, ctx: Context): ResolvedOptions['reportOrigins'] {
  return originsFor(observer.options, observer.tokens.verify(ctx.params.token));
}

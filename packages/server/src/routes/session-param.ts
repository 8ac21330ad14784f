import type { Context } from 'koa';
import { HttpError } from '../http-error.js';
import type { ObserverContext } from '../observer-context.js';
import { verifySessionToken, type SessionToken } from '../session-token.js';

/**
 * The session of the route's `:token`, verified with the site secret and the session's
 * lifetime; otherwise the route's answer: 403 where reports are refused, 404 where a verdict
 * must not say whether a session exists.
 */
export function sessionParam(observer: ObserverContext, ctx: Context, refusal: { status: 403 | 404; message: string }): SessionToken {
  const session = verifySessionToken(observer.options.secret, ctx.params.token, observer.options.sessionKeepDays * 86400);
  if (!session) throw new HttpError(refusal.status, refusal.message);
  return session;
}

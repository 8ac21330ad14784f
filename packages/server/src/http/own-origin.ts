import type { Context } from 'koa';

/**
 * The origin this server answers as (`https://host:port`), from the protocol and Host (or the
 * X-Forwarded-* headers when the app trusts a proxy). Not `ctx.origin`: since Koa 3 that is the
 * request's Origin header.
 */
export function ownOrigin(ctx: Context): string {
  return `${ctx.protocol}://${ctx.host}`;
}

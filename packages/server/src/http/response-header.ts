import type { Context } from 'koa';

/**
 * A response header as one string, '' when absent (a number or a list as Node keeps them, joined).
 * Read from Node's response, as Koa 3's `ctx.response.get` does: Koa 2's copies every header into
 * a new object per call, and the page path reads eight per page.
 */
export function responseHeader(ctx: Context, name: string): string {
  const value: unknown = ctx.res.getHeader(name);
  if (value == null) return '';
  return Array.isArray(value) ? value.join(', ') : String(value);
}

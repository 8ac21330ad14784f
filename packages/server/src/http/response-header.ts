import type { Context } from 'koa';

/**
 * A response header as one string, '' when absent. Koa 2's `ctx.response.get` gives '' for a
 * missing header, Koa 3's gives undefined, and either may give a number or a list.
 */
export function responseHeader(ctx: Context, name: string): string {
  const value: unknown = ctx.response.get(name);
  if (value == null) return '';
  return Array.isArray(value) ? value.join(', ') : String(value);
}

import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';

type Handler = (ctx: Context) => Promise<void>;

/** What follows the prefix: a name, an optional token, an optional trailing slash. */
const PATH = /^\/([^/]+)(?:\/([^/]+))?\/?$/;

/** As the router decodes a parameter: percent-decoded, or as sent when that fails. */
function decodeParam(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The POST endpoints that receive reports, answered before @koa/router looks at the request.
 * They are nearly all of a collector's traffic, and the router's work per request (trying its
 * routes in turn, composing the matched ones, reading the host) cost ~19 us of CPU per report,
 * about 7% of an ingested report (docs/performance.md). Each one is registered with the router
 * too, which keeps answering 405 with an `Allow` header for their other methods.
 *
 * Paths are `/name` or `/name/:token` under the prefix, matched as the router matches them:
 * case-insensitive, with or without a trailing slash, the token percent-decoded into
 * `ctx.params.token`. Answers go through the same boundary as the router's (shared headers,
 * errors as JSON).
 */
export class DirectPosts {
  private readonly handlers = new Map<string, Handler>();

  constructor(
    private readonly router: Router,
    private readonly prefix: string,
    private readonly boundary: Middleware,
  ) {}

  post(path: string, handler: Handler): void {
    const match = /^\/([a-z-]+)(\/:token)?$/.exec(path);
    if (!match) throw new Error(`DirectPosts: a path is /name or /name/:token, not ${path}`);
    this.handlers.set(match[2] ? `${match[1]}/:token` : match[1]!, handler);
    this.router.post(path, handler);
  }

  /** The answer under way when the request is one of these POSTs; null leaves it to the router. */
  dispatch(ctx: Context): Promise<unknown> | null {
    if (ctx.method !== 'POST') return null;
    const match = PATH.exec(ctx.path.slice(this.prefix.length));
    if (!match) return null;
    const [, name, token] = match;
    const route = name!.toLowerCase();
    const handler = this.handlers.get(token === undefined ? route : `${route}/:token`);
    if (!handler) return null;
    ctx.params = token === undefined ? {} : { token: decodeParam(token) };
    return this.boundary(ctx, () => handler(ctx));
  }
}

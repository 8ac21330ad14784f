import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { adminRoutes } from '../admin/admin-routes.js';
import { HttpError } from '../http-error.js';
import type { ObserverContext } from '../observer-context.js';
import { DirectPosts } from './direct-posts.js';
import { ingestRoutes } from './ingest-routes.js';
import { sdkRoute, type SdkAsset } from './sdk-asset.js';
import { verdictRoutes } from './verdict-routes.js';
import { visitorRoutes } from './visitor-routes.js';

/**
 * Headers every endpoint shares, and the error path. Every endpoint is public: errors become a JSON `{error}` with a 4xx for bad input, and a
 * 503 (logged) when storage fails, never a stack trace.
 */
function errorBoundary(observer: ObserverContext) {
  return async (ctx: Context, next: Next) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Content-Type-Options', 'nosniff');
    try {
      await next();
    } catch (error) {
      if (error instanceof HttpError) {
        ctx.status = error.status;
        ctx.body = { error: error.message };
      } else {
        observer.logger.error(`${ctx.method} ${ctx.path} failed`, error);
        ctx.status = 503;
        ctx.set('Retry-After', '5');
        ctx.body = { error: 'temporarily unavailable, retry later' };
      }
    }
  };
}

/**
 * The routes of the public contract, mounted under the prefix; the POSTs that receive reports
 * are also answered directly, before the router (see DirectPosts).
 */
export function observerRouter(observer: ObserverContext, sdk: SdkAsset): { router: Router; posts: DirectPosts } {
  const { prefix } = observer.options;
  const router = new Router({ prefix });
  const boundary = errorBoundary(observer);
  const posts = new DirectPosts(router, prefix, boundary);
  router.use(boundary);
  sdkRoute(router, sdk);
  ingestRoutes(router, posts, observer);
  verdictRoutes(router, observer);
  visitorRoutes(router, observer);
  adminRoutes(router, observer);
  router.get('/health', async (ctx) => {
    try {
      await observer.store.ping();
      ctx.body = { status: 'ok', database: observer.store.dialect };
    } catch (error) {
      observer.logger.error('health check: database unreachable', error);
      ctx.status = 503;
      ctx.body = { status: 'unavailable', database: observer.store.dialect };
    }
  });
  return { router, posts };
}

import Router from '@koa/router';
import { adminRoutes } from './admin/admin-routes.js';
import type { AdminApiDeps } from './admin/api-routes.js';
import { errorBoundary } from './http/error-boundary.js';
import { DirectPosts } from './ingest/direct-posts.js';
import { ingestRoutes, type IngestRouteDeps } from './ingest/ingest-routes.js';
import type { Logger } from './logger.js';
import { sdkRoute, type SdkAsset } from './page/sdk-asset.js';
import type { BatchWriter } from './storage/batch-writer.js';
import { deadline } from './storage/deadline.js';
import type { ReportStore } from './storage/report-store.js';
import { verdictRoutes, type VerdictRouteDeps } from './verdict/verdict-routes.js';
import { visitorRoutes, type VisitorRouteDeps } from './visitor/visitor-routes.js';

/** What one cspObserver instance's routes share; each feature's routes take their own part of it. */
export type RouterDeps = IngestRouteDeps &
  VerdictRouteDeps &
  VisitorRouteDeps &
  AdminApiDeps & {
    logger: Logger;
    store: Pick<ReportStore, 'ping' | 'dialect'>;
    /** Whether the last commits failed, for /health. */
    writer: Pick<BatchWriter, 'failing'>;
  };

/**
 * The routes of the public contract, mounted under the prefix; the POSTs that receive reports
 * are also answered directly, before the router (see DirectPosts).
 */
export function observerRouter(deps: RouterDeps, sdk: SdkAsset): { router: Router; posts: DirectPosts } {
  const { prefix } = deps.options;
  const router = new Router({ prefix });
  const boundary = errorBoundary(deps.logger);
  const posts = new DirectPosts(router, prefix, boundary);
  router.use(boundary);
  sdkRoute(router, sdk);
  ingestRoutes(router, posts, deps);
  verdictRoutes(router, deps);
  visitorRoutes(router, deps);
  adminRoutes(router, deps);
  // Healthy means reports can be stored: the database answers in time and the last commit did not fail.
  router.get('/health', async (ctx) => {
    const database = deps.store.dialect;
    try {
      await deadline(deps.store.ping(), deps.options.storage.databaseTimeoutSeconds * 1000, 'health check');
    } catch (error) {
      deps.logger.error({ err: error }, 'health check: database unreachable');
      ctx.status = 503;
      ctx.set('Retry-After', '5');
      ctx.body = { status: 'unavailable', database };
      return;
    }
    if (deps.writer.failing()) {
      ctx.status = 503;
      ctx.set('Retry-After', '5');
      ctx.body = { status: 'unavailable', database, writes: 'failing' };
      return;
    }
    ctx.body = { status: 'ok', database };
  });
  return { router, posts };
}

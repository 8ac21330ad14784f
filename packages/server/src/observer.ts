import type { Context, Middleware, Next } from 'koa';
import { ReportPipeline } from './ingest/pipeline.js';
import { consoleLogger } from './logger.js';
import type { ObserverContext } from './observer-context.js';
import { resolveOptions, type CspObserverOptions } from './options.js';
import { pageMiddleware } from './page/page-middleware.js';
import { observerRouter } from './routes/router.js';
import { loadSdkAsset } from './routes/sdk-asset.js';
import { BatchWriter } from './storage/batch-writer.js';
import { openDatabase } from './storage/database.js';
import { migrateLatest } from './storage/migrations.js';
import { ReportStore } from './storage/report-store.js';

/** The middleware returned by `cspObserver()`, with its lifecycle. */
export interface CspObserverMiddleware extends Middleware {
  /** Resolves once the database is migrated and ready; rejects with the reason it is not. */
  ready: Promise<void>;
  /** The store behind the endpoints (for tests, scripts and the admin API). */
  store: ReportStore;
  /** Waits for pending writes, then closes the database it opened. */
  close(): Promise<void>;
}

/**
 * Builds the csp-observer Koa middleware: policy headers, nonces and the SDK tag on enabled
 * pages, and the report endpoints under `prefix`. Options are validated here, once.
 *
 * @example app.use(cspObserver({ secret: process.env.CSP_OBSERVER_SECRET! }))
 */
export function cspObserver(options: CspObserverOptions): CspObserverMiddleware {
  const resolved = resolveOptions(options);
  const logger = options.logger ?? consoleLogger;
  const sdk = loadSdkAsset();
  const { db, owned } = openDatabase(resolved.database);
  const store = new ReportStore(db);
  const writer = new BatchWriter(store);
  const pipeline = new ReportPipeline(resolved, writer, logger);
  const observer: ObserverContext = { options: resolved, logger, db, store, writer, pipeline };

  const ready = (resolved.migrate ? migrateLatest(db) : Promise.resolve([])).then((applied) => {
    if (applied.length) logger.info(`database migrated: ${applied.join(', ')}`);
  });
  // Nothing awaits `ready` until the first request: keep an early failure from being unhandled.
  ready.catch((error: unknown) => logger.error('database set-up failed', error));

  const router = observerRouter(observer, sdk);
  const routes = router.routes() as unknown as Middleware;
  const allowedMethods = router.allowedMethods() as unknown as Middleware;
  const page = pageMiddleware(resolved);
  const prefix = resolved.prefix;

  const middleware = async function cspObserverMiddleware(ctx: Context, next: Next) {
    if (ctx.path === prefix || ctx.path.startsWith(`${prefix}/`)) {
      await ready;
      // allowedMethods answers 405/OPTIONS for known paths once routing found no handler.
      await allowedMethods(ctx, () =>
        routes(ctx, async () => {
          ctx.status = 404;
          ctx.body = { error: `no such csp-observer endpoint: ${ctx.method} ${ctx.path}` };
        }),
      );
      return;
    }
    await page(ctx, next);
  } as CspObserverMiddleware;

  middleware.ready = ready;
  middleware.store = store;
  middleware.close = async () => {
    await writer.flush();
    await pipeline.close();
    if (owned) await db.destroy();
  };
  return middleware;
}

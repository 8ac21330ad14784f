import type { Knex } from 'knex';
import type { Context, Middleware, Next } from 'koa';
import { ReportPipeline } from './ingest/pipeline.js';
import { consoleLogger } from './logger.js';
import { adminIsOpen } from './options/admin-options.js';
import { resolveOptions, type CspObserverOptions, type RemoteSiteOptions } from './options/options.js';
import { pageMiddleware } from './page/page-middleware.js';
import { observerRouter, type RouterDeps } from './router.js';
import { loadSdkAsset } from './page/sdk-asset.js';
import { BatchWriter } from './storage/batch-writer.js';
import { ObserverMetrics } from './metrics/observer-metrics.js';
import { deadline } from './storage/deadline.js';
import { dialectOf, openDatabase } from './storage/database.js';
import { migrateLatest } from './storage/migrations.js';
import { ReportStore } from './storage/report-store.js';
import { RuleStore } from './storage/rule-store.js';
import { RuleBook } from './rules/rule-book.js';
import { BUNDLED } from './rules/rules-source.js';
import { updateRules } from './rules/update-rules.js';
import { sessionPolicyOf } from './page/session-policy.js';
import { PgSessionEvents } from './verdict/pg-session-events.js';
import { SessionHub } from './verdict/session-hub.js';
import { WaiterGate } from './verdict/waiter-gate.js';
import { VerdictService } from './verdict/verdict-service.js';
import { TokenVerifier } from './session/token-verifier.js';
import type { Logger } from './logger.js';
import type { ResolvedOptions } from './options/options.js';

/** How often a process checks whether another one changed the rules. */
const RULES_POLL_MS = 30_000;

/** The middleware returned by `cspObserver()`, with its lifecycle. */
export interface CspObserverMiddleware extends Middleware {
  /** Resolves once the database is migrated and ready; rejects with the reason it is not. */
  ready: Promise<void>;
  /** The store behind the endpoints (for tests, scripts and the admin API). */
  store: ReportStore;
  /** The rules in force and where they are kept. */
  rules: RuleBook;
  ruleStore: RuleStore;
  /** Verdicts of sessions, as the verdict endpoint serves them. */
  verdicts: VerdictService;
  /** The verdict requests held open now (long-polls and streams) and their caps (`verdictWaits`). */
  waiters: WaiterGate;
  /** Whether `{prefix}/admin` is open (a token, password or authorize hook is configured). */
  adminEnabled: boolean;
  /** Waits for pending writes, then closes the database it opened. */
  close(): Promise<void>;
}

/** The middleware of a site in remote mode: pages only; the collector does the rest. */
export interface CspObserverSiteMiddleware extends Middleware {
  /** Resolved at once: a site in remote mode has no database to wait for. */
  ready: Promise<void>;
  /** Where this site's pages report, and as which site. */
  remote: { url: string; site: string };
  /** Nothing to release; there for symmetry with the collector's middleware. */
  close(): Promise<void>;
}

/**
 * Builds the csp-observer Koa middleware: policy headers, nonces and the SDK tag on enabled
 * pages, and the report endpoints under `prefix`. Options are validated here, once. With
 * `remote`, the pages report to a central collector and nothing else is served or stored here.
 *
 * @example app.use(cspObserver({ secret: process.env.CSP_OBSERVER_SECRET! }))
 * @example app.use(cspObserver({ remote: { url: 'https://csp.example.com/csp', site: 'shop', secret: process.env.CSP_SITE_SECRET! } }))
 */
export function cspObserver(options: RemoteSiteOptions): CspObserverSiteMiddleware;
export function cspObserver(options: CspObserverOptions): CspObserverMiddleware;
export function cspObserver(options: CspObserverOptions | RemoteSiteOptions): CspObserverMiddleware | CspObserverSiteMiddleware {
  const resolved = resolveOptions(options);
  if (resolved.remote) {
    const { url, site } = resolved.remote;
    const page = pageMiddleware(resolved, (options as RemoteSiteOptions).logger ?? consoleLogger);
    return Object.assign(page as Middleware, { ready: Promise.resolve(), remote: { url, site }, close: async () => undefined });
  }
  return localObserver(resolved, options as CspObserverOptions);
}

function localObserver(resolved: ResolvedOptions, options: CspObserverOptions): CspObserverMiddleware {
  const logger = options.logger ?? consoleLogger;
  const sdk = loadSdkAsset();
  const timeoutMs = resolved.storage.databaseTimeoutSeconds * 1000;
  const { db, owned } = openDatabase(resolved.storage.database, { timeoutMs });
  const store = new ReportStore(db);
  let metrics: ObserverMetrics | null = null;
  const writer = new BatchWriter(store, { timeoutMs, onCommit: (seconds, ok) => metrics?.commit(seconds, ok) });
  metrics = new ObserverMetrics(() => writer.depth);
  const ruleStore = new RuleStore(db);
  const rules = new RuleBook(ruleStore, logger, resolved.rules.matchBudget);
  const hub = new SessionHub();
  const waiters = new WaiterGate(resolved.verdict.waits);
  const pipeline = new ReportPipeline(
    resolved,
    writer,
    logger,
    rules,
    (sessionId) => hub.notify(sessionId),
    (sessionId) => deadline(store.countReportsOfSession(sessionId), timeoutMs, 'counting the session'),
    metrics,
  );
  const verdicts = new VerdictService(store, rules, hub, sessionPolicyOf(resolved), metrics);
  let autoUpdate: ReturnType<typeof setInterval> | null = null;
  // Processes sharing one PostgreSQL wake each other's live verdicts (LISTEN/NOTIFY).
  const pgConnection = store.dialect === 'postgres' ? PgSessionEvents.connectionOf(db) : null;
  const sessionEvents = pgConnection ? new PgSessionEvents(pgConnection, hub, logger) : null;

  const ready = (async () => {
    const applied = resolved.storage.migrate ? await migrateUnbounded(db, resolved) : [];
    if (applied.length) logger.info(`database migrated: ${applied.join(', ')}`);
    if (resolved.collector) logger.info(`collector for ${resolved.collector.size} site(s): ${[...resolved.collector.keys()].join(', ')}`);
    await installRulesOnFirstStart(ruleStore, resolved, logger);
    await rules.load();
    rules.watch(RULES_POLL_MS);
    await sessionEvents?.start();
    if (resolved.rules.autoUpdate) {
      autoUpdate = setInterval(() => void scheduledUpdate(ruleStore, rules, resolved, logger), resolved.rules.updateInterval * 1000);
      autoUpdate.unref();
    }
  })();
  // Nothing awaits `ready` until the first request: keep an early failure from being unhandled.
  ready.catch((error: unknown) => logger.error({ err: error }, 'database set-up failed'));

  const tokens = new TokenVerifier({
    secret: resolved.secret,
    collector: resolved.collector,
    sessionKeepDays: resolved.storage.sessionKeepDays,
  });
  const origins = { collector: resolved.collector, reportOrigins: resolved.ingest.reportOrigins };
  const deps: RouterDeps = {
    options: resolved,
    logger,
    db,
    store,
    writer,
    pipeline,
    ruleStore,
    rules,
    verdicts,
    waiters,
    tokens,
    origins,
    ipv6Prefix: resolved.ingest.limits.ipv6Prefix,
    metrics,
  };
  const { router, posts } = observerRouter(deps, sdk);
  const routes = router.routes() as unknown as Middleware;
  const allowedMethods = router.allowedMethods() as unknown as Middleware;
  const page = pageMiddleware(resolved, logger);
  const prefix = resolved.prefix;

  const middleware = async function cspObserverMiddleware(ctx: Context, next: Next) {
    if (ctx.path === prefix || ctx.path.startsWith(`${prefix}/`)) {
      await ready;
      const direct = posts.dispatch(ctx);
      if (direct) {
        await direct;
        return;
      }
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
  middleware.rules = rules;
  middleware.ruleStore = ruleStore;
  middleware.verdicts = verdicts;
  middleware.waiters = waiters;
  middleware.adminEnabled = adminIsOpen(resolved.admin);
  middleware.close = async () => {
    rules.stop();
    if (autoUpdate) clearInterval(autoUpdate);
    await sessionEvents?.stop();
    await verdicts.close();
    await writer.flush();
    await pipeline.close();
    await store.close();
    if (owned) await db.destroy();
  };
  return middleware;
}

/**
 * Migrations may build an index over millions of rows: on a pool it opened with per-query
 * timeouts (a postgres:// URL), they run on a connection of their own without them.
 */
async function migrateUnbounded(db: Knex, options: ResolvedOptions): Promise<string[]> {
  if (typeof options.storage.database !== 'string' || dialectOf(db) !== 'postgres') return migrateLatest(db);
  const unbounded = openDatabase(options.storage.database).db;
  try {
    return await migrateLatest(unbounded);
  } finally {
    await unbounded.destroy();
  }
}

/** A database without global rules (a first start) gets them from `rules.source`, else the bundled file. */
async function installRulesOnFirstStart(ruleStore: RuleStore, options: ResolvedOptions, logger: Logger): Promise<void> {
  const state = await ruleStore.state();
  if (state.updatedAt > 0) return;
  for (const source of options.rules.source === BUNDLED ? [BUNDLED] : [options.rules.source, BUNDLED]) {
    try {
      const result = await updateRules(ruleStore, { source, force: true, verify: options.rules });
      logger.info(`rules installed from ${source}: ${result.message}`);
      return;
    } catch (error) {
      logger.error({ err: error }, `could not install the rules from ${source}`);
    }
  }
}

async function scheduledUpdate(ruleStore: RuleStore, rules: RuleBook, options: ResolvedOptions, logger: Logger): Promise<void> {
  try {
    const result = await updateRules(ruleStore, {
      source: options.rules.source,
      updateInterval: options.rules.updateInterval,
      verify: options.rules,
    });
    if (result.status === 'updated') await rules.load();
    const level = result.status === 'refused' ? 'warn' : 'info';
    logger[level](`rules update from ${options.rules.source}: ${result.status}: ${result.message}`);
  } catch (error) {
    logger.error({ err: error }, `rules update from ${options.rules.source} failed`);
  }
}

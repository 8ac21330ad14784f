import Koa from 'koa';
import { cspObserver, type CspObserverMiddleware } from './observer.js';
import type { CspObserverOptions } from './options/options.js';

export interface StandaloneOptions extends CspObserverOptions {
  /** Trust X-Forwarded-For from a reverse proxy (for the client IP). Default false. */
  proxy?: boolean;
}

/**
 * A Koa app that is only csp-observer: the report collector and its endpoints, no pages of its
 * own (every path outside the prefix answers 404).
 */
export function createStandaloneApp(options: StandaloneOptions): { app: Koa; observer: CspObserverMiddleware } {
  const app = new Koa({ proxy: options.proxy ?? false });
  const observer = cspObserver({ ...options, enabledPaths: options.enabledPaths ?? [] });
  app.use(observer);
  app.use((ctx) => {
    ctx.status = 404;
    ctx.body = { error: `not found; csp-observer listens under ${options.prefix ?? '/csp'}` };
  });
  return { app, observer };
}

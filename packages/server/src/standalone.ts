import type { Server } from 'node:http';
import Koa from 'koa';
import { createLimitedServer, resolveServerLimits, type ServerLimitsOptions } from './http/server-limits.js';
import { consoleLogger, RepeatLimitedLog } from './logger.js';
import { cspObserver, type CspObserverMiddleware } from './observer.js';
import { OptionsError } from './options/option-checks.js';
import type { CspObserverOptions } from './options/options.js';

export interface StandaloneOptions extends CspObserverOptions {
  /**
   * Trust `X-Forwarded-*` from reverse proxies in front (for the client IP, scheme and host):
   * `true` or `1` for one proxy, a number for that many hops (the client IP is then taken that
   * many entries from the right of `X-Forwarded-For`, the part proxies wrote). Default false.
   */
  proxy?: boolean | number;
}

/**
 * A Koa app that is only csp-observer: the report collector and its endpoints, no pages of its
 * own (every path outside the prefix answers 404).
 */
export function createStandaloneApp(options: StandaloneOptions): { app: Koa; observer: CspObserverMiddleware } {
  const { proxy, ...observerOptions } = options;
  const hops = proxyHops(proxy);
  const app = new Koa({ proxy: hops > 0, maxIpsCount: hops });
  const observer = cspObserver({ ...observerOptions, enabledPaths: options.enabledPaths ?? [] });
  // Koa prints every failed response (a client that timed out, or went away) with its stack:
  // a flood of slow clients would flood the log. Once per kind and window instead.
  const log = new RepeatLimitedLog(options.logger ?? consoleLogger);
  app.on('error', (error: unknown) => log.error('request failed', error));
  app.use(observer);
  app.use((ctx) => {
    ctx.status = 404;
    ctx.body = { error: `not found; csp-observer listens under ${options.prefix ?? '/csp'}` };
  });
  return { app, observer };
}

/** The number of trusted proxy hops `proxy` stands for. */
function proxyHops(proxy: StandaloneOptions['proxy']): number {
  if (proxy === undefined || proxy === false) return 0;
  if (proxy === true) return 1;
  if (!Number.isInteger(proxy) || proxy < 0)
    throw new OptionsError(`proxy must be true, false or a number of proxy hops, got ${String(proxy)}`);
  return proxy;
}

/**
 * The standalone app in an HTTP server that bounds its clients (connection cap, headers, request
 * and keep-alive timeouts; see ServerLimitsOptions), not yet listening: `csp-observer serve`.
 */
export function createStandaloneServer(options: StandaloneOptions & { server?: ServerLimitsOptions }): {
  server: Server;
  app: Koa;
  observer: CspObserverMiddleware;
} {
  const { server: limits, ...appOptions } = options;
  const resolved = resolveServerLimits(limits);
  const { app, observer } = createStandaloneApp(appOptions);
  return { server: createLimitedServer(app.callback(), resolved), app, observer };
}

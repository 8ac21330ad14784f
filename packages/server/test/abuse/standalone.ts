import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as standalone from '../../src/standalone.js';
import type { StandaloneOptions } from '../../src/standalone.js';
import type { ServerLimitsOptions } from '../../src/http/server-limits.js';
import type { CspObserverMiddleware } from '../../src/observer.js';
import { memoryLogger, SECRET } from '../support/test-server.js';

export interface Standalone {
  url: string;
  observer: CspObserverMiddleware;
  logger: ReturnType<typeof memoryLogger>;
  server: Server;
  close(): Promise<void>;
}

/**
 * The standalone server on 127.0.0.1 (a free port): with `server` limits it is the one
 * `csp-observer serve` runs (createStandaloneServer), without them a plain `app.listen()`.
 */
export async function startStandalone(
  options: Partial<StandaloneOptions> & { database: string; server?: ServerLimitsOptions },
): Promise<Standalone> {
  const logger = memoryLogger();
  const all = { secret: SECRET, logger, ...options };
  let server: Server;
  let observer: CspObserverMiddleware;
  if (options.server) {
    ({ server, observer } = standalone.createStandaloneServer(all));
  } else {
    const { server: _limits, ...rest } = all;
    const started = standalone.createStandaloneApp(rest);
    observer = started.observer;
    server = createServer(started.app.callback());
  }
  await observer.ready;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    observer,
    logger,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await observer.close();
    },
  };
}

import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, beforeAll } from 'vitest';
import type { TestDatabase } from './databases.js';
import { cspObserver, type CspObserverMiddleware } from '../../src/observer.js';
import type { CspObserverOptions } from '../../src/options/options.js';
import type { LogFields, Logger } from '../../src/logger.js';

export const SECRET = 'integration-test-secret-0123456789';

/** Collects log lines instead of printing them, so tests can assert on them. */
export function memoryLogger(): Logger & { lines: string[]; errors: unknown[] } {
  const lines: string[] = [];
  const errors: unknown[] = [];
  const add =
    (level: string) =>
    (fieldsOrMessage: LogFields | string, message?: string): void => {
      if (typeof fieldsOrMessage !== 'string' && 'err' in fieldsOrMessage) errors.push(fieldsOrMessage.err);
      lines.push(`${level}: ${typeof fieldsOrMessage === 'string' ? fieldsOrMessage : message}`);
    };
  return { lines, errors, debug: add('debug'), info: add('info'), warn: add('warn'), error: add('error') } as Logger & {
    lines: string[];
    errors: unknown[];
  };
}

export interface TestServer {
  url: string;
  observer: CspObserverMiddleware;
  logger: ReturnType<typeof memoryLogger>;
  close(): Promise<void>;
}

/**
 * A real Koa app on 127.0.0.1 with csp-observer in front of `app` (a handler for pages), for
 * tests through real HTTP.
 */
export async function startTestServer(
  options: Partial<CspObserverOptions> & { database: string },
  app?: (koa: Koa) => void,
): Promise<TestServer> {
  const logger = memoryLogger();
  const koa = new Koa();
  const observer = cspObserver({ secret: SECRET, logger, ...options });
  koa.use(observer);
  app?.(koa);
  await observer.ready;
  const server = koa.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    observer,
    logger,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await observer.close();
    },
  };
}

/**
 * For a describe block on one database: a test server on a fresh database before its tests
 * (none when the database is skipped), then the server stopped and the database dropped.
 * `use` receives the server for the block's tests.
 */
export function serveDuringTests(database: TestDatabase, options: Partial<CspObserverOptions>, use: (server: TestServer) => void): void {
  let server: TestServer | undefined;
  beforeAll(async () => {
    if (database.skip) return;
    server = await startTestServer({ ...options, database: await database.create() });
    use(server);
  });
  afterAll(async () => {
    await server?.close();
    await database.cleanup();
  });
}

import { Writable } from 'node:stream';
import Koa from 'koa';
import { pino } from 'pino';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { consoleLogger, type Logger } from '../src/logger.js';
import { cspObserver, type CspObserverMiddleware } from '../src/observer.js';
import { mintSessionToken } from '../src/session/session-token.js';
import { REPORT_URI_BODIES } from './fixtures/browser-reports.js';
import { memoryLogger, SECRET } from './support/test-server.js';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real pino logger writing its JSON lines into an array. */
function capturedPino(level = 'debug'): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = pino({ level }, stream);
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function serve(logger: Logger, options: Parameters<typeof cspObserver>[0] extends infer O ? Partial<O> : never = {}) {
  const database = join(mkdtempSync(join(tmpdir(), 'csp-logging-')), 'db.sqlite');
  const observer: CspObserverMiddleware = cspObserver({ secret: SECRET, database, logger, ...(options as object) });
  const app = new Koa();
  app.use(observer);
  await observer.ready;
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await observer.close();
  };
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const send = () =>
    fetch(`${url}/csp/report/${mintSessionToken(SECRET).token}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/csp-report' },
      body: REPORT_URI_BODIES[0]!.body,
    });
  return { url, send };
}

describe('logging', () => {
  test('pino as logger keeps the error of a failing handler: its message and stack in the JSON line', async () => {
    const captured = capturedPino('info');
    const { send } = await serve(captured.logger, {
      handlers: [
        function brokenHandler() {
          throw new Error('the handler broke');
        },
      ],
    });
    expect((await send()).status).toBe(204);
    await expect.poll(() => captured.lines().filter((line) => line.msg === 'report handler brokenHandler failed').length).toBe(1);
    const line = captured.lines().find((l) => l.msg === 'report handler brokenHandler failed')!;
    expect(line.level).toBe(50);
    const err = line.err as { type: string; message: string; stack: string };
    expect(err.type).toBe('Error');
    expect(err.message).toBe('the handler broke');
    expect(err.stack.split('\n')[0]).toBe('Error: the handler broke');
    expect(err.stack).toContain('logging.test.ts');
  });

  test('each stored report is a debug line by default: pino at info writes none of them', async () => {
    const captured = capturedPino('info');
    const { send } = await serve(captured.logger);
    expect((await send()).status).toBe(204);
    expect((await send()).status).toBe(204);
    const atDebug = capturedPino('debug');
    await close?.();
    const second = await serve(atDebug.logger);
    expect((await second.send()).status).toBe(204);
    await expect.poll(() => atDebug.lines().filter((l) => String(l.msg).startsWith('[CSP Reports]')).length).toBe(1);
    expect(atDebug.lines().find((l) => String(l.msg).startsWith('[CSP Reports]'))!.level).toBe(20);
    expect(captured.lines().filter((l) => String(l.msg).startsWith('[CSP Reports]'))).toEqual([]);
  });

  test('the console default prints the message, then the error with its stack', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const error = new Error('disk full');
      consoleLogger.error({ err: error }, 'could not store');
      expect(spy).toHaveBeenCalledTimes(1);
      const printed = String(spy.mock.calls[0]![0]);
      expect(printed.split('\n')[0]).toBe('[csp-observer] could not store');
      expect(printed.split('\n')[1]).toBe('Error: disk full');
      expect(printed).toContain(error.stack!.split('\n')[1]!.trim());
      consoleLogger.error('plain message');
      expect(spy.mock.calls[1]).toEqual(['[csp-observer] plain message']);
    } finally {
      spy.mockRestore();
    }
  });

  test('the memory logger used by the other tests sees the error object', () => {
    const logger = memoryLogger();
    const error = new Error('x');
    logger.error({ err: error }, 'failed');
    expect(logger.lines).toEqual(['error: failed']);
    expect(logger.errors).toEqual([error]);
  });
});

// Issue 21, item 6: slow bodies were held 323 s, and 20,000 slow connections took every file descriptor.
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { startStandalone, type Standalone } from './standalone.js';

const database = testDatabases()[0]!;
const opened: Socket[] = [];

/** A raw connection; resolves once connected. */
function open(url: string): Promise<Socket> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
    opened.push(socket);
  });
}

/** Everything the server sends until it closes the connection. */
function answerOf(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('close', () => resolve(text));
  });
}

afterEach(() => {
  for (const socket of opened.splice(0)) socket.destroy();
});
afterAll(() => database.cleanup());

describe('the standalone server bounds its connections (issue 21, item 6)', () => {
  let server: Standalone;
  let strict: Standalone;
  beforeAll(async () => {
    // Timeouts longer than the test: the idle connections stay until the test closes them.
    server = await startStandalone({ database: await database.create(), server: { maxConnections: 5 } });
    strict = await startStandalone({
      database: await database.create(),
      bodyTimeoutSeconds: 60,
      server: { headersTimeoutSeconds: 1, requestTimeoutSeconds: 2 },
    });
  });
  afterAll(async () => {
    await server.close();
    await strict.close();
  });

  it('answers 503 with Retry-After past the connection cap, then serves again once connections close', async () => {
    const idle = [];
    for (let i = 0; i < 5; i++) idle.push(await open(server.url));
    // The server counts a connection once it has accepted it: wait until it holds all five.
    await expect.poll(() => new Promise((resolve) => server.server.getConnections((_, n) => resolve(n)))).toBe(5);
    const extra = await open(server.url);
    const answer = answerOf(extra);
    extra.write('GET /csp/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const text = await answer;
    expect(text.split('\r\n')[0]).toBe('HTTP/1.1 503 Service Unavailable');
    expect(text).toContain('\r\nRetry-After: 5\r\n');
    expect(text.endsWith('{"error":"too many connections; retry later"}')).toBe(true);

    for (const socket of idle) socket.destroy();
    await expect.poll(() => new Promise((resolve) => server.server.getConnections((_, n) => resolve(n)))).toBe(0);
    expect((await fetch(`${server.url}/csp/health`)).status).toBe(200);
  });

  it('closes a connection whose headers never finish with 408', async () => {
    const slow = await open(strict.url);
    const answer = answerOf(slow);
    slow.write('GET /csp/health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    expect((await answer).split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
  });

  it('closes a connection whose body never finishes with 408', async () => {
    const slow = await open(strict.url);
    const answer = answerOf(slow);
    slow.write('POST /csp/report HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/csp-report\r\nContent-Length: 1000\r\n\r\n{');
    expect((await answer).split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
  });
});

describe('the middleware bounds the bodies it reads (issue 21, item 6)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ database: await database.create(), bodyTimeoutSeconds: 0.5 });
  });
  afterAll(() => server.close());

  it('answers a body that trickles in 408 and closes the connection, whatever the host server allows', async () => {
    const slow = await open(server.url);
    const answer = answerOf(slow);
    slow.write(
      'POST /csp/report HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/csp-report\r\nContent-Length: 1000\r\n\r\n{"csp-',
    );
    const text = await answer;
    expect(text.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect(text).toContain('\r\nConnection: close\r\n');
    expect(text.endsWith('{"error":"the body took longer than 0.5 s to arrive"}')).toBe(true);
    expect(await server.observer.store.countReports()).toBe(0);
  });
});

// Issue 21, item 5: with PostgreSQL frozen, report requests hung 70 s with no answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintSessionToken } from '../../src/session/session-token.js';
import { reportUriBody } from '../fixtures/browser-reports.js';
import { testDatabases } from '../support/databases.js';
import { startFreezableProxy, type FreezableProxy } from '../support/freezable-proxy.js';
import { SECRET, startTestServer, type TestServer } from '../support/test-server.js';

const postgres = testDatabases()[1]!;

describe.skipIf(Boolean(postgres.skip))('a PostgreSQL server that stops answering (issue 21, item 5)', () => {
  let relay: FreezableProxy;
  let server: TestServer;
  beforeAll(async () => {
    relay = await startFreezableProxy(await postgres.create());
    server = await startTestServer({ database: relay.url, databaseTimeoutSeconds: 1 });
  });
  afterAll(async () => {
    relay?.thaw();
    await server?.close();
    await relay?.close();
    await postgres.cleanup();
  });

  // Bounded here, not by the test's timeout: on a hang the request fails with AbortError.
  const post = () =>
    fetch(`${server.url}/csp/report/${mintSessionToken(SECRET).token}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/csp-report' },
      body: reportUriBody(),
      signal: AbortSignal.timeout(8000),
    });
  const health = () => fetch(`${server.url}/csp/health`, { signal: AbortSignal.timeout(8000) });

  it('answers 503 with Retry-After while it is frozen, and stores again once it answers', async () => {
    expect((await post()).status).toBe(204);
    relay.freeze();
    const refused = await post();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('Retry-After')).toBe('5');
    expect(await refused.json()).toEqual({ error: 'temporarily unavailable, retry later' });
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.headers.get('Retry-After')).toBe('5');

    relay.thaw();
    await expect.poll(async () => (await post()).status, { timeout: 15_000, interval: 200 }).toBe(204);
    await expect.poll(async () => (await health()).status, { timeout: 15_000, interval: 200 }).toBe(200);
  });
});

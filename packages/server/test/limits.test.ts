import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintSessionToken } from '../src/session/session-token.js';
import { REPORT_URI_BODIES } from './fixtures/browser-reports.js';
import { testDatabases } from './support/databases.js';
import { SECRET, startTestServer, type TestServer } from './support/test-server.js';

const report = REPORT_URI_BODIES[0]!.body;

describe.each(testDatabases())('limits on $name', (database) => {
  let server: TestServer;
  const post = (path: string, body: string, type = 'application/csp-report') =>
    fetch(server.url + path, { method: 'POST', headers: { 'Content-Type': type }, body });

  beforeAll(async () => {
    if (database.skip) return;
    server = await startTestServer({
      database: await database.create(),
      maxBodyBytes: 4096,
      limits: { maxReportsPerRequest: 5, maxReportsPerSession: 3, perIp: { reports: 12, windowSeconds: 60 } },
    });
  });
  afterAll(async () => {
    await server?.close();
    await database.cleanup();
  });

  it.skipIf(Boolean(database.skip))('bounds bodies (413), reports per request (413), per session and per IP (429)', async () => {
    const big = await post(`/csp/report/${mintSessionToken(SECRET).token}`, JSON.stringify({ pad: 'x'.repeat(5000) }));
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: 'body larger than 4096 bytes' });

    const { token, session } = mintSessionToken(SECRET);
    const six = JSON.stringify(Array.from({ length: 6 }, () => JSON.parse(report) as unknown));
    const tooMany = await post(`/csp/report/${token}`, six);
    expect(tooMany.status).toBe(413);
    expect(await tooMany.json()).toEqual({ error: 'at most 5 reports per request' });

    // A flood from one page view: three are stored, the rest refused.
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push((await post(`/csp/report/${token}`, report)).status);
    expect(answers).toEqual([204, 204, 204, 429, 429]);
    expect(await server.observer.store.reportsOfSession(session.id)).toHaveLength(3);

    // Per address: 12 a minute in all. The 5 above count, refused by the session limit or not:
    // a flood costs the sender its budget.
    const statuses = [];
    for (let i = 0; i < 12; i++) statuses.push((await post(`/csp/report/${mintSessionToken(SECRET).token}`, report)).status);
    expect(statuses).toEqual([...Array(7).fill(204), ...Array(5).fill(429)]);
    const limited = await post('/csp/report', report);
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { error: string }).error).toMatch(/too many reports from this address; retry in \d+ s/);
  });
});

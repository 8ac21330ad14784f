// Issue 21, item 3: behind --proxy the client wrote the address every limit was keyed on.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { reportUriBody } from '../fixtures/browser-reports.js';
import { testDatabases } from '../support/databases.js';
import { startStandalone, type Standalone } from './standalone.js';

const database = testDatabases()[0]!;

describe('client addresses behind a trusted proxy (issue 21, item 3)', () => {
  let server: Standalone;
  beforeAll(async () => {
    server = await startStandalone({ database: await database.create(), proxy: 1, limits: { perIp: { reports: 5, windowSeconds: 600 } } });
  });
  // Date stands still: the 429's Retry-After is the whole window.
  beforeAll(() => void vi.useFakeTimers({ toFake: ['Date'] }));
  afterAll(async () => {
    vi.useRealTimers();
    await server.close();
    await database.cleanup();
  });

  /** A report as the one proxy in front delivers it: the client's own X-Forwarded-For, then the address the proxy saw. */
  const viaProxy = (written: string, seen: string) =>
    fetch(`${server.url}/csp/report`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/csp-report', 'X-Forwarded-For': written ? `${written}, ${seen}` : seen },
      body: reportUriBody(),
    });

  it('limits by the address the proxy saw, not the ones the client wrote, and stores that one', async () => {
    const statuses = [];
    for (let i = 0; i < 10; i++) statuses.push((await viaProxy(`10.9.${i}.1`, '203.0.113.7')).status);
    expect(statuses).toEqual([204, 204, 204, 204, 204, 429, 429, 429, 429, 429]);
    const rows = (await server.observer.store.db('cspo_reports').select('ip')) as Array<{ ip: string }>;
    expect(rows.map((row) => row.ip)).toEqual(Array(5).fill('203.0.0.0'));
    // Another client behind the same proxy keeps its own budget.
    expect((await viaProxy('203.0.113.7', '198.51.100.4')).status).toBe(204);
  });

  it('limits IPv6 clients per /64: any address of one network shares its budget', async () => {
    const statuses = [];
    for (let i = 1; i <= 8; i++) statuses.push((await viaProxy('', `2001:db8:aa:bb::${i.toString(16)}`)).status);
    expect(statuses).toEqual([204, 204, 204, 204, 204, 429, 429, 429]);
    // The next /64 is another subscriber.
    expect((await viaProxy('', '2001:db8:aa:bc::1')).status).toBe(204);
  });

  it('answers 429 with Retry-After', async () => {
    const limited = await viaProxy('', '203.0.113.7');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('Retry-After')).toBe('600');
  });
});

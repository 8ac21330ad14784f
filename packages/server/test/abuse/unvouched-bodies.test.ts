// Issue 21, item 4: the tokenless collector stored every non-JSON body whole (37 MB of database a minute from one address).
import { describe, expect, it } from 'vitest';
import { mintSessionToken } from '../../src/session/session-token.js';
import { testDatabases } from '../support/databases.js';
import { SECRET, serveDuringTests, type TestServer } from '../support/test-server.js';

describe.each(testDatabases())('bodies no token vouches for on $name (issue 21, item 4)', (database) => {
  let server: TestServer;
  serveDuringTests(database, { limits: { invalidPerIp: { reports: 4, windowSeconds: 600 } } }, (s) => (server = s));

  const post = (path: string, body: string) =>
    fetch(`${server.url}/csp${path}`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body });

  it.skipIf(Boolean(database.skip))('keeps 1 KiB of each, a few per address, and counts the rest as dropped', async () => {
    const junk = 'x'.repeat(60 * 1024);
    const statuses = [];
    for (let i = 0; i < 10; i++) statuses.push((await post('/report', junk)).status);
    expect(statuses).toEqual(Array(10).fill(400));
    const db = server.observer.store.db;
    const rows = (await db('cspo_reports').select('raw', 'is_valid')) as Array<{ raw: string }>;
    expect(rows.map((row) => row.raw.length)).toEqual([1024, 1024, 1024, 1024]);
    const drops = (await db('cspo_drops').select('reason', 'count')) as Array<{ reason: string; count: number | string }>;
    expect(drops.map((drop) => [drop.reason, Number(drop.count)])).toEqual([['invalid-body', 6]]);

    // A page view's token vouches for its body: kept whole, as before.
    const { token } = mintSessionToken(SECRET);
    expect((await post(`/report/${token}`, 'y'.repeat(5000))).status).toBe(400);
    expect(await server.observer.store.countReports()).toBe(5);
    const vouched = (await db('cspo_reports').whereNotNull('session_id').select('raw')) as Array<{ raw: string }>;
    expect(vouched.map((row) => row.raw.length)).toEqual([5000]);
  });
});

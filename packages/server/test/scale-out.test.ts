import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintSessionToken } from '../src/session/session-token.js';
import { reportUriBody, sdkEvent } from './fixtures/browser-reports.js';
import { testDatabases } from './support/databases.js';
import { SECRET, startTestServer, type TestServer } from './support/test-server.js';

const postgres = testDatabases().find((database) => database.name === 'postgres')!;

/** A report-uri body of a script from `blocked`. */
const cspReport = (blocked: string) => reportUriBody({ 'blocked-uri': blocked });

interface Verdict {
  status: string;
  version: string;
  problems: Array<{ ruleId: string }>;
}

// Several processes share one PostgreSQL: here two servers in this process, each with its own
// pool, session hub and LISTEN connection, as two processes behind a load balancer would have.
describe.skipIf(Boolean(postgres.skip))('two servers on one PostgreSQL', () => {
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    const database = await postgres.create();
    a = await startTestServer({ database });
    b = await startTestServer({ database, migrate: false });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await postgres.cleanup();
  });

  const verdictOf = async (server: TestServer, token: string, query = '') =>
    (await (await fetch(`${server.url}/csp/verdict/${token}${query}`)).json()) as Verdict;

  it('wakes a live verdict on one server when the evidence lands on the other', async () => {
    const { token } = mintSessionToken(SECRET);
    const before = await verdictOf(a, token);
    const started = Date.now();
    const waiting = verdictOf(a, token, `?after=${before.version}&wait=20000`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sent = await fetch(`${b.url}/csp/report/${token}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/csp-report' },
      body: cspReport('https://www.superfish.com/ws/sf_main.js'),
    });
    expect(sent.status).toBe(204);
    const woken = await waiting;
    // Without a wake-up the long-poll would have held for its full 20 s.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(woken.version).not.toBe(before.version);
    expect(woken.problems.map((p) => p.ruleId)).toEqual(['malware.superfish']);
  });

  it('listens again after its notification connection drops', async () => {
    // What a PostgreSQL restart or failover does to the LISTEN connections.
    await a.observer.store.db.raw(
      "select pg_terminate_backend(pid) from pg_stat_activity where query like 'LISTEN %' and pid <> pg_backend_pid()",
    );
    await expect
      .poll(
        async () =>
          Number(
            (
              (await a.observer.store.db.raw("select count(*) as n from pg_stat_activity where query like 'LISTEN %'")) as {
                rows: Array<{ n: string }>;
              }
            ).rows[0]!.n,
          ),
        { timeout: 5000 },
      )
      .toBe(2);
    const { token } = mintSessionToken(SECRET);
    const before = await verdictOf(a, token);
    const started = Date.now();
    const waiting = verdictOf(a, token, `?after=${before.version}&wait=20000`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await fetch(`${b.url}/csp/report/${token}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/csp-report' },
      body: cspReport('https://www.superfish.com/ws/sf_main.js'),
    });
    expect((await waiting).version).not.toBe(before.version);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(a.logger.lines.join('\n')).toMatch(/lost the PostgreSQL notification connection/);
  });

  it("gives one verdict when a page view's reports are split between the servers", async () => {
    const { token } = mintSessionToken(SECRET);
    const events = {
      v: 1,
      events: [sdkEvent({ blockedURI: 'https://www.superfish.com/ws/sf_main.js', effectiveDirective: 'script-src-elem', seq: 1 })],
    };
    expect(
      (
        await fetch(`${a.url}/csp/events/${token}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(events),
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await fetch(`${b.url}/csp/report/${token}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/csp-report' },
          body: cspReport('https://cdn.test/lib.js'),
        })
      ).status,
    ).toBe(204);
    const [fromA, fromB] = await Promise.all([verdictOf(a, token), verdictOf(b, token)]);
    expect(fromA).toEqual(fromB);
    expect(fromA.problems.map((p) => p.ruleId)).toEqual(['malware.superfish']);
  });

  it('sees a custom rule made through one server in the verdicts of the other', async () => {
    const { token } = mintSessionToken(SECRET);
    await fetch(`${a.url}/csp/report/${token}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/csp-report' },
      body: cspReport('https://tracker.test/t.js'),
    });
    await a.observer.ruleStore.saveCustom({
      id: 'custom:tracker',
      cause: 'other',
      title: 'Tracker',
      shortDescription: '',
      longDescription: '',
      ignore: false,
      origin: 'custom',
      references: [],
      match: [{ blockedUri: 'tracker\\.test', directive: '', sourceFile: '', sample: '', documentUri: '', policy: '', engine: '' }],
    });
    // Processes poll the rules' revision; a refresh is what that poll does.
    await b.observer.rules.refresh();
    expect((await verdictOf(b, token)).problems.map((p) => p.ruleId)).toEqual(['custom:tracker']);
  });
});

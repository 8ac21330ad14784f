/**
 * Issue 21, items 1 and 2: hostile traffic is normal traffic. A rules feed's poisoned patterns
 * must not stall ingestion or the verdict's reads, and a crowd of live verdict requests must be
 * bounded per address, per page view and in total, without busy loops. Bounded in count (ten
 * reports, a handful of requests) and in time (each request answers or is aborted by the test).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_RULES } from '../src/rules/rules-source.js';
import { updateRules } from '../src/rules/update-rules.js';
import { mintSessionToken } from '../src/session/session-token.js';
import { reportUriBody } from './fixtures/browser-reports.js';
import { testDatabases } from './support/databases.js';
import { SECRET, startTestServer, type TestServer } from './support/test-server.js';

// 2.2 s and 50 s per report on V8's backtracking RegExp; the 'b' lets the rule's required text
// through the matcher's prefilter, so the pattern runs.
const POISONED_URI = `https://x.test/${'a'.repeat(4000)}b`;
const feedRule = (id: string, blockedUri: string) => ({
  id,
  cause: 'malware',
  title: id,
  short_description: 'poisoned',
  long_description: 'poisoned',
  match: [{ blocked_uri: blockedUri }],
});

describe.each(testDatabases())('hostile traffic on $name', (database) => {
  describe('a rules feed with costly patterns (issue 21, item 1)', () => {
    let server: TestServer;
    let dir: string;
    beforeAll(async () => {
      if (database.skip) return;
      server = await startTestServer({ database: await database.create() });
      dir = mkdtempSync(join(tmpdir(), 'cspo-feed-'));
    });
    afterAll(async () => {
      await server?.close();
      await database.cleanup();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it.skipIf(Boolean(database.skip))(
      'refuses the pattern that expands past the cap, runs the others on RE2: ten 4 KB reports stored, health answers, verdict reads match once',
      async () => {
        const shipped = JSON.parse(readFileSync(BUNDLED_RULES, 'utf8')) as { last_updated: number; rules: unknown[] };
        const file = join(dir, 'feed.json');
        writeFileSync(
          file,
          JSON.stringify({
            ...shipped,
            last_updated: shipped.last_updated + 1,
            rules: [
              ...shipped.rules,
              feedRule('feed.poison-16', '(?:a|a){16}b'),
              feedRule('feed.poison-20', '(?:a|a){16}(?:a|a){4}b'),
              feedRule('feed.expanded', '(?:[a-p]|[q-z]){1,1000}X'),
            ],
          }),
        );
        const result = await updateRules(server.observer.ruleStore, { source: file, force: true });
        expect(result.status).toBe('updated');
        expect(result.added).toEqual(['feed.poison-16', 'feed.poison-20']);
        expect(result.rejected).toEqual([
          {
            id: 'feed.expanded',
            reason:
              'blocked_uri pattern too costly: it compiles to 2002 RE2 instructions, more than 1000 (write bounded repeats as * or +, or split the rule)',
          },
        ]);
        await server.observer.rules.load();

        const { token, session } = mintSessionToken(SECRET);
        const statuses: number[] = [];
        for (let i = 0; i < 10; i++) {
          const response = await fetch(`${server.url}/csp/report/${token}`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/csp-report' },
            body: reportUriBody({ 'blocked-uri': POISONED_URI, 'line-number': i + 1, 'source-file': 'https://shop.test/app.js' }),
          });
          statuses.push(response.status);
        }
        expect(statuses).toEqual(Array(10).fill(204));
        expect((await fetch(`${server.url}/csp/health`)).status).toBe(200);
        const stored = await server.observer.store.reportsOfSession(session.id);
        expect(stored.map((report) => report.ruleId)).toEqual(Array(10).fill('feed.poison-16'));

        // The verdict's reads match each stored report once for the rules in force, not per read,
        // and one read spends at most four reports' budgets (each of these costs 19 x 4,016 units
        // of 100,000): the others keep the rule stored at ingestion until a later read.
        const matches = server.observer.verdicts.matches;
        const readVerdict = async () => {
          const before = matches.matched;
          const verdict = (await (await fetch(`${server.url}/csp/verdict/${token}`)).json()) as {
            problems: Array<{ ruleId: string; count: number }>;
          };
          expect(verdict.problems.map(({ ruleId, count }) => ({ ruleId, count }))).toEqual([{ ruleId: 'feed.poison-16', count: 10 }]);
          return matches.matched - before;
        };
        expect([await readVerdict(), await readVerdict(), await readVerdict()]).toEqual([6, 4, 0]);
        // New rules in force: matched again.
        await server.observer.rules.load();
        expect([await readVerdict(), await readVerdict()]).toEqual([6, 4]);
      },
    );
  });

  describe('a crowd of live verdict requests (issue 21, item 2)', () => {
    let server: TestServer;
    let full: TestServer;
    const held: AbortController[] = [];
    beforeAll(async () => {
      if (database.skip) return;
      server = await startTestServer({ database: await database.create(), verdictWaits: { total: 5, perIp: 4, perSession: 2 } });
      full = await startTestServer({ database: await database.create(), verdictWaits: { total: 3, perIp: 3, perSession: 3 } });
    });
    afterAll(async () => {
      for (const controller of held) controller.abort();
      await server?.close();
      await full?.close();
      await database.cleanup();
    });

    const versionOf = async (on: TestServer, token: string) =>
      ((await (await fetch(`${on.url}/csp/verdict/${token}`)).json()) as { version: string }).version;
    /** A long-poll (or a stream) the test keeps open until it aborts it. */
    const hold = (on: TestServer, token: string, version: string, stream = false) => {
      const controller = new AbortController();
      held.push(controller);
      const url = stream ? `${on.url}/csp/verdict/${token}` : `${on.url}/csp/verdict/${token}?after=${version}&wait=20000`;
      fetch(url, { signal: controller.signal, headers: stream ? { Accept: 'text/event-stream' } : {} }).catch(() => undefined);
      return controller;
    };
    const refusal = async (response: Response) => ({
      status: response.status,
      retryAfter: response.headers.get('Retry-After'),
      body: (await response.json()) as unknown,
    });

    it.skipIf(Boolean(database.skip))(
      'answers 429 past the caps per page view and per address, with Retry-After, reading nothing; a plain request is answered',
      async () => {
        const [a, b, c] = [mintSessionToken(SECRET).token, mintSessionToken(SECRET).token, mintSessionToken(SECRET).token];
        const [va, vb, vc] = [await versionOf(server, a), await versionOf(server, b), await versionOf(server, c)];
        const store = server.observer.store;
        const read = store.evidenceOfSession.bind(store);
        let reads = 0;
        store.evidenceOfSession = (id: string) => {
          reads++;
          return read(id);
        };

        hold(server, a, va);
        hold(server, a, va);
        await expect.poll(() => server.observer.waiters.size).toBe(2);
        const readsHeld = reads;
        expect(await refusal(await fetch(`${server.url}/csp/verdict/${a}?after=${va}&wait=20000`))).toEqual({
          status: 429,
          retryAfter: '10',
          body: { error: 'too many live verdict requests for this page view; retry in 10 s' },
        });
        hold(server, b, vb, true);
        hold(server, b, vb);
        await expect.poll(() => server.observer.waiters.size).toBe(4);
        const readsFull = reads;
        for (const headers of [{}, { Accept: 'text/event-stream' }] as Array<Record<string, string>>) {
          expect(await refusal(await fetch(`${server.url}/csp/verdict/${c}?after=${vc}&wait=20000`, { headers }))).toEqual({
            status: 429,
            retryAfter: '10',
            body: { error: 'too many live verdict requests from this address; retry in 10 s' },
          });
        }
        // Refused before any read; the held ones wait without reading again (a stream reads twice
        // as it starts: the verdict it sends, then the one it waits after).
        expect(reads).toBe(readsFull);
        expect(readsFull - readsHeld).toBe(3);
        expect(server.observer.waiters.size).toBe(4);

        const plain = await fetch(`${server.url}/csp/verdict/${c}`);
        expect(plain.status).toBe(200);
        expect(((await plain.json()) as { version: string }).version).toBe(vc);

        for (const controller of held.splice(0)) controller.abort();
        await expect.poll(() => server.observer.waiters.size).toBe(0);
        hold(server, c, vc);
        await expect.poll(() => server.observer.waiters.size).toBe(1);
        store.evidenceOfSession = read;
      },
    );

    it.skipIf(Boolean(database.skip))(
      'behind a proxy, counts the address the proxy saw, not the X-Forwarded-For entry the client wrote',
      async () => {
        const proxied = await startTestServer(
          { database: await database.create(), verdictWaits: { total: 10, perIp: 2, perSession: 2 } },
          (koa) => {
            koa.proxy = true;
          },
        );
        try {
          // The client writes the leftmost entry; the proxy appends the address it saw (the same each time).
          const spoofed = (i: number) => ({ 'X-Forwarded-For': `9.9.9.${i}, 203.0.113.7` });
          const statuses: number[] = [];
          const controllers: AbortController[] = [];
          for (let i = 0; i < 3; i++) {
            const token = mintSessionToken(SECRET).token;
            const version = await versionOf(proxied, token);
            const controller = new AbortController();
            controllers.push(controller);
            const answer = fetch(`${proxied.url}/csp/verdict/${token}?after=${version}&wait=20000`, {
              signal: controller.signal,
              headers: spoofed(i),
            });
            if (i < 2) {
              answer.catch(() => undefined);
              await expect.poll(() => proxied.observer.waiters.size).toBe(i + 1);
            } else statuses.push((await answer).status);
          }
          expect(statuses).toEqual([429]);
          for (const controller of controllers) controller.abort();
        } finally {
          await proxied.close();
        }
      },
    );

    it.skipIf(Boolean(database.skip))('a held request that times out reads its session once and writes nothing', async () => {
      const { token, session } = mintSessionToken(SECRET);
      // The version the page has, computed without an answer that would record it as shown.
      const { version } = (await server.observer.verdicts.current(session.id)).verdict;
      const store = server.observer.store;
      const [read, record] = [store.evidenceOfSession.bind(store), store.recordShownVerdict.bind(store)];
      let [reads, writes] = [0, 0];
      store.evidenceOfSession = (id: string) => {
        reads++;
        return read(id);
      };
      store.recordShownVerdict = (...args: Parameters<typeof record>) => {
        writes++;
        return record(...args);
      };
      try {
        const answer = await fetch(`${server.url}/csp/verdict/${token}?after=${version}&wait=300`);
        expect([answer.status, ((await answer.json()) as { version: string }).version]).toEqual([200, version]);
        // A crowd of long-polls ending together costs no queries beyond the one each made on arrival.
        expect([reads, writes]).toEqual([1, 0]);
      } finally {
        store.evidenceOfSession = read;
        store.recordShownVerdict = record;
      }
    });

    it.skipIf(Boolean(database.skip))('answers 503 with Retry-After once the server holds its total', async () => {
      const tokens = [0, 1, 2, 3].map(() => mintSessionToken(SECRET).token);
      const versions = await Promise.all(tokens.map((token) => versionOf(full, token)));
      for (let i = 0; i < 3; i++) hold(full, tokens[i]!, versions[i]!);
      await expect.poll(() => full.observer.waiters.size).toBe(3);
      expect(await refusal(await fetch(`${full.url}/csp/verdict/${tokens[3]}?after=${versions[3]}&wait=20000`))).toEqual({
        status: 503,
        retryAfter: '10',
        body: { error: 'too many live verdict requests on this server; retry in 10 s' },
      });
      expect(full.observer.waiters.size).toBe(3);
    });
  });
});

/**
 * Issue 21, items 1 and 2: hostile traffic is normal traffic. A rules feed's poisoned patterns
 * must not stall ingestion or the verdict's reads. Bounded in count (ten reports) and in time.
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
});

import { describe, expect, it } from 'vitest';
import { mintSessionToken } from '../src/session/session-token.js';
import { reportUriBody } from './fixtures/browser-reports.js';
import { testDatabases } from './support/databases.js';
import { SECRET, serveDuringTests, type TestServer } from './support/test-server.js';

const TOKEN = 'population-admin-token-0123456789';

describe.each(testDatabases())("whose an unexplained violation likely is, by the site's page views, on $name", (database) => {
  let server: TestServer;
  serveDuringTests(database, { admin: { token: TOKEN } }, (started) => (server = started));
  const report = (token: string, blocked: string) =>
    fetch(`${server.url}/csp/report/${token}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/csp-report' },
      body: reportUriBody({ 'blocked-uri': blocked }),
    });
  const detail = async (id: string) => {
    const response = await fetch(`${server.url}/csp/admin/api/sessions/${id}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as {
      unexplained: Array<{
        violation: { blockedUri: string };
        population: { side: string; pageViewsWithIt: number; pageViews: number; days: number };
      }>;
    };
  };

  describe.skipIf(Boolean(database.skip))('with a database', () => {
    it("calls the site's CDN script the site's own, and the one visitor's odd host likely theirs", async () => {
      // 24 page views load the site's CDN script without the policy allowing it; one also has a host no other page view loads.
      const sessions = Array.from({ length: 24 }, () => mintSessionToken(SECRET));
      for (const { token } of sessions) expect((await report(token, 'https://cdn.site.test/app.js')).status).toBe(204);
      const odd = sessions[7]!;
      expect((await report(odd.token, 'https://unheard-of.test/x.js')).status).toBe(204);

      const { unexplained } = await detail(odd.session.id);
      const side = (blocked: string) => unexplained.find((u) => u.violation.blockedUri === blocked)?.population;
      expect(side('https://cdn.site.test/app.js')).toMatchObject({ side: 'site', pageViewsWithIt: 24, pageViews: 24, days: 7 });
      expect(side('https://unheard-of.test/x.js')).toMatchObject({ side: 'visitor', pageViewsWithIt: 1, pageViews: 24 });
    });

    it("counts the page views of the window: a new page view's own odd host is likely the visitor's too", async () => {
      const fresh = mintSessionToken(SECRET);
      expect((await report(fresh.token, 'https://other-odd.test/y.js')).status).toBe(204);
      const { unexplained } = await detail(fresh.session.id);
      expect(unexplained[0]?.population).toMatchObject({ side: 'visitor', pageViewsWithIt: 1, pageViews: 25 });
    });
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRule } from '@csp-observer/core';
import { mintSessionToken } from '../src/session/session-token.js';
import { sdkEvent } from './fixtures/browser-reports.js';
import { testDatabases } from './support/databases.js';
import { SECRET, serveDuringTests, startTestServer, type TestServer } from './support/test-server.js';

const PAGE = 'http://127.0.0.1:3000/shop';
const POLICY = "default-src 'self'; script-src 'self' 'nonce-abc' 'report-sample'";
const HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>';

/** A local stand-in for the rule maintainers' sharing endpoint: records what it receives. */
async function sharingEndpoint(
  status = 200,
): Promise<{ url: string; received: string[]; setStatus(s: number): void; close(): Promise<void> }> {
  const received: string[] = [];
  let answer = status;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push(body);
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/share`,
    received,
    setStatus: (s) => void (answer = s),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The scan page's share form, as the browser posts it (same-origin unless told otherwise). */
function postShare(base: string, token: string, digest: string, headers: Record<string, string> = { 'Sec-Fetch-Site': 'same-origin' }) {
  return fetch(`${base}/csp/scan/${token}/share`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ digest }).toString(),
  });
}

describe.each(testDatabases())('visitor pages on $name', (database) => {
  let server: TestServer;
  let sharing: Awaited<ReturnType<typeof sharingEndpoint>>;
  const sent = (token: string, events: unknown[], extra: Record<string, unknown> = {}) =>
    fetch(`${server.url}/csp/events/${token}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ v: 1, events, ...extra }),
    });
  const page = async (path: string, init?: RequestInit) => {
    const response = await fetch(server.url + path, { redirect: 'manual', ...init });
    return { response, html: await response.text() };
  };
  const share = (token: string, digest: string) => postShare(server.url, token, digest);
  const digestIn = (html: string) => /name="digest" value="([^"]+)"/.exec(html)?.[1] ?? '';

  beforeAll(async () => {
    sharing = await sharingEndpoint();
  });
  afterAll(async () => {
    await sharing.close();
  });
  serveDuringTests(database, { privacyText: undefined, sessionKeepDays: 9 }, (s) => (server = s));

  describe.skipIf(Boolean(database.skip))('scan page', () => {
    let token: string;
    beforeAll(async () => {
      await server.observer.ruleStore.saveCustom(
        readRule(
          {
            id: 'custom:hostile-text',
            cause: 'malware',
            title: `Skimmer ${HOSTILE}`,
            short_description: 'A card skimmer.',
            long_description: `**Remove it.** ${HOSTILE} [details](javascript:alert(3)) [help](https://help.test/skimmer)`,
            references: ['https://ref.test/a', 'javascript:alert(4)'],
            match: [{ blocked_uri: 'skimmer\\.test' }],
          },
          'custom',
        ),
      );
      await server.observer.rules.load();
      token = mintSessionToken(SECRET).token;
      const events = [
        sdkEvent({ documentURI: PAGE, originalPolicy: POLICY, blockedURI: 'https://skimmer.test/x.js', seq: 0 }),
        sdkEvent({ documentURI: PAGE, originalPolicy: POLICY, blockedURI: `https://unknown.test/${HOSTILE}`, sample: HOSTILE, seq: 1 }),
      ];
      expect((await sent(token, events)).status).toBe(204);
    });

    it("lists the problem with the rule's long description as sanitized markdown, and what no rule explains as text", async () => {
      const { response, html } = await page(`/csp/scan/${token}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(html).toContain('Detected 1 problem in your browser');
      expect(html).toContain('<strong>Remove it.</strong>');
      expect(html).toContain('<a href="https://help.test/skimmer" rel="noopener noreferrer nofollow">help</a>');
      expect(html).toContain('Malware or adware');
      expect(html).toContain('Other blocked content');
      // Everything from the rule file and the reports is text: no tag, no handler, no javascript: link survives.
      expect(html).not.toMatch(/<script>|<img|href="javascript:/i);
      expect(html).toContain('[details](javascript:alert(3))');
      expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
      expect(html).toContain('https://ref.test/a');
    });

    it('carries its own strict policy and no referrer to other sites', async () => {
      const { response } = await page(`/csp/scan/${token}`);
      const policy = response.headers.get('content-security-policy') ?? '';
      expect(policy).toContain("default-src 'none'");
      expect(policy).not.toMatch(/script-src|unsafe/);
      expect(policy).toContain("frame-ancestors 'none'");
      expect(response.headers.get('referrer-policy')).toBe('same-origin');
    });

    it('refreshes itself while the verdict is not final, and says so', async () => {
      const fresh = mintSessionToken(SECRET).token;
      const { html } = await page(`/csp/scan/${fresh}`);
      expect(html).toContain('<meta http-equiv="refresh" content="3">');
      expect(html).toContain('still being observed');
    });

    it('answers a forged or unknown token with an HTML 404 for the visitor', async () => {
      const { response, html } = await page('/csp/scan/forged.token.value');
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(html).toContain('does not exist or has expired (checks are kept 9 days)');
    });

    it('shows no sharing UI when dataSharingUrl is not set, and refuses a share', async () => {
      const { html } = await page(`/csp/scan/${token}`);
      expect(html).not.toContain('Help improve the detection');
      expect((await share(token, 'x')).status).toBe(404);
    });
  });

  describe.skipIf(Boolean(database.skip))('privacy page', () => {
    it('says what is collected, for how long, and that IPs are anonymized', async () => {
      const { response, html } = await page('/csp/privacy');
      expect(response.status).toBe(200);
      expect(html).toContain('<strong>9 days</strong>');
      expect(html).toContain('<strong>anonymized</strong>');
      expect(html).toContain('The data is not shared with anyone.');
    });
  });

  describe.skipIf(Boolean(database.skip))('with dataSharingUrl', () => {
    let sharingServer: TestServer;
    let token: string;
    const sharePage = async (path: string) => {
      const response = await fetch(sharingServer.url + path, { redirect: 'manual' });
      return { response, html: await response.text() };
    };
    const shareOn = (t: string, digest: string, headers?: Record<string, string>) => postShare(sharingServer.url, t, digest, headers);

    beforeAll(async () => {
      sharingServer = await startTestServer({
        database: await database.create(),
        dataSharingUrl: sharing.url,
        privacyText: '# Our words\n\nWe keep <b>nothing</b>.',
      });
      token = mintSessionToken(SECRET).token;
      const response = await fetch(`${sharingServer.url}/csp/events/${token}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          v: 1,
          events: [
            sdkEvent({
              documentURI: `${PAGE}?card=4111`,
              originalPolicy: POLICY,
              blockedURI: 'https://new-adware.test/x.js?uid=7',
              seq: 0,
            }),
          ],
        }),
      });
      expect(response.status).toBe(204);
    });
    afterAll(async () => {
      await sharingServer.close();
    });

    it('shows the exact data that would be shared: no query strings, no IP, no token', async () => {
      const { html } = await sharePage(`/csp/scan/${token}`);
      const shown = /<pre class="shared-data"[^>]*>([\s\S]*?)<\/pre>/
        .exec(html)?.[1]
        ?.replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'");
      const data = JSON.parse(shown ?? 'null') as Record<string, unknown>;
      expect(data).toMatchObject({
        schema: 'csp-observer/shared-report@2',
        page: PAGE,
        unexplained: [expect.objectContaining({ blockedUri: 'https://new-adware.test/x.js' })],
      });
      expect(JSON.stringify(data)).not.toMatch(/uid=7|card=|127\.0\.0\.0|"ip"/);
      expect(JSON.stringify(data)).not.toContain(token);
      expect(sharing.received).toHaveLength(0);
    });

    it('refuses a share from another site, and one for data the visitor did not see', async () => {
      expect((await shareOn(token, 'whatever', { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
      expect((await shareOn(token, 'whatever', { Origin: 'https://evil.test' })).status).toBe(403);
      const stale = await shareOn(token, 'not-the-digest');
      expect(stale.status).toBe(303);
      expect(stale.headers.get('location')).toBe(`/csp/scan/${token}?shared=changed#share`);
      expect(sharing.received).toHaveLength(0);
    });

    it('says so when the sharing service fails, and lets the visitor try again', async () => {
      sharing.setStatus(500);
      const { html } = await sharePage(`/csp/scan/${token}`);
      const failed = await shareOn(token, digestIn(html));
      expect(failed.headers.get('location')).toBe(`/csp/scan/${token}?shared=failed#share`);
      const after = await sharePage(`/csp/scan/${token}?shared=failed`);
      expect(after.html).toContain('Sharing failed');
      expect(after.html).toContain('Share this data');
      sharing.setStatus(200);
    });

    it('forwards exactly the shown data once, on the click, and shows the thanks', async () => {
      const before = sharing.received.length;
      const { html } = await sharePage(`/csp/scan/${token}`);
      const shown = /<pre class="shared-data"[^>]*>([\s\S]*?)<\/pre>/
        .exec(html)?.[1]
        ?.replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'");
      const ok = await shareOn(token, digestIn(html));
      expect(ok.status).toBe(303);
      expect(ok.headers.get('location')).toBe(`/csp/scan/${token}?shared=ok#share`);
      expect(sharing.received.slice(before)).toEqual([shown]);
      const again = await shareOn(token, digestIn(html));
      expect(again.headers.get('location')).toBe(`/csp/scan/${token}?shared=already#share`);
      expect(sharing.received.length).toBe(before + 1);
      const thanks = await sharePage(`/csp/scan/${token}?shared=ok`);
      expect(thanks.html).toContain('Thank you: the data was shared.');
      expect(thanks.html).toContain('You shared this data on');
      expect(thanks.html).not.toContain('Share this data</button>');
    });

    it("answers JSON to a program, and serves the site owner's privacy text as sanitized markdown", async () => {
      const fresh = mintSessionToken(SECRET).token;
      const response = await fetch(`${sharingServer.url}/csp/scan/${fresh}/share`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Sec-Fetch-Site': 'same-origin' },
        body: JSON.stringify({ digest: 'x' }),
      });
      expect(response.status).toBe(409);
      expect(await response.json()).toEqual({ shared: false, error: 'There is nothing to share for this page view.' });
      const { html } = await sharePage('/csp/privacy');
      expect(html).toContain('<h1>Our words</h1>');
      expect(html).toContain('We keep &lt;b&gt;nothing&lt;/b&gt;.');
    });
  });

  describe.skipIf(Boolean(database.skip))('SDK queue retries', () => {
    it('stores a batch sent twice (beacon, then the next page view) once, and still stores new events', async () => {
      const token = mintSessionToken(SECRET).token;
      const id = token.split('.')[0]!;
      const batch = [0, 1, 2].map((seq) =>
        sdkEvent({ documentURI: PAGE, originalPolicy: POLICY, blockedURI: `https://retry.test/${seq}.js`, seq }),
      );
      const hidden = [{ tag: 'script', url: 'https://hidden.test/a.js', directive: 'script-src-elem', seq: 3 }];
      const [first, second] = await Promise.all([sent(token, batch, { hidden }), sent(token, batch, { hidden })]);
      expect([first.status, second.status]).toEqual([204, 204]);
      expect((await sent(token, batch.slice(1))).status).toBe(204);
      expect(
        (await sent(token, [sdkEvent({ documentURI: PAGE, originalPolicy: POLICY, blockedURI: 'https://retry.test/3.js', seq: 4 })]))
          .status,
      ).toBe(204);
      const rows = await server.observer.store.reportsOfSession(id);
      expect(rows.map((r) => r.blockedUri).sort()).toEqual([
        'https://hidden.test/a.js',
        'https://retry.test/0.js',
        'https://retry.test/1.js',
        'https://retry.test/2.js',
        'https://retry.test/3.js',
      ]);
      expect(rows.map((r) => r.sdkSeq).sort()).toEqual([0, 1, 2, 3, 4]);
    });

    it('stores events without a number (an older SDK) every time', async () => {
      const token = mintSessionToken(SECRET).token;
      const event = sdkEvent({ documentURI: PAGE, originalPolicy: POLICY, blockedURI: 'https://old-sdk.test/a.js' });
      await sent(token, [event]);
      await sent(token, [{ ...event, seq: -1 }]);
      expect(await server.observer.store.reportsOfSession(token.split('.')[0]!)).toHaveLength(2);
    });
  });
});

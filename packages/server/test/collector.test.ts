import { createCipheriv, hkdfSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cspObserver, type CspObserverSiteMiddleware } from '../src/observer.js';
import { mintSessionToken, mintSiteToken } from '../src/session/session-token.js';
import { reportUriBody, sdkEvent } from './fixtures/browser-reports.js';
import { testDatabases } from './support/databases.js';
import { SECRET, startTestServer, type TestServer } from './support/test-server.js';

const SHOP = 'https://shop.test';
const BLOG = 'https://blog.test';
const SHOP_SECRET = 'shop-current-secret-0123456789';
const SHOP_OLD = 'shop-previous-secret-0123456789';
const SHOP_RETIRED = 'shop-retired-secret-0123456789';
const BLOG_SECRET = 'blog-secret-0123456789abcdef';
const ADMIN = 'collector-admin-token-0123456789';
const HOUR = 3600_000;
const CANARY_ONLY = { canary: true, reportingApi: false };

const sites = () => [
  {
    id: 'shop',
    secrets: [SHOP_SECRET, { secret: SHOP_OLD, until: new Date(Date.now() + HOUR) }, { secret: SHOP_RETIRED, until: Date.now() - HOUR }],
    origins: [SHOP],
  },
  { id: 'blog', secrets: [BLOG_SECRET], origins: [BLOG] },
];

/** A site's page, served by a Koa app in remote mode (no database of its own). */
async function startSite(options: Partial<Parameters<typeof cspObserver>[0]> & { remote: { url: string; site: string; secret: string } }) {
  const koa = new Koa({ proxy: true });
  const site = cspObserver(options) as CspObserverSiteMiddleware;
  koa.use(site);
  koa.use((ctx) => {
    ctx.type = 'html';
    ctx.body = '<!doctype html><html lang="en"><head><title>Shop</title></head><body><script>1</script></body></html>';
  });
  const server = koa.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    site,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const post = (url: string, origin: string | null, body: string, type = 'application/csp-report') =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': type, ...(origin ? { Origin: origin } : {}) }, body });

describe.each(testDatabases())('central collector on $name', (database) => {
  let collector: TestServer;
  const endpoint = () => `${collector.url}/csp`;
  const admin = async (path: string) => {
    const response = await fetch(`${collector.url}/csp/admin/api${path}`, { headers: { Authorization: `Bearer ${ADMIN}` } });
    expect(response.status, path).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    if (database.skip) return;
    collector = await startTestServer({ database: await database.create(), collector: { sites: sites() }, admin: { token: ADMIN } });
  });
  afterAll(async () => {
    await collector?.close();
    await database.cleanup();
  });

  it.skipIf(Boolean(database.skip))("points a remote site's pages at the collector, with no call to it per page view", async () => {
    const site = await startSite({ remote: { url: endpoint(), site: 'shop', secret: SHOP_SECRET }, reportingApi: true });
    try {
      const page = await fetch(`${site.url}/`);
      const header = page.headers.get('content-security-policy-report-only') ?? '';
      const token = /report-uri (\S+)\/report\/([^;\s]+)/.exec(header);
      expect(token?.[1]).toBe(endpoint());
      expect(token?.[2]).toMatch(/^shop\.[A-Za-z0-9_-]{16}\.[0-9a-z]+\.[A-Za-z0-9_-]{22}$/);
      // The SDK's beacons and verdict requests go cross-origin: the collector is in connect-src, its script in script-src.
      expect(header).toMatch(new RegExp(`connect-src 'self' ${collector.url}`));
      expect(header).toMatch(new RegExp(`script-src [^;]*${collector.url}`));
      expect(header).not.toMatch(/report-to/);
      const html = await page.text();
      expect(html).toContain(`<script src="${endpoint()}/sdk.js"`);
      expect(html).toContain(`data-endpoint="${endpoint()}"`);
      // Over HTTPS (behind a proxy) the Reporting API endpoint is the collector's too.
      const https = await fetch(`${site.url}/`, { headers: { 'X-Forwarded-Proto': 'https' } });
      expect(https.headers.get('reporting-endpoints')).toMatch(new RegExp(`^csp-endpoint="${endpoint()}/reports/shop\\.`));
      // Nothing was written at the collector for those page views.
      expect(await collector.observer.store.countReports()).toBe(0);
      expect(site.site.remote).toEqual({ url: endpoint(), site: 'shop' });
    } finally {
      await site.close();
    }
  });

  it.skipIf(Boolean(database.skip))("stores two sites' reports apart, each from its own origins", async () => {
    const shop = mintSiteToken('shop', SHOP_SECRET, CANARY_ONLY).token;
    const blog = mintSiteToken('blog', BLOG_SECRET, { canary: false, reportingApi: false }).token;
    expect((await post(`${endpoint()}/report/${shop}`, SHOP, reportUriBody({ 'document-uri': `${SHOP}/cart` }))).status).toBe(204);
    expect((await post(`${endpoint()}/report/${blog}`, BLOG, reportUriBody({ 'document-uri': `${BLOG}/post` }))).status).toBe(204);
    const events = JSON.stringify({ v: 1, events: [sdkEvent({ documentURI: `${SHOP}/cart`, seq: 0 })] });
    // The SDK posts text/plain across origins (no preflight); the answer lets the page read it.
    const sdk = await post(`${endpoint()}/events/${shop}`, SHOP, events, 'text/plain;charset=UTF-8');
    expect(sdk.status).toBe(204);
    expect(sdk.headers.get('access-control-allow-origin')).toBe(SHOP);

    const shopReports = (await admin('/reports?site=shop')) as { items: Array<{ site: string; sessionId: string; documentUri: string }> };
    expect(shopReports.items.map((r) => [r.site, r.documentUri])).toEqual([
      ['shop', `${SHOP}/cart`],
      ['shop', `${SHOP}/cart`],
    ]);
    expect(shopReports.items[0]!.sessionId).toMatch(/^shop\./);
    const blogReports = (await admin('/reports?site=blog')) as { items: Array<{ documentUri: string }> };
    expect(blogReports.items.map((r) => r.documentUri)).toEqual([`${BLOG}/post`]);
    const sessions = (await admin('/sessions?site=blog')) as { items: Array<{ id: string; site: string; policy: unknown }> };
    expect(sessions.items).toHaveLength(1);
    expect(sessions.items[0]).toMatchObject({ site: 'blog', policy: { canary: false, reportingApi: false } });
    const overview = (await admin('/overview?site=shop')) as { total: number };
    expect(overview.total).toBe(2);
    expect(((await admin('/sites')) as { sites: Array<{ id: string }> }).sites.map((s) => s.id)).toEqual(['shop', 'blog']);
  });

  it.skipIf(Boolean(database.skip))("refuses a site's token sent from another site's origin, and stores nothing", async () => {
    const before = await collector.observer.store.countReports();
    const shop = mintSiteToken('shop', SHOP_SECRET, CANARY_ONLY).token;
    const refused = await post(`${endpoint()}/report/${shop}`, BLOG, reportUriBody());
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toMatch(/origin https:\/\/blog\.test may not send/);
    const events = JSON.stringify({ v: 1, events: [sdkEvent()] });
    expect((await post(`${endpoint()}/events/${shop}`, BLOG, events, 'text/plain')).status).toBe(403);
    expect((await post(`${endpoint()}/reports/${shop}`, BLOG, '[]', 'application/reports+json')).status).toBe(403);
    // Preflights (Reporting API, SDK) answer only the site's own origins.
    const preflight = (origin: string) =>
      fetch(`${endpoint()}/reports/${shop}`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' } });
    expect((await preflight(BLOG)).status).toBe(403);
    const allowed = await preflight(SHOP);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SHOP);
    // The verdict is the site's to read, not another origin's.
    expect((await fetch(`${endpoint()}/verdict/${shop}`, { headers: { Origin: BLOG } })).status).toBe(403);
    expect(await collector.observer.store.countReports()).toBe(before);
  });

  it.skipIf(Boolean(database.skip))('accepts a rotated-out secret during its grace period only, and never a wrong one', async () => {
    const send = (token: string) => post(`${endpoint()}/report/${token}`, SHOP, reportUriBody());
    expect((await send(mintSiteToken('shop', SHOP_OLD, CANARY_ONLY).token)).status).toBe(204);
    expect((await send(mintSiteToken('shop', SHOP_RETIRED, CANARY_ONLY).token)).status).toBe(403);
    expect((await send(mintSiteToken('shop', 'an-unknown-secret-0123456789', CANARY_ONLY).token)).status).toBe(403);
    // Blog's secret does not sign for shop, and an unknown site is refused.
    expect((await send(mintSiteToken('shop', BLOG_SECRET, CANARY_ONLY).token)).status).toBe(403);
    expect((await send(mintSiteToken('news', SHOP_SECRET, CANARY_ONLY).token)).status).toBe(403);
    // A site token is not one of the collector's own, nor the other way round.
    expect((await send(mintSiteToken('shop', SECRET, CANARY_ONLY).token)).status).toBe(403);
    expect((await post(`${endpoint()}/report/${mintSessionToken(SHOP_SECRET).token}`, null, reportUriBody())).status).toBe(403);
    // The collector's own pages keep working next to its sites.
    expect((await post(`${endpoint()}/report/${mintSessionToken(SECRET).token}`, null, reportUriBody())).status).toBe(204);
  });

  it.skipIf(Boolean(database.skip))("keeps a site's page views apart from another site minting the same id", async () => {
    const shop = mintSiteToken('shop', SHOP_SECRET, CANARY_ONLY);
    const [, id, issued] = shop.token.split('.') as [string, string, string];
    // Blog knows its own secret only, but may pick any id: it gets a page view of its own. Signed
    // here as token-cipher.ts does, from its description: AES-256 of id and time, key from HKDF.
    const key = Buffer.from(hkdfSync('sha256', BLOG_SECRET, 'csp-observer session token', 'v2 site blog', 32));
    const cipher = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false);
    const block = Buffer.concat([Buffer.from(id, 'base64url'), Buffer.alloc(4)]);
    block.writeUInt32BE(parseInt(issued, 36), 12);
    const forged = `blog.${id}.${issued}.${cipher.update(block).toString('base64url')}`;
    expect(
      (await post(`${endpoint()}/report/${shop.token}`, SHOP, reportUriBody({ 'blocked-uri': 'https://www.superfish.com/ws/sf_main.js' })))
        .status,
    ).toBe(204);
    expect((await post(`${endpoint()}/report/${forged}`, BLOG, reportUriBody({ 'blocked-uri': 'https://cdn.test/other.js' }))).status).toBe(
      204,
    );
    const shopSession = await collector.observer.store.reportsOfSession(`shop.${id}`);
    const blogSession = await collector.observer.store.reportsOfSession(`blog.${id}`);
    expect(shopSession.map((r) => r.blockedUri)).toEqual(['https://www.superfish.com/ws/sf_main.js']);
    expect(blogSession.map((r) => r.blockedUri)).toEqual(['https://cdn.test/other.js']);
  });

  it.skipIf(Boolean(database.skip))('serves the verdict and the scan page of a remote page view, to its site', async () => {
    const { token } = mintSiteToken('shop', SHOP_SECRET, CANARY_ONLY);
    await post(`${endpoint()}/report/${token}`, SHOP, reportUriBody({ 'blocked-uri': 'https://www.superfish.com/ws/sf_main.js' }));
    const verdict = await fetch(`${endpoint()}/verdict/${token}`, { headers: { Origin: SHOP } });
    expect(verdict.status).toBe(200);
    expect(verdict.headers.get('access-control-allow-origin')).toBe(SHOP);
    const body = (await verdict.json()) as { status: string; problems: Array<{ ruleId: string }> };
    expect(body.status).toBe('problems');
    expect(body.problems.map((p) => p.ruleId)).toEqual(['malware.superfish']);
    const scan = await fetch(`${endpoint()}/scan/${token}`);
    expect(scan.status).toBe(200);
    expect(await scan.text()).toMatch(/Superfish/);
    // The dashboard's page-view detail reads the remote session by its stored id.
    const detail = (await admin(`/sessions/shop.${token.split('.')[1]}`)) as { session: { site: string }; current: { status: string } };
    expect(detail.session.site).toBe('shop');
    expect(detail.current.status).toBe('problems');
  });

  it.skipIf(Boolean(database.skip))("applies a site's custom rule to that site only", async () => {
    const rule = { title: 'Blog tracker', cause: 'other', site: 'blog', match: [{ blocked_uri: 'tracker\\.test' }] };
    const created = await fetch(`${collector.url}/csp/admin/api/rules`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(rule),
    });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { site: string }).site).toBe('blog');
    const unknownSite = await fetch(`${collector.url}/csp/admin/api/rules`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...rule, title: 'x', site: 'news' }),
    });
    expect(unknownSite.status).toBe(400);
    const tracker = reportUriBody({ 'blocked-uri': 'https://tracker.test/t.js' });
    const blog = mintSiteToken('blog', BLOG_SECRET, CANARY_ONLY).token;
    const shop = mintSiteToken('shop', SHOP_SECRET, CANARY_ONLY).token;
    await post(`${endpoint()}/report/${blog}`, BLOG, tracker);
    await post(`${endpoint()}/report/${shop}`, SHOP, tracker);
    const [blogVerdict, shopVerdict] = await Promise.all(
      [blog, shop].map(
        async (t) => (await (await fetch(`${endpoint()}/verdict/${t}`)).json()) as { problems: Array<{ ruleId: string }>; unknown: number },
      ),
    );
    expect(blogVerdict!.problems.map((p) => p.ruleId)).toEqual(['custom:blog-tracker']);
    expect(shopVerdict!.problems).toEqual([]);
    const stored = await collector.observer.store.recentReports(2);
    expect(stored.map((r) => [r.site, r.ruleId])).toEqual([
      ['shop', null],
      ['blog', 'custom:blog-tracker'],
    ]);
  });
});

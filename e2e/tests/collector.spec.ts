import { mintSiteToken } from '@csp-observer/server/internals';
import type { APIRequestContext, Page } from '@playwright/test';
import { COLLECTOR_ADMIN_TOKEN, SHOP_RETIRED_SECRET, SHOP_SECRET } from '../playwright.config.js';
import { expect, sessionOf, test } from './fixtures.js';
import { finalVerdict } from './support/verdict.js';

// examples/collector, as its one command starts it: a collector and two sites on other origins.
const COLLECTOR = process.env.E2E_COLLECTOR_URL!;
const SHOP = process.env.E2E_SHOP_URL!;
const BLOG = process.env.E2E_BLOG_URL!;

const popup = (page: Page) => page.getByRole('region', { name: 'Browser security check' });

interface ListedReport {
  site: string;
  sessionId: string;
  channel: string;
  documentUri: string;
  ruleId: string | null;
}

async function reportsAt(request: APIRequestContext, query: string): Promise<ListedReport[]> {
  const response = await request.get(`${COLLECTOR}/csp/admin/api/reports?${query}&pageSize=100`, {
    headers: { Authorization: `Bearer ${COLLECTOR_ADMIN_TOKEN}` },
  });
  expect(response.status()).toBe(200);
  return ((await response.json()) as { items: ListedReport[] }).items;
}

/** Every securitypolicyviolation the page sees, from before its first script. */
async function recordViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __violations: string[] }).__violations = seen;
    document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.effectiveDirective} ${event.blockedURI}`));
  });
}

test.describe('one collector, two sites', () => {
  test("a shop page view's reports, verdict, popup and scan page all come from the collector", async ({ page, context, request }) => {
    await recordViolations(page);
    await page.goto(`${SHOP}/violations`);
    await expect(popup(page).getByRole('status')).toHaveText('Detected 1 problem');
    await expect(popup(page).getByRole('listitem')).toHaveText(['Superfish (VisualDiscovery) adware']);

    const { id } = await sessionOf(page);
    expect(id).toMatch(/^shop\./);
    const verdict = await finalVerdict(request, page, COLLECTOR);
    expect(verdict.problems.map((p) => p.ruleId)).toEqual(['malware.superfish']);
    // The canary and the pairing of both channels work across origins: no anomaly.
    expect(verdict.anomalies).toEqual([]);
    // Both channels reached the other origin: the browser's report-uri and the SDK's cross-origin beacons.
    await expect
      .poll(async () =>
        [...new Set((await reportsAt(request, `site=shop&session=${id}&rule=malware.superfish`)).map((r) => r.channel))].sort(),
      )
      .toEqual(['report-uri', 'sdk']);
    // The SDK's script, events and verdict requests to the collector caused no violation of their own.
    const violations = await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
    expect(violations.filter((v) => v.includes(COLLECTOR))).toEqual([]);
    expect(violations.some((v) => v.includes('superfish.com'))).toBe(true);

    const [scan] = await Promise.all([
      context.waitForEvent('page'),
      popup(page)
        .getByRole('link', { name: /Learn more/ })
        .click(),
    ]);
    await scan.waitForLoadState();
    expect(scan.url()).toBe(`${COLLECTOR}/csp/scan/${(await sessionOf(page)).token}`);
    await expect(scan.getByRole('heading', { name: 'Superfish (VisualDiscovery) adware' })).toBeVisible();
  });

  test("the blog's reports are kept apart from the shop's", async ({ page, request }) => {
    await page.goto(`${BLOG}/violations`);
    await expect(popup(page).getByRole('status')).toHaveText('Detected 1 problem');
    const { id } = await sessionOf(page);
    expect(id).toMatch(/^blog\./);
    await expect.poll(async () => (await reportsAt(request, `site=blog&session=${id}`)).length).toBeGreaterThan(0);
    const blog = await reportsAt(request, 'site=blog');
    const shop = await reportsAt(request, 'site=shop');
    expect(blog.every((r) => r.site === 'blog' && r.documentUri.startsWith(BLOG) && r.sessionId.startsWith('blog.'))).toBe(true);
    expect(shop.every((r) => r.site === 'shop' && r.documentUri.startsWith(SHOP))).toBe(true);
    expect(shop.some((r) => r.sessionId === id)).toBe(false);
  });

  test("a report with the shop's token sent from the blog's pages is refused", async ({ page, request }) => {
    await page.goto(`${SHOP}/`);
    const shop = await sessionOf(page);
    await expect(popup(page).getByRole('status')).toHaveText('No problems detected');
    const before = (await reportsAt(request, `site=shop&session=${shop.id}`)).length;

    await page.goto(`${BLOG}/`);
    const answered = page.waitForResponse((response) => response.url().includes(`/csp/report/${shop.token}`));
    // What a script on the blog could do with a shop token it got hold of: the browser sends the blog's Origin.
    await page.evaluate(
      ([url, body]) =>
        fetch(url!, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body }).catch(() => undefined),
      [
        `${COLLECTOR}/csp/report/${shop.token}`,
        JSON.stringify({
          'csp-report': {
            'document-uri': `${SHOP}/`,
            'blocked-uri': 'https://evil.test/x.js',
            'violated-directive': 'script-src-elem',
            'original-policy': "default-src 'self'",
            referrer: '',
          },
        }),
      ],
    );
    expect((await answered).status()).toBe(403);
    expect((await reportsAt(request, `site=shop&session=${shop.id}`)).length).toBe(before);
  });

  test('tokens signed with a wrong or a retired secret are refused', async ({ request }) => {
    const body = JSON.stringify({
      'csp-report': {
        'document-uri': `${SHOP}/`,
        'blocked-uri': 'inline',
        'violated-directive': 'script-src-elem',
        'original-policy': "default-src 'self'",
        referrer: '',
      },
    });
    const send = (secret: string) =>
      request.post(`${COLLECTOR}/csp/report/${mintSiteToken('shop', secret, { canary: true, reportingApi: false }).token}`, {
        headers: { 'Content-Type': 'application/csp-report', Origin: SHOP },
        data: body,
      });
    expect((await send('not-the-shop-secret-0123456789')).status()).toBe(403);
    expect((await send(SHOP_RETIRED_SECRET)).status()).toBe(403);
    expect((await send(SHOP_SECRET)).status()).toBe(204);
  });

  test("the collector's dashboard shows each site's reports on its own", async ({ page, request }, testInfo) => {
    await page.goto(`${SHOP}/violations`);
    await finalVerdict(request, page, COLLECTOR);
    await page.goto(`${BLOG}/violations`);
    await finalVerdict(request, page, COLLECTOR);

    await page.goto(`${COLLECTOR}/csp/admin/`);
    await page.getByLabel('Admin password or token').fill(COLLECTOR_ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
    const sites = page.getByRole('navigation', { name: 'Site' });
    await expect(sites.getByRole('link')).toHaveText(['All sites', 'shop', 'blog', 'This server']);
    const list = page.getByTestId('report-list');
    // Every site: a Site column names whose each report is.
    await expect(list.getByRole('columnheader', { name: 'Site' })).toBeVisible();
    for (const [site, origin] of [
      ['shop', SHOP],
      ['blog', BLOG],
    ] as const) {
      await sites.getByRole('link', { name: site, exact: true }).click();
      await expect(sites.getByRole('link', { name: site, exact: true })).toHaveAttribute('aria-current', 'true');
      await expect(list.getByRole('columnheader', { name: 'Site' })).toHaveCount(0);
      // The Page column of every row, once the site's list has loaded.
      const pages = list.locator('tbody tr td:nth-child(5)');
      await expect
        .poll(async () => {
          const texts = await pages.allTextContents();
          return texts.length > 0 && texts.every((text) => text.startsWith(origin));
        })
        .toBe(true);
      await page.screenshot({ path: testInfo.outputPath(`collector-reports-${site}.png`), fullPage: true });
    }
  });
});

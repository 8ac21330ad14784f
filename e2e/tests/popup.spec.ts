import { createServer, type Server } from 'node:http';
import type { Page } from '@playwright/test';
import { expect, sessionOf, shoot, test } from './fixtures.js';
import { injectMiner } from './support/injection.js';
import { finalVerdict } from './support/verdict.js';

const popup = (page: Page) => page.getByRole('region', { name: 'Browser security check' });
const host = (page: Page) => page.locator('csp-observer-popup');

/**
 * Once the server's verdict is final, the popup has had its chance to appear: its long-poll is
 * answered at the same moment. The short wait covers the page's rendering of that answer.
 */
async function settled(page: Page, request: Parameters<typeof finalVerdict>[0], origin?: string) {
  const verdict = await finalVerdict(request, page, origin);
  await page.waitForTimeout(750);
  return verdict;
}

test.describe('the popup in always mode', () => {
  test('says it is observing, then "No problems detected" on a clean page, then fades away', async ({ page }, testInfo) => {
    // Hold the first verdict back a moment, so that the observing state can be seen.
    await page.route('**/csp/verdict/**', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 800));
      await route.continue();
    });
    await page.goto('/');
    await expect(popup(page)).toContainText('Observing browser behaviour…');
    await shoot(page, testInfo, 'popup-always-observing');
    await expect(popup(page)).toContainText('No problems detected');
    await expect(popup(page).getByRole('status')).toHaveText('No problems detected');
    await shoot(page, testInfo, 'popup-always-clean');
    await expect(host(page)).toHaveCount(0, { timeout: 10_000 });
  });

  test('shows an injected problem with its title; "Learn more" opens the scan page with it', async ({ page, context }, testInfo) => {
    await injectMiner(page);
    await page.goto('/');
    await expect(popup(page).getByRole('status')).toHaveText('Detected 1 problem');
    await expect(popup(page).getByRole('listitem')).toHaveText(['Cryptocurrency miner']);
    await shoot(page, testInfo, 'popup-always-problem');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shoot(page, testInfo, 'popup-always-problem-dark');

    const [scan] = await Promise.all([
      context.waitForEvent('page'),
      popup(page)
        .getByRole('link', { name: /Learn more/ })
        .click(),
    ]);
    await scan.waitForLoadState();
    expect(scan.url()).toContain(`/csp/scan/${(await sessionOf(page)).token}`);
    await expect(scan.getByRole('heading', { name: 'Cryptocurrency miner' })).toBeVisible();
    await expect(scan.getByRole('status')).toContainText('Detected 1 problem');
    await shoot(scan, testInfo, 'scan-page', true);
  });

  test('closing it keeps it closed for the rest of the session', async ({ page, request }) => {
    await injectMiner(page);
    await page.goto('/');
    await expect(popup(page)).toContainText('Detected 1 problem');
    await popup(page).getByRole('button', { name: 'Close' }).click();
    await expect(host(page)).toHaveCount(0);

    await page.reload();
    expect((await settled(page, request)).status).toBe('problems');
    await expect(host(page)).toHaveCount(0);
  });
});

test.describe('the popup in minimized mode', () => {
  test.use({ baseURL: process.env.E2E_MINIMIZED_URL });

  test('stays invisible on a clean page', async ({ page, request }) => {
    await page.goto('/');
    expect((await settled(page, request)).status).toBe('clean');
    await expect(host(page)).toHaveCount(0);
  });

  test('appears when a problem is found, and Escape closes it', async ({ page }, testInfo) => {
    await injectMiner(page);
    await page.goto('/');
    await expect(popup(page).getByRole('status')).toHaveText('Detected 1 problem');
    await shoot(page, testInfo, 'popup-minimized-problem');
    await popup(page).getByRole('button', { name: 'Close' }).focus();
    await page.keyboard.press('Escape');
    await expect(host(page)).toHaveCount(0);
  });
});

test.describe('under a strict nonce-based policy, enforced', () => {
  test.use({ baseURL: process.env.E2E_STRICT_URL });

  /** Every violation of the page, as the earliest listener sees it. */
  async function recordViolations(page: Page) {
    await page.addInitScript(() => {
      const seen: Array<{ directive: string; blocked: string; sample: string }> = [];
      (window as unknown as { __violations: typeof seen }).__violations = seen;
      window.addEventListener(
        'securitypolicyviolation',
        (e) => seen.push({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample }),
        true,
      );
    });
    return async () =>
      page.evaluate(
        () => (window as unknown as { __violations: Array<{ directive: string; blocked: string; sample: string }> }).__violations,
      );
  }

  test('the SDK and its popup cause no violation of their own (the canary is the only one, on purpose)', async ({
    page,
    request,
  }, testInfo) => {
    const violations = await recordViolations(page);
    await page.goto('/');
    await expect(popup(page)).toContainText('No problems detected');
    // Styled by the adopted stylesheet: rounded corners, not the browser's defaults.
    expect(await popup(page).evaluate((el) => getComputedStyle(el).borderTopLeftRadius)).not.toBe('0px');
    await shoot(page, testInfo, 'popup-strict-clean');
    expect((await settled(page, request)).status).toBe('clean');
    const seen = await violations();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ directive: 'script-src', blocked: 'eval' });
    expect(seen[0]!.sample).toContain('csp-canary:');
  });

  test('with a problem the whole popup shows, and the only other violation is the injected one', async ({ page, request }, testInfo) => {
    const violations = await recordViolations(page);
    await injectMiner(page);
    await page.goto('/');
    await expect(popup(page).getByRole('listitem')).toHaveText(['Cryptocurrency miner']);
    await popup(page)
      .getByRole('link', { name: /Learn more/ })
      .hover();
    await shoot(page, testInfo, 'popup-strict-problem');
    expect((await settled(page, request)).problems.map((p) => p.ruleId)).toEqual(['malware.cryptominer']);
    const others = (await violations()).filter((v) => !v.sample.includes('csp-canary:'));
    expect(others).toEqual([{ directive: 'script-src-elem', blocked: 'https://coinhive.com/lib/coinhive.min.js', sample: '' }]);
  });
});

test('events queued while the endpoint is unreachable are delivered on the next page view, once', async ({ page, store }) => {
  await page.route('**/csp/events/**', (route) => route.abort());
  // The canary's message and the page's violations may leave in different batches: both must have failed.
  const failed = (text: string) =>
    page.waitForEvent('requestfailed', (r) => r.url().includes('/csp/events/') && (r.postData() ?? '').includes(text));
  const batchesFailed = Promise.all([failed('"canary"'), failed('ads.injector.invalid')]);
  await page.goto('/violations');
  const first = await sessionOf(page);
  await batchesFailed;
  const sdkRows = async () => (await store.reportsOfSession(first.id)).filter((r) => r.channel === 'sdk');
  expect(await sdkRows()).toEqual([]);

  await page.unroute('**/csp/events/**');
  await page.goto('/');
  await expect
    .poll(async () => (await sdkRows()).map((r) => r.blockedUri), { timeout: 10_000 })
    .toContain('https://ads.injector.invalid/inject.js');
  await expect.poll(async () => (await store.session(first.id))?.canary?.outcome, { timeout: 10_000 }).toBe('listener');
  const rows = await sdkRows();
  expect(new Set(rows.map((r) => r.sdkSeq)).size).toBe(rows.length);
});

/** The outbox as the page's IndexedDB holds it. */
const outbox = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<unknown[]>((resolve, reject) => {
        const open = indexedDB.open('csp-observer');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction('outbox').objectStore('outbox').getAll();
          request.onsuccess = () => (open.result.close(), resolve(request.result));
        };
      }),
  );

test('a batch another page view delivered while its send failed here is not written back, and the rest still arrive', async ({
  page,
  store,
}) => {
  let failed = 0;
  let delivered = false;
  await page.route('**/csp/events/**', async (route) => {
    // The first batch: another tab of the site delivered (and removed) it meanwhile; here it fails.
    if (!delivered) {
      delivered = true;
      await page.evaluate(
        (body) =>
          new Promise((resolve) => {
            const open = indexedDB.open('csp-observer');
            open.onsuccess = () => {
              const tx = open.result.transaction('outbox', 'readwrite');
              const outboxStore = tx.objectStore('outbox');
              const cursor = outboxStore.openCursor();
              cursor.onsuccess = () => {
                if (!cursor.result) return;
                if ((cursor.result.value as { body: string }).body === body) cursor.result.delete();
                cursor.result.continue();
              };
              tx.oncomplete = () => (open.result.close(), resolve(null));
            };
          }),
        route.request().postData(),
      );
    }
    await route.abort();
    failed++;
  });
  await page.goto('/violations');
  const first = await sessionOf(page);
  await expect.poll(() => failed).toBeGreaterThanOrEqual(2);
  // Every entry left is a batch: an empty one would break every later retry of the site.
  await expect.poll(async () => (await outbox(page)).length).toBeGreaterThan(0);
  for (const entry of await outbox(page)) expect(entry).toMatchObject({ id: expect.any(String), body: expect.any(String) });

  await page.unroute('**/csp/events/**');
  await page.goto('/');
  // The batches still queued arrive with the next page view; the deleted one is not resurrected.
  await expect
    .poll(async () => (await store.reportsOfSession(first.id)).filter((r) => r.channel === 'sdk').length, { timeout: 10_000 })
    .toBeGreaterThan(0);
});

test.describe('voluntary data sharing', () => {
  let receiver: Server;
  const received: string[] = [];
  test.beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(Number(process.env.E2E_SHARING_PORT), '127.0.0.1', resolve));
  });
  test.afterAll(async () => {
    await new Promise((resolve) => receiver.close(resolve));
  });

  test('the scan page shows the data in full and sends it only after the click', async ({ page, request }, testInfo) => {
    await page.goto('/violations');
    const { token } = await sessionOf(page);
    // Every violation of the page is in (a final verdict may come before the last batch).
    await expect.poll(async () => (await finalVerdict(request, page)).unknown).toBe(5);
    await page.goto(`/csp/scan/${token}`);
    await expect(page.getByRole('heading', { name: 'Help improve the detection' })).toBeVisible();
    const shown = await page.locator('pre.shared-data').textContent();
    expect(JSON.parse(shown!)).toMatchObject({
      schema: 'csp-observer/shared-report@2',
      unexplained: expect.arrayContaining([expect.objectContaining({ blockedUri: 'https://ads.injector.invalid/inject.js' })]),
    });
    expect(received).toEqual([]);

    await page.getByRole('button', { name: 'Share this data' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Thank you: the data was shared.' })).toBeVisible();
    expect(received).toEqual([shown]);
    await shoot(page, testInfo, 'scan-page-shared', true);
  });
});

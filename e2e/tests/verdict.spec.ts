import { expect, sessionOf, test } from './fixtures.js';
import { injectMiner } from './support/injection.js';
import { finalVerdict } from './support/verdict.js';

// Chromium only: what its buffered ReportingObserver and Playwright's request routing allow. The
// verdict scenarios every engine must get right (clean, injected, policy stripped, reports
// blocked, events suppressed, hidden content) are in engines/verdicts.spec.ts.

test('an extension-like injection from a host a default rule names is a problem with its title and cause', async ({
  page,
  request,
  store,
}) => {
  // A slow network for the SDK: the injection surely happens before it runs.
  await page.route('**/csp/sdk.js', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    await route.continue();
  });
  await injectMiner(page);
  await page.goto('/');
  const verdict = await finalVerdict(request, page);
  expect(verdict.status).toBe('problems');
  expect(verdict.problems).toEqual([
    expect.objectContaining({ ruleId: 'malware.cryptominer', cause: 'malware', title: 'Cryptocurrency miner', count: 1 }),
  ]);
  expect(verdict.anomalies).toEqual([]);
  // It happened before the SDK ran: the buffered ReportingObserver replayed it to the page.
  const { id } = await sessionOf(page);
  await expect
    .poll(async () =>
      (await store.reportsOfSession(id))
        .filter((r) => r.ruleId === 'malware.cryptominer')
        .map((r) => `${r.channel}/${r.via ?? '-'}`)
        .sort(),
    )
    .toEqual(['report-uri/-', 'sdk/observer']);
});

test('a report only an ignore rule explains leaves the page clean', async ({ page, request, store }) => {
  await page.route('https://www.gstatic.com/**', (route) =>
    route.fulfill({ status: 200, contentType: 'image/png', body: Buffer.alloc(0) }),
  );
  // Chrome's page translation adds Google's icon to the page.
  await page.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      const img = document.createElement('img');
      img.src = 'https://www.gstatic.com/images/branding/product/1x/translate_24dp.png';
      document.body.append(img);
    });
  });
  await page.goto('/');
  const verdict = await finalVerdict(request, page);
  expect(verdict).toMatchObject({ status: 'clean', problems: [], anomalies: [], unknown: 0 });
  // Dropped, not stored: only the canary pair is in the session.
  const { id } = await sessionOf(page);
  expect((await store.reportsOfSession(id)).map((r) => r.reportType)).toEqual(['csp-canary', 'csp-canary']);
});

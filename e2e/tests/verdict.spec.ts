import { expect, sessionOf, test } from './fixtures.js';
import { injectMiner, serveScript } from './support/injection.js';
import { finalVerdict, type Verdict } from './support/verdict.js';

const kinds = (verdict: Verdict) => verdict.anomalies.map((a) => a.kind);


test('1. a clean page is clean, with no anomalies', async ({ page, request }) => {
  await page.goto('/');
  const verdict = await finalVerdict(request, page);
  expect(verdict).toMatchObject({ status: 'clean', final: true, problems: [], anomalies: [], unknown: 0 });
});

test('2. an extension-like injection from a host a default rule names is a problem with its title and cause', async ({ page, request, store }) => {
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

test('3. a policy header stripped on the way is the policy-not-in-force anomaly', async ({ page, request }) => {
  await page.route('**/', async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers['content-security-policy'];
    delete headers['content-security-policy-report-only'];
    await route.fulfill({ response, headers });
  });
  await page.goto('/');
  const verdict = await finalVerdict(request, page);
  expect(verdict.status).toBe('problems');
  expect(kinds(verdict)).toEqual(['policy-not-enforced']);
});

test('4. native reports blocked on the way is the reports-blocked anomaly', async ({ page, request }) => {
  await page.route('**/csp/report/**', (route) => route.abort('blockedbyclient'));
  await page.goto('/');
  const verdict = await finalVerdict(request, page);
  expect(verdict.status).toBe('problems');
  expect(kinds(verdict)).toEqual(['reports-blocked']);
});

test('5. violation events suppressed by an earlier script is the events-suppressed anomaly', async ({ page, request }) => {
  // What a hiding extension does: a capturing window listener, registered first, that stops the event.
  await page.addInitScript(() => {
    window.addEventListener('securitypolicyviolation', (event) => event.stopImmediatePropagation(), true);
  });
  await page.goto('/');
  const verdict = await finalVerdict(request, page);
  expect(verdict.status).toBe('problems');
  expect(kinds(verdict)).toEqual(['events-suppressed']);
});

test('6. a report only an ignore rule explains leaves the page clean', async ({ page, request, store }) => {
  await page.route('https://www.gstatic.com/**', (route) => route.fulfill({ status: 200, contentType: 'image/png', body: Buffer.alloc(0) }));
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

test('the tripwire: a script the policy forbids that ran with every report of it hidden is the hidden-content anomaly', async ({ page, request }) => {
  await serveScript(page, 'https://hidden.test/**');
  // A tampering extension that hides its own violations from every channel, and nothing else.
  await page.route('**/csp/report/**', (route) => (route.request().postData()?.includes('hidden.test') ? route.abort('blockedbyclient') : route.continue()));
  await page.addInitScript(() => {
    const hidden = (url: string | null | undefined) => (url ?? '').includes('hidden.test');
    window.addEventListener('securitypolicyviolation', (event) => hidden(event.blockedURI) && event.stopImmediatePropagation(), true);
    const Original = window.ReportingObserver;
    window.ReportingObserver = class extends Original {
      constructor(callback: ReportingObserverCallback, options?: ReportingObserverOptions) {
        super((reports, observer) => callback(reports.filter((r) => !hidden((r.body as { blockedURL?: string } | null)?.blockedURL)), observer), options);
      }
    };
    document.addEventListener('DOMContentLoaded', () => {
      const script = document.createElement('script');
      script.src = 'https://hidden.test/payload.js';
      document.head.append(script);
    });
  });
  await page.goto('/');
  const { token } = await sessionOf(page);
  await expect
    .poll(async () => ((await (await request.get(`/csp/verdict/${token}`)).json()) as Verdict).anomalies.map((a) => a.kind), { timeout: 15_000 })
    .toEqual(['hidden-content']);
});

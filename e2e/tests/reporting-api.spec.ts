import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from '@playwright/test';
import { openDatabase, ReportStore } from '@csp-observer/server/internals';
import { createSite } from 'basic-site';
import { CHROMIUM, CHROMIUM_ARGS } from './support/engines.js';
import { expect, sessionOf, test } from './fixtures.js';
import { selfSignedCertificate } from './support/tls.js';

const tmp = fileURLToPath(new URL('../.tmp/', import.meta.url));

// Chromium only uses the Reporting API on HTTPS pages: the site runs over TLS with a
// self-signed certificate that this browser is told to trust, and reports come after ~100 ms
// instead of a minute (--short-reporting-delay).
test.describe('Reporting API over HTTPS', () => {
  let server: Server;
  let origin: string;
  let browser: Browser;
  let site: ReturnType<typeof createSite>;
  let store: ReportStore;

  test.beforeAll(async () => {
    const database = `${tmp}reporting-api-${Date.now()}.sqlite`;
    site = createSite({ database, secret: 'reporting-api-secret-0123456789', reportingApi: true });
    await site.observer.ready;
    const tls = selfSignedCertificate(tmp);
    server = createServer({ key: tls.key, cert: tls.cert }, site.app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${tls.spki}`, '--short-reporting-delay'],
    });
    store = new ReportStore(openDatabase(database).db);
  });

  test.afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await store?.db.destroy();
    await site?.observer.close();
  });

  test('report-to delivers every violation, paired with the SDK events', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${origin}/violations`);
    const headers = await response!.allHeaders();
    const { token, id } = await sessionOf(page);
    expect(headers['reporting-endpoints']).toBe(`csp-endpoint="${origin}/csp/reports/${token}"`);
    expect(headers['content-security-policy-report-only']).toMatch(/; report-uri \/csp\/report\/\S+; report-to csp-endpoint$/);

    const kinds = (channel: string) => async () =>
      [
        ...new Set(
          (await store.reportsOfSession(id)).filter((r) => r.channel === channel).map((r) => `${r.effectiveDirective} ${r.blockedUri}`),
        ),
      ].sort();
    const expected = [
      'img-src https://metrics.adware.invalid/metric/',
      'script-src eval',
      'script-src-elem https://ads.injector.invalid/inject.js',
      'script-src-elem inline',
      'style-src-attr inline',
      'style-src-elem inline',
    ];
    await expect.poll(kinds('report-to'), { timeout: 15_000 }).toEqual(expected);
    await expect.poll(kinds('sdk')).toEqual(expected);

    const reports = await store.reportsOfSession(id);
    const fingerprints = (channel: string) => new Set(reports.filter((r) => r.channel === channel).map((r) => r.fingerprint));
    expect(fingerprints('report-to')).toEqual(fingerprints('sdk'));
    // With report-to present, Chromium ignores report-uri on HTTPS.
    expect(reports.filter((r) => r.channel === 'report-uri')).toEqual([]);
    await page.close();
  });
});

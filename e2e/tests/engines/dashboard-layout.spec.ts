import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, TestInfo } from '@playwright/test';
import { mintSessionToken, mintSiteToken } from '@csp-observer/server/internals';
import { By, until, type WebDriver } from 'selenium-webdriver';
import { ADMIN_PASSWORD, COLLECTOR_ADMIN_TOKEN, PORT, SECRET, SHOP_SECRET } from '../../playwright.config.js';
import {
  brokenWords,
  countOf,
  fractionalTicks,
  heightOf,
  horizontalOverflow,
  type LayoutPage,
  placeholders,
  webDriverPage,
} from '../support/dashboard-layout.js';
import { expect, test } from '../support/engine-fixtures.js';
import { WebKitDriver } from '../support/webkit-driver.js';

/**
 * Every view of the admin dashboard, on the example site and on the collector, in each engine, at
 * a phone's and a desktop's size (the phone in the dark scheme where the engine can emulate it):
 * what a person would notice. Headers and short values are never broken inside a word, no
 * placeholder text, no sideways scroll on a phone, the nav at most a third of the phone's screen,
 * whole-number count ticks. Screenshots are attached to the test; with E2E_DOCS_IMAGES=1
 * (scripts/screenshots.sh), Chromium's desktop shots also refresh the README's docs/images.
 */

// uPlot builds an Intl.NumberFormat of navigator.language when it is imported; under a POSIX
// locale (LANG=C, as on CI here) WebKitGTK's language is "C", the constructor throws and no view
// renders. A person's browser has a real language: give MiniBrowser one (set before the worker's
// WebKitWebDriver starts).
if (!process.env.LANG || /^(C|POSIX)(\.|$)/.test(process.env.LANG)) process.env.LANG = 'en_US.UTF-8';

const SITE = `http://127.0.0.1:${PORT}`;
const COLLECTOR = process.env.E2E_COLLECTOR_URL!;
const SHOP = process.env.E2E_SHOP_URL!;
const DOCS_IMAGES = fileURLToPath(new URL('../../../docs/images/', import.meta.url));

/**
 * What must never break inside a word: headings, headers, nav, badges, figures, counts, times, legends.
 * Not the URL cells (`.clip`): a URL wraps between its parts, and a part longer than the cell (a
 * hostile page address another spec sent, `=1"><script>window...`) may break as a last resort.
 */
const SHORT_TEXT =
  'h1, h2, h3, th, dt, .top nav a, .brand, .periods a, .tabs a, .figure-value, .figure-label, .cause, .verdict, .num, .nowrap, .u-legend, .ranking-label, .pager';

const SIZES = {
  phone: { width: 375, height: 740 },
  desktop: { width: 1280, height: 800 },
} as const;
type Size = keyof typeof SIZES;

interface View {
  name: string;
  hash: string;
  /** The README image this view refreshes (Chromium, desktop). */
  docsImage?: string;
}

interface Dashboard {
  origin: string;
  /** The password or token, for WebDriver's login through the form (it cannot add HttpOnly cookies reliably). */
  secret: string;
  cookies: Array<{ name: string; value: string }>;
  views: View[];
}

const json = (body: unknown) => ({ 'Content-Type': 'application/csp-report', body: JSON.stringify(body) });

const report = (fields: Record<string, string>) => ({
  'csp-report': {
    'document-uri': `${SITE}/checkout/step-2?basket=4711&campaign=winter-sale-2026`,
    referrer: '',
    'violated-directive': 'script-src-elem',
    'effective-directive': 'script-src-elem',
    'original-policy': "default-src 'self'",
    disposition: 'report',
    'blocked-uri': 'https://cdn.tracking-and-analytics.example/assets/javascripts/vendor/bundle.min.js?v=20261203&locale=en-GB',
    ...fields,
  },
});

/**
 * Reports of several causes (malware, unknown) on long URLs, sent where the browser sends them, as
 * if from a page of `pageOrigin` (a collector site's reports come from that site's pages: the
 * collector specs check that each site's reports name its own origin).
 */
async function seed(origin: string, token: string, headers: Record<string, string> = {}, pageOrigin = SITE): Promise<void> {
  const variants: Array<Record<string, string>> = [
    {},
    { 'blocked-uri': 'https://www.superfish.com/ws/sf_main.js' },
    { 'blocked-uri': 'inline', 'script-sample': 'console.log("a very long inline script sample that goes on")' },
    { 'effective-directive': 'img-src', 'violated-directive': 'img-src', 'blocked-uri': 'https://pics.example/a.png' },
  ];
  for (const fields of variants) {
    const { body, ...type } = json(
      report({ 'document-uri': `${pageOrigin}/checkout/step-2?basket=4711&campaign=winter-sale-2026`, ...fields }),
    );
    const response = await fetch(`${origin}/csp/report/${token}`, { method: 'POST', headers: { ...type, ...headers }, body });
    expect(response.status).toBe(204);
  }
}

/** One login per worker and dashboard: its cookies, reused by every page of the worker. */
async function logIn(origin: string, credentials: Record<string, string>): Promise<Array<{ name: string; value: string }>> {
  const response = await fetch(`${origin}/csp/admin/api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-origin', Origin: origin },
    body: JSON.stringify(credentials),
  });
  expect(response.status, `login at ${origin}`).toBe(204);
  return response.headers.getSetCookie().map((line) => {
    const [pair = ''] = line.split(';');
    const at = pair.indexOf('=');
    return { name: pair.slice(0, at), value: pair.slice(at + 1) };
  });
}

async function firstId(origin: string, cookies: Dashboard['cookies'], list: string): Promise<string> {
  const response = await fetch(`${origin}/csp/admin/api/${list}?pageSize=1`, {
    headers: { Cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
  });
  expect(response.status).toBe(200);
  const { items } = (await response.json()) as { items: Array<{ id: string | number }> };
  return String(items[0]!.id);
}

let dashboards: Dashboard[] = [];

test.beforeAll(async () => {
  await seed(SITE, mintSessionToken(SECRET).token);
  await seed(COLLECTOR, mintSiteToken('shop', SHOP_SECRET, { canary: true, reportingApi: false }).token, { Origin: SHOP }, SHOP);
  const site = await logIn(SITE, { password: ADMIN_PASSWORD });
  const collector = await logIn(COLLECTOR, { token: COLLECTOR_ADMIN_TOKEN });
  const [reportId, sessionId] = await Promise.all([firstId(SITE, site, 'reports'), firstId(SITE, site, 'sessions')]);
  dashboards = [
    {
      origin: SITE,
      secret: ADMIN_PASSWORD,
      cookies: site,
      views: [
        { name: 'overview-24h', hash: '#/overview?days=1' },
        { name: 'overview', hash: '#/overview', docsImage: 'dashboard-overview.png' },
        { name: 'reports', hash: '#/reports' },
        { name: 'report', hash: `#/reports/${reportId}` },
        { name: 'sessions', hash: '#/sessions' },
        { name: 'session', hash: `#/sessions/${encodeURIComponent(sessionId)}`, docsImage: 'dashboard-page-view.png' },
        { name: 'rules', hash: '#/rules' },
        { name: 'policy', hash: '#/policy' },
        { name: 'settings', hash: '#/settings' },
      ],
    },
    {
      origin: COLLECTOR,
      secret: COLLECTOR_ADMIN_TOKEN,
      cookies: collector,
      views: [
        { name: 'collector-overview', hash: '#/overview' },
        { name: 'collector-overview-shop', hash: '#/overview?site=shop&days=1' },
        { name: 'collector-reports', hash: '#/reports', docsImage: 'collector-reports-site.png' },
      ],
    },
  ];
});

/** A browser tab at one size, logged in to every dashboard, in whichever engine. */
interface Tab {
  page: LayoutPage;
  /** Holds this dashboard's login cookies only (both dashboards are on 127.0.0.1, and cookies ignore the port). */
  useLogin(dashboard: Dashboard): Promise<void>;
  open(url: string): Promise<void>;
  screenshot(): Promise<Buffer>;
  close(): Promise<void>;
}

async function playwrightTab(browser: Browser, size: Size): Promise<Tab> {
  const context = await browser.newContext({ viewport: SIZES[size], colorScheme: size === 'phone' ? 'dark' : 'light' });
  const page = await context.newPage();
  return {
    page,
    useLogin: async (dashboard) => {
      await context.clearCookies();
      await context.addCookies(dashboard.cookies.map((c) => ({ ...c, url: dashboard.origin })));
    },
    open: async (url) => {
      await page.goto(url);
    },
    screenshot: () => page.screenshot({ fullPage: true, timeout: 10_000 }),
    close: () => context.close(),
  };
}

async function webDriverTab(driver: WebKitDriver, size: Size): Promise<Tab> {
  const session: WebDriver = await driver.session();
  // The window's outer size less its frame is the viewport: set, measure, correct.
  const want = SIZES[size];
  await session.manage().window().setRect(want);
  const inner = (await session.executeScript('return [innerWidth, innerHeight]')) as [number, number];
  await session
    .manage()
    .window()
    .setRect({ width: 2 * want.width - inner[0], height: 2 * want.height - inner[1] });
  return {
    page: webDriverPage(session),
    useLogin: async (dashboard) => {
      await session.get(`${dashboard.origin}/csp/admin/`);
      const field = await session.wait(until.elementLocated(By.css('input[type=password]')), 10_000).catch(async (error: Error) => {
        const seen = await session.executeScript('return location.href + " " + document.body.outerHTML.slice(0, 400)');
        throw new Error(`${error.message}; the page: ${String(seen)}`);
      });
      await field.sendKeys(dashboard.secret);
      await session.findElement(By.css('form button')).click();
      await session.wait(until.elementLocated(By.css('nav[aria-label=Main]')), 10_000);
    },
    open: async (url) => {
      await session.get(url);
      await session.findElement(By.css('body'));
    },
    screenshot: async () => Buffer.from(await session.takeScreenshot(), 'base64'),
    close: () => session.quit(),
  };
}

/** Waits until the view has drawn: a heading, nothing loading, and a chart drawn where one is coming. */
async function settled(page: LayoutPage): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const state = await page.evaluate(() => {
      const main = document.querySelector('main.content');
      if (!main?.querySelector('h1')) return 'no heading yet';
      if (main.querySelector('[role=status]')) return 'loading';
      const charts = Array.from(main.querySelectorAll<HTMLElement>('.chart'));
      if (charts.some((chart) => !chart.querySelector('canvas'))) return 'a chart is not drawn';
      return 'ready';
    }, null);
    if (state === 'ready') return;
    if (Date.now() > deadline) throw new Error(`the view did not settle: ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function checkEveryView(tab: Tab, size: Size, engine: string, testInfo: TestInfo): Promise<void> {
  const failures: string[] = [];
  for (const dashboard of dashboards) {
    await tab.useLogin(dashboard);
    for (const view of dashboard.views) {
      const where = `${view.name} (${engine}, ${size})`;
      await tab.open(`${dashboard.origin}/csp/admin/${view.hash}`);
      await settled(tab.page);
      const shot = await tab.screenshot().catch(() => null);
      if (shot) {
        await testInfo.attach(`${view.name}-${engine}-${size}.png`, { body: shot, contentType: 'image/png' });
        if (process.env.E2E_DOCS_IMAGES && view.docsImage && engine === 'chromium' && size === 'desktop') {
          mkdirSync(DOCS_IMAGES, { recursive: true });
          writeFileSync(`${DOCS_IMAGES}${view.docsImage}`, shot);
        }
      }
      const broken = await brokenWords(tab.page, SHORT_TEXT);
      if (broken.length) failures.push(`${where}: broken inside a word: ${broken.join(', ')}`);
      const found = await placeholders(tab.page, 'body');
      if (found.length) failures.push(`${where}: placeholder text: ${found.join('; ')}`);
      const charts = await countOf(tab.page, '.chart');
      if ((await countOf(tab.page, '.chart[data-y-ticks]')) < charts) failures.push(`${where}: a chart did not say its tick labels`);
      const ticks = await fractionalTicks(tab.page, '.chart');
      if (ticks.length) failures.push(`${where}: count ticks that are not whole numbers: ${ticks.join(' ')}`);
      if (size === 'phone') {
        const overflow = await horizontalOverflow(tab.page);
        if (overflow > 0) failures.push(`${where}: scrolls ${overflow} px sideways`);
        const nav = await heightOf(tab.page, 'header.top');
        if (nav.height > nav.viewport / 3) failures.push(`${where}: the header is ${nav.height} px of a ${nav.viewport} px screen`);
      }
      if (view.name.includes('overview') && charts === 0) failures.push(`${where}: no chart`);
    }
  }
  expect(failures).toEqual([]);
}

for (const size of Object.keys(SIZES) as Size[]) {
  test(`every dashboard view reads well at ${size} size`, async ({ engine, engineBrowser }, testInfo) => {
    test.setTimeout(90_000);
    const tab = engineBrowser instanceof WebKitDriver ? await webDriverTab(engineBrowser, size) : await playwrightTab(engineBrowser, size);
    try {
      await checkEveryView(tab, size, engine, testInfo);
    } finally {
      await tab.close();
    }
  });
}

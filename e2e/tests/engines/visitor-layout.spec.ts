import { writeFile } from 'node:fs/promises';
import type { Browser, Page, TestInfo } from '@playwright/test';
import type { WebDriver } from 'selenium-webdriver';
import { expect, test } from '../support/engine-fixtures.js';
import { layoutFactsOf, type PageRunner } from '../support/layout.js';
import { WebKitDriver } from '../support/webkit-driver.js';

/**
 * The visitor pages as a person sees them, in each engine, at a phone's and a desktop's width,
 * light and dark: the popup, the scan page, the privacy page (in English, German and French) and
 * the demo's /reports. Each rendering is kept as a screenshot of the test, and asserted on what
 * one would notice: a header or short value broken inside a word, placeholder text, a page
 * wider than the phone. WebDriver cannot emulate prefers-color-scheme: WebKit is checked light only.
 */

const SIZES = { phone: { width: 375, height: 740 }, desktop: { width: 1280, height: 800 } } as const;
type Size = keyof typeof SIZES;
type Scheme = 'light' | 'dark';

/** The elements whose words must never break, per page. */
const WORDS = {
  scan: ['h1', 'h2', 'h3', 'th', 'td.short', '.cell-label', '.tag', 'button', 'footer a'],
  privacy: ['h1', 'h2', 'code'],
  reports: ['h1', 'h2', 'th', 'td.short', '.cell-label'],
  popup: ['p', 'li', 'a'],
} as const;

/** One way to drive the page in either kind of engine. */
interface Driver {
  run: PageRunner;
  open(url: string): Promise<void>;
  resize(size: Size, scheme: Scheme): Promise<void>;
  screenshot(): Promise<Buffer>;
  close(): Promise<void>;
}

async function driverFor(browser: Browser | WebKitDriver): Promise<Driver> {
  if (browser instanceof WebKitDriver) {
    const session: WebDriver = await browser.session();
    return {
      run: (body) => session.executeScript(body),
      open: async (url) => void (await session.get(url)),
      // The window's outer size: the viewport comes out a little smaller, still a phone's.
      resize: async (size) => void (await session.manage().window().setRect(SIZES[size])),
      screenshot: async () => Buffer.from(await session.takeScreenshot(), 'base64'),
      close: () => session.quit(),
    };
  }
  const context = await browser.newContext({ viewport: SIZES.desktop });
  const page: Page = await context.newPage();
  return {
    run: (body) => page.evaluate(new Function(body) as () => never),
    open: async (url) => void (await page.goto(url)),
    resize: async (size, scheme) => {
      await page.setViewportSize(SIZES[size]);
      await page.emulateMedia({ colorScheme: scheme });
    },
    screenshot: () => page.screenshot({ fullPage: true }),
    close: () => context.close(),
  };
}

async function check(driver: Driver, testInfo: TestInfo, name: string, words: readonly string[], shadowHost: string | null = null) {
  // Kept in the test's output folder (test-results/) and attached to the report.
  const file = testInfo.outputPath(`${name}.png`);
  await writeFile(file, await driver.screenshot());
  await testInfo.attach(`${name}.png`, { path: file, contentType: 'image/png' });
  const facts = await layoutFactsOf(driver.run, words, shadowHost);
  expect.soft(facts.checked, `${name}: elements checked`).toBeGreaterThan(0);
  expect.soft(facts.brokenWords, `${name}: words broken across lines`).toEqual([]);
  expect.soft(facts.placeholders, `${name}: placeholder text`).toEqual([]);
  if (name.includes('phone')) expect.soft(facts.scrollWidth, `${name}: wider than the phone`).toBeLessThanOrEqual(facts.innerWidth);
}

test('visitor pages lay out whole words, with no placeholder and no sideways scroll, on a phone and a desktop, light and dark', async ({
  engine,
  engineBrowser,
  baseURL,
}, testInfo) => {
  test.setTimeout(90_000);
  const driver = await driverFor(engineBrowser);
  try {
    await driver.open(`${baseURL}/violations`);
    await expect.poll(() => driver.run<string | null>(POPUP_STATUS), { timeout: 15_000 }).toMatch(/Detected/);
    const token = await driver.run<string>("return document.querySelector('script[data-session]').getAttribute('data-session');");
    const schemes: Scheme[] = engine === 'webkit' ? ['light'] : ['light', 'dark'];
    for (const size of Object.keys(SIZES) as Size[]) {
      for (const scheme of schemes) {
        await driver.resize(size, scheme);
        const at = `${size}-${scheme}`;
        await driver.open(`${baseURL}/violations`);
        await expect.poll(() => driver.run<string | null>(POPUP_STATUS), { timeout: 15_000 }).toMatch(/Detected/);
        await check(driver, testInfo, `popup-${at}`, WORDS.popup, 'csp-observer-popup');
        for (const lang of ['en', 'de', 'fr']) {
          // The other languages once, on the phone in light: the longest words on the narrowest page.
          if (lang !== 'en' && at !== 'phone-light') continue;
          await driver.open(`${baseURL}/csp/scan/${token}?lang=${lang}`);
          await check(driver, testInfo, `scan-${lang}-${at}`, WORDS.scan);
          await driver.open(`${baseURL}/csp/privacy?lang=${lang}`);
          await check(driver, testInfo, `privacy-${lang}-${at}`, WORDS.privacy);
        }
        await driver.open(`${baseURL}/reports`);
        await check(driver, testInfo, `reports-${at}`, WORDS.reports);
      }
    }
  } finally {
    await driver.close();
  }
});

const POPUP_STATUS = `
  const host = document.querySelector('csp-observer-popup');
  const status = host && host.shadowRoot && host.shadowRoot.querySelector('[role=status]');
  return status ? status.textContent : null;
`;

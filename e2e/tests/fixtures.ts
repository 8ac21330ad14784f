import { expect, test as base, type Page, type TestInfo } from '@playwright/test';
import { openDatabase, ReportStore } from '@csp-observer/server/internals';

/** The session a page view runs under, read from the SDK tag the middleware injected. */
export async function sessionOf(page: Page): Promise<{ token: string; id: string }> {
  const token = await page.locator('script[data-session]').getAttribute('data-session');
  if (!token) throw new Error('the page has no SDK tag with a session token');
  // A collector site's token (`<site>.<id>.<issued>.<tag>`) is stored under `<site>.<id>`.
  const parts = token.split('.');
  return { token, id: parts.length === 4 ? `${parts[0]}.${parts[1]}` : parts[0]! };
}

/**
 * A screenshot for the docs and the artifacts, not an assertion: on a loaded machine Chromium can
 * keep Playwright "waiting for fonts to load" past the test's time, so a screenshot gets 10 s and a
 * miss is noted on the test, not a failure of what it checks.
 */
export async function shoot(page: Page, testInfo: TestInfo, name: string, fullPage = false): Promise<void> {
  try {
    await page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage, timeout: 10_000 });
  } catch (error) {
    testInfo.annotations.push({ type: 'screenshot missed', description: `${name}: ${(error as Error).message.split('\n')[0]}` });
  }
}

interface Fixtures {
  /** The database the example server writes to, opened read-side by the test. */
  store: ReportStore;
}

export const test = base.extend<object, Fixtures>({
  store: [
    async ({}, use) => {
      const { db } = openDatabase(process.env.E2E_DATABASE!);
      await use(new ReportStore(db));
      await db.destroy();
    },
    { scope: 'worker' },
  ],
});

export { expect };

import { expect, test as base, type Page } from '@playwright/test';
import { openDatabase, ReportStore } from '@csp-observer/server';

/** The session a page view runs under, read from the SDK tag the middleware injected. */
export async function sessionOf(page: Page): Promise<{ token: string; id: string }> {
  const token = await page.locator('script[data-session]').getAttribute('data-session');
  if (!token) throw new Error('the page has no SDK tag with a session token');
  // A collector site's token (`<site>.<id>.<issued>.<flags>.<mac>`) is stored under `<site>.<id>`.
  const parts = token.split('.');
  return { token, id: parts.length === 5 ? `${parts[0]}.${parts[1]}` : parts[0]! };
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

import type { Page, TestInfo } from '@playwright/test';
import { ADMIN_PASSWORD } from '../playwright.config.js';
import { expect, sessionOf, shoot as screenshot, test } from './fixtures.js';
import { finalVerdict } from './support/verdict.js';

const ADMIN = '/csp/admin/';
const HOSTILE = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';

/**
 * Records every CSP violation and dialog on the page (set before any script of the page runs):
 * the dashboard must cause none under its own strict policy, and hostile data must run nothing.
 */
async function watchPage(page: Page): Promise<{ violations: () => Promise<string[]>; dialogs: string[] }> {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __violations: string[] }).__violations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.effectiveDirective} ${e.blockedURI}`));
  });
  return { violations: () => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations), dialogs };
}

const shoot = (page: Page, testInfo: TestInfo, name: string) => screenshot(page, testInfo, name, true);

async function logIn(page: Page): Promise<void> {
  await page.goto(ADMIN);
  await page.getByLabel('Admin password or token').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
}

/** Real violations: page views of the example site's violations page, each until its verdict is final. */
async function violationsPageViews(page: Page, request: Parameters<typeof finalVerdict>[0], count: number) {
  for (let i = 0; i < count; i++) {
    await page.goto('/violations');
    await finalVerdict(request, page);
  }
}

/** A report whose every text field is an XSS payload, sent where browsers send theirs. */
async function sendHostileReport(page: Page): Promise<void> {
  await page.goto('/');
  const { token } = await sessionOf(page);
  const response = await page.request.post(`/csp/report/${token}`, {
    headers: { 'Content-Type': 'application/csp-report' },
    data: JSON.stringify({
      'csp-report': {
        'document-uri': `http://127.0.0.1/${HOSTILE}`,
        referrer: HOSTILE,
        'violated-directive': 'script-src-elem',
        'effective-directive': 'script-src-elem',
        'original-policy': HOSTILE,
        disposition: 'report',
        'blocked-uri': `https://xss.test/${HOSTILE}`,
        'source-file': HOSTILE,
        'script-sample': HOSTILE,
      },
    }),
  });
  expect(response.status()).toBe(204);
}

test.describe('the admin dashboard', () => {
  test('is behind a login', async ({ page }, testInfo) => {
    const watch = await watchPage(page);
    const api = await page.request.get('/csp/admin/api/overview');
    expect(api.status()).toBe(401);
    await page.goto(ADMIN);
    await expect(page.getByRole('form', { name: 'Log in' })).toBeVisible();
    await page.getByLabel('Admin password or token').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('alert')).toHaveText('wrong password or token');
    await shoot(page, testInfo, 'admin-login');
    await page.getByLabel('Admin password or token').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page.getByRole('form', { name: 'Log in' })).toBeVisible();
    expect(await watch.violations()).toEqual([]);
  });

  test('overview charts render with the data of real reports', async ({ page, request }, testInfo) => {
    await violationsPageViews(page, request, 2);
    const watch = await watchPage(page);
    await logIn(page);
    const perDay = page.getByTestId('chart-timeline');
    await expect(perDay.locator('canvas')).toBeVisible();
    // One series per channel that sent reports: the browser's report-uri and the SDK.
    await expect(perDay.locator('.u-legend')).toContainText('report-uri');
    await expect(perDay.locator('.u-legend')).toContainText('sdk');
    await expect(page.getByTestId('chart-causes').locator('canvas')).toBeVisible();
    const reports = Number(
      (
        await page
          .locator('.figure', { hasText: /^[\d,]+Reports$/ })
          .locator('.figure-value')
          .textContent()
      )?.replace(/,/g, ''),
    );
    expect(reports).toBeGreaterThanOrEqual(8);
    await expect(page.getByRole('link', { name: 'https://ads.injector.invalid/inject.js' })).toBeVisible();
    await shoot(page, testInfo, 'admin-overview');
    expect(await watch.violations()).toEqual([]);
  });

  test('filters narrow the report list', async ({ page, request }) => {
    await violationsPageViews(page, request, 1);
    await logIn(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
    const total = async () => Number((await page.getByTestId('report-total').textContent())?.split(' ')[0]);
    await expect(page.getByTestId('report-list')).toBeVisible();
    const all = await total();
    expect(all).toBeGreaterThan(3);

    await page.getByLabel('Directive').selectOption('style-src-elem');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(total).toBeLessThan(all);
    const styles = await total();
    expect(styles).toBeGreaterThan(0);
    for (const cell of await page.getByTestId('report-list').locator('tbody tr td:nth-child(3)').allTextContents())
      expect(cell).toBe('style-src-elem');

    await page.getByRole('link', { name: 'Clear' }).click();
    await expect.poll(total).toBe(all);
    await page.getByLabel('Blocked host').fill('ads.injector.invalid');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(total).toBeLessThan(all);
    for (const cell of await page.getByTestId('report-list').locator('tbody tr td:nth-child(4)').allTextContents()) {
      expect(cell).toBe('https://ads.injector.invalid/inject.js');
    }
  });

  test('a report full of markup is shown as text and runs nothing', async ({ page }, testInfo) => {
    await sendHostileReport(page);
    const watch = await watchPage(page);
    await logIn(page);
    await page.goto(`${ADMIN}#/reports?q=onerror`);
    await expect(page.getByTestId('report-total')).toHaveText('1 report');
    await expect(page.getByTestId('report-list')).toContainText(`https://xss.test/${HOSTILE}`);
    await page.getByTestId('report-list').locator('tbody a').first().click();
    await expect(page.getByTestId('report-fields')).toContainText(HOSTILE);
    await expect(page.getByTestId('report-raw')).toContainText('"source-file": "<img src=x onerror=');
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('main img, main script').count()).toBe(0);
    expect(watch.dialogs).toEqual([]);
    expect(await watch.violations()).toEqual([]);
    await shoot(page, testInfo, 'admin-report-detail');
  });

  test('a custom rule created in the UI changes the verdict of the next matching page view', async ({ page, request }, testInfo) => {
    await page.goto('/violations');
    const before = await finalVerdict(request, page);
    expect(before.problems.map((p) => p.ruleId)).not.toContain('custom:e2e-ad-injector');

    await logIn(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rules' }).click();
    await page.getByRole('button', { name: 'New rule' }).click();
    const form = page.getByRole('form', { name: 'New rule' });
    await form.getByLabel('Title').fill('E2E ad injector');
    await form.getByLabel('Cause').selectOption('malware');
    await form.getByLabel('Short description (shown in the popup)').fill('An ad injector added a script.');
    await form.getByLabel('Blocked URI pattern 1').fill('^https://ads\\.injector\\.invalid/');
    // The live preview counts the stored reports the rule would explain.
    await expect(page.getByTestId('rule-preview')).toContainText(/Would match [1-9]\d* of the last 7 days' reports/);
    await shoot(page, testInfo, 'admin-rule-form');
    await form.getByRole('button', { name: 'Create rule' }).click();
    await expect(page.getByTestId('custom-rules')).toContainText('E2E ad injector');

    await page.goto('/violations');
    const after = await finalVerdict(request, page);
    expect(after.status).toBe('problems');
    expect(after.problems).toContainEqual(
      expect.objectContaining({ ruleId: 'custom:e2e-ad-injector', cause: 'malware', title: 'E2E ad injector' }),
    );
    await expect(page.getByRole('region', { name: 'Browser security check' })).toContainText('E2E ad injector');

    // Clean up, through the UI, so the other tests see the example's own rules only.
    await page.goto(`${ADMIN}#/rules`);
    page.once('dialog', (dialog) => void dialog.accept());
    await page
      .getByTestId('custom-rules')
      .getByRole('row', { name: /E2E ad injector/ })
      .getByRole('button', { name: 'Delete' })
      .click();
    await expect(page.getByText('No custom rules yet.')).toBeVisible();
  });

  test('screenshots of the main views', async ({ page, request }, testInfo) => {
    await violationsPageViews(page, request, 1);
    const watch = await watchPage(page);
    await logIn(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
    await expect(page.getByTestId('report-list')).toBeVisible();
    await shoot(page, testInfo, 'admin-reports');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Page views' }).click();
    await page.getByRole('link', { name: 'With problems' }).click();
    await expect(page.getByTestId('session-list')).toBeVisible();
    await shoot(page, testInfo, 'admin-sessions');
    // The newest page view with problems is this test's own view of /violations: the visitor was
    // sent its final verdict, the one problem a shipped rule knows and the five no rule explains.
    await page.getByTestId('session-list').locator('tbody a').first().click();
    const shown = page.getByTestId('verdict-shown');
    await expect(shown.locator('p strong')).toHaveText('problems');
    await expect(shown).not.toContainText('(not final)');
    await expect(shown.locator('li')).toHaveText(['Ad-injecting extension (Monetizus) (malware, 1)']);
    await expect(shown.locator('p.muted')).toHaveText('5 violation(s) no rule explains.');
    await expect(page.getByTestId('channels')).toContainText('Sent by the browser (report-uri)');
    await shoot(page, testInfo, 'admin-session-detail');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Policy' }).click();
    // The default policy passes the assistant (issue 22): no weak point to show.
    await expect(page.getByTestId('weaknesses')).toContainText('No weak point found.');
    await expect(page.getByTestId('proposals')).toContainText('https://ads.injector.invalid');
    await shoot(page, testInfo, 'admin-policy');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByTestId('settings')).toContainText('********');
    await expect(page.getByTestId('settings')).not.toContainText(ADMIN_PASSWORD);
    await shoot(page, testInfo, 'admin-settings');
    expect(await watch.violations()).toEqual([]);
  });
});

import { createCipheriv, hkdfSync } from 'node:crypto';
import { expect, sessionOf, test } from './fixtures.js';

/** The violations examples/basic-site/violations provokes: [effective directive, blocked URI]. */
const EXPECTED = [
  ['script-src-elem', 'inline'],
  ['script-src-elem', 'https://ads.injector.invalid/inject.js'],
  // Stored without its query string (stripQuery).
  ['img-src', 'https://metrics.adware.invalid/metric/'],
  ['style-src-elem', 'inline'],
  ['style-src-attr', 'inline'],
  ['script-src', 'eval'],
].map(([directive, blocked]) => `${directive} ${blocked}`);

const validReport = {
  'csp-report': {
    'document-uri': 'http://127.0.0.1/',
    referrer: '',
    'violated-directive': 'script-src-elem',
    'effective-directive': 'script-src-elem',
    'original-policy': "script-src 'self'",
    disposition: 'report',
    'blocked-uri': 'inline',
    'status-code': 200,
  },
};

test('every violation arrives by the SDK and by report-uri, paired by fingerprint', async ({ page, store }) => {
  await page.goto('/violations');
  const session = await sessionOf(page);

  await expect
    .poll(async () => {
      const reports = (await store.reportsOfSession(session.id)).filter((r) => r.reportType === 'csp-violation');
      const seen = (channel: string) =>
        [...new Set(reports.filter((r) => r.channel === channel).map((r) => `${r.effectiveDirective} ${r.blockedUri}`))].sort();
      return { sdk: seen('sdk'), reportUri: seen('report-uri') };
    })
    .toEqual({ sdk: [...EXPECTED].sort(), reportUri: [...EXPECTED].sort() });

  const all = await store.reportsOfSession(session.id);
  expect(all.every((r) => r.isValid && r.sessionId === session.id)).toBe(true);
  // The SDK's canary is paired the same way, and stored apart from the page's violations.
  await expect
    .poll(async () =>
      (await store.reportsOfSession(session.id))
        .filter((r) => r.reportType === 'csp-canary')
        .map((r) => r.channel)
        .sort(),
    )
    .toEqual(['report-uri', 'sdk']);
  const reports = all.filter((r) => r.reportType === 'csp-violation');
  const fingerprints = (channel: string) => new Set(reports.filter((r) => r.channel === channel).map((r) => r.fingerprint));
  // Each DOM event has its native twin with the same fingerprint, and the other way round.
  expect(fingerprints('sdk')).toEqual(fingerprints('report-uri'));
  expect(fingerprints('sdk').size).toBe(EXPECTED.length);
  // The session row was written on the first report, not per page view.
  const stored = await store.session(session.id);
  expect(stored?.documentUri).toContain('/violations');
});

test('two page loads get two nonces and two session tokens', async ({ page }) => {
  const first = await page.goto('/');
  const firstSession = await sessionOf(page);
  const firstNonce = await page.locator('script[data-session]').evaluate((el) => (el as HTMLScriptElement).nonce);
  const second = await page.goto('/');
  const secondSession = await sessionOf(page);
  const secondNonce = await page.locator('script[data-session]').evaluate((el) => (el as HTMLScriptElement).nonce);

  expect(firstSession.token).not.toBe(secondSession.token);
  expect(firstNonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  expect(firstNonce).not.toBe(secondNonce);
  const policy = (await first!.allHeaders())['content-security-policy-report-only'];
  expect(policy).toContain(`'nonce-${firstNonce}'`);
  expect(policy).toContain(`report-uri /csp/report/${firstSession.token}`);
  expect((await second!.allHeaders())['content-security-policy-report-only']).toContain(`'nonce-${secondNonce}'`);
});

test('a forged or tampered token is refused and nothing is stored', async ({ page, request, store }) => {
  await page.goto('/');
  const { token, id } = await sessionOf(page);
  const [, issued] = token.split('.');

  // Signed with another secret.
  const payload = `${id}.${issued}`;
  // (as packages/server/src/session/token-cipher.ts signs: AES-256 of id and time, key from HKDF).
  const key = Buffer.from(hkdfSync('sha256', 'not-the-server-secret', 'csp-observer session token', 'v2 local', 32));
  const block = Buffer.concat([Buffer.from(id!, 'base64url'), Buffer.alloc(4)]);
  block.writeUInt32BE(parseInt(issued!, 36), 12);
  const forgedMac = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false).update(block).toString('base64url');
  // The real signature over a changed issue time.
  const tampered = `${id}.${(parseInt(issued!, 36) + 1).toString(36)}.${token.split('.')[2]}`;

  for (const bad of [`${payload}.${forgedMac}`, tampered, 'not-a-token']) {
    const report = await request.post(`/csp/report/${bad}`, {
      headers: { 'Content-Type': 'application/csp-report' },
      data: JSON.stringify(validReport),
    });
    expect(report.status(), `report-uri with ${bad}`).toBe(403);
    expect(await report.json()).toEqual({ error: 'invalid or expired session token' });
    const events = await request.post(`/csp/events/${bad}`, {
      data: { v: 1, events: [{ documentURI: 'http://127.0.0.1/', blockedURI: 'eval', effectiveDirective: 'script-src' }] },
    });
    expect(events.status(), `events with ${bad}`).toBe(403);
  }
  // The genuine token still works, so the refusals above were about the token alone.
  const genuine = await request.post(`/csp/report/${token}`, {
    headers: { 'Content-Type': 'application/csp-report' },
    data: JSON.stringify(validReport),
  });
  expect(genuine.status()).toBe(204);
  const stored = await store.reportsOfSession(id);
  expect(stored.filter((r) => r.reportType === 'csp-violation').map((r) => r.channel)).toEqual(['report-uri']);
});

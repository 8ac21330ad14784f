import { describe, expect, it } from 'vitest';
import { mintSessionToken } from '../src/session/session-token.js';
import { sdkEvent } from './fixtures/browser-reports.js';
import { testDatabases } from './support/databases.js';
import { SECRET, serveDuringTests, type TestServer } from './support/test-server.js';

/** A report-uri body exactly as Chromium 156 sends it. */
function chromiumReport(page = 'http://127.0.0.1:3000/violations') {
  return {
    'csp-report': {
      'document-uri': page,
      referrer: '',
      'violated-directive': 'script-src-elem',
      'effective-directive': 'script-src-elem',
      'original-policy': "default-src 'self'; script-src 'self' 'nonce-abc' 'report-sample'; report-uri /csp/report/x",
      disposition: 'report',
      'blocked-uri': 'https://ads.injector.invalid/inject.js',
      'status-code': 200,
      'script-sample': '',
    },
  };
}

const event = sdkEvent({
  documentURI: 'http://127.0.0.1:3000/violations',
  blockedURI: 'https://ads.injector.invalid/inject.js',
  originalPolicy: "default-src 'self'",
});

describe.each(testDatabases())('endpoints on $name', (database) => {
  let server: TestServer;
  const post = (path: string, body: string, type = 'application/csp-report') =>
    fetch(server.url + path, { method: 'POST', headers: { 'Content-Type': type }, body });

  serveDuringTests(database, {}, (started) => (server = started));

  describe.skipIf(Boolean(database.skip))('with a database', () => {
    it('stores a report-uri report under its session, with the raw body and a fingerprint', async () => {
      const { token, session } = mintSessionToken(SECRET);
      const response = await post(`/csp/report/${token}`, JSON.stringify(chromiumReport()));
      expect(response.status).toBe(204);
      const [report, ...rest] = await server.observer.store.reportsOfSession(session.id);
      expect(rest).toEqual([]);
      expect(report).toMatchObject({
        channel: 'report-uri',
        reportType: 'csp-violation',
        blockedUri: 'https://ads.injector.invalid/inject.js',
        effectiveDirective: 'script-src-elem',
        isValid: true,
        ip: '127.0.0.0',
      });
      expect(report!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      expect(JSON.parse(report!.raw)).toEqual(chromiumReport());
      expect(await server.observer.store.session(session.id)).toMatchObject({ documentUri: 'http://127.0.0.1:3000/violations' });
    });

    it('pairs an SDK event with the native report of the same violation', async () => {
      const { token, session } = mintSessionToken(SECRET);
      expect((await post(`/csp/events/${token}`, JSON.stringify({ v: 1, events: [event] }), 'application/json')).status).toBe(204);
      expect((await post(`/csp/report/${token}`, JSON.stringify(chromiumReport()))).status).toBe(204);
      const reports = await server.observer.store.reportsOfSession(session.id);
      expect(reports.map((r) => r.channel)).toEqual(['sdk', 'report-uri']);
      expect(reports[0]!.fingerprint).toBe(reports[1]!.fingerprint);
    });

    it('stores Reporting API batches as report-to', async () => {
      const { token, session } = mintSessionToken(SECRET);
      const body = [
        {
          age: 3,
          type: 'csp-violation',
          url: 'https://site.test/',
          user_agent: 'Chromium',
          body: {
            blockedURL: 'eval',
            columnNumber: 7,
            disposition: 'report',
            documentURL: 'https://site.test/',
            effectiveDirective: 'script-src',
            lineNumber: 2,
            originalPolicy: "script-src 'self'",
            referrer: '',
            sample: '',
            sourceFile: 'https://site.test/app.js',
            statusCode: 200,
          },
        },
      ];
      expect((await post(`/csp/reports/${token}`, JSON.stringify(body), 'application/reports+json')).status).toBe(204);
      const [report] = await server.observer.store.reportsOfSession(session.id);
      expect(report).toMatchObject({ channel: 'report-to', blockedUri: 'eval', userAgent: 'Chromium', isValid: true });
    });

    it('keeps an invalid report, marked invalid, and a non-JSON body with a 400', async () => {
      const { token, session } = mintSessionToken(SECRET);
      // With a trailing slash too, as the router matched it.
      expect((await post(`/csp/report/${token}/`, JSON.stringify({ 'csp-report': { 'blocked-uri': 'eval' } }))).status).toBe(204);
      const garbage = await post(`/csp/report/${token}`, 'this is not json');
      expect(garbage.status).toBe(400);
      expect(await garbage.json()).toEqual({ error: 'body is not JSON; stored as an invalid report' });
      const reports = await server.observer.store.reportsOfSession(session.id);
      expect(reports.map((r) => [r.isValid, r.raw])).toEqual([
        [false, '{"csp-report":{"blocked-uri":"eval"}}'],
        [false, 'this is not json'],
      ]);
      expect(reports[0]!.problems).toContain('documentUri is missing');
    });

    it('takes reports without a session at the plain collector endpoint', async () => {
      const before = await server.observer.store.countReports();
      expect((await post('/csp/report', JSON.stringify(chromiumReport('https://plain.test/')), 'application/json')).status).toBe(204);
      const [latest] = await server.observer.store.recentReports(1);
      expect(latest).toMatchObject({ sessionId: null, documentUri: 'https://plain.test/', fingerprint: null });
      expect(await server.observer.store.countReports()).toBe(before + 1);
    });

    it('refuses forged tokens, oversized bodies and unknown media types, storing nothing', async () => {
      const before = await server.observer.store.countReports();
      const forged = mintSessionToken('some-other-secret-entirely').token;
      const refused = await post(`/csp/report/${forged}`, JSON.stringify(chromiumReport()));
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual({ error: 'invalid or expired session token' });
      // Answered before the router, with the headers every endpoint shares.
      expect(refused.headers.get('cache-control')).toBe('no-store');
      expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
      const { token } = mintSessionToken(SECRET);
      const huge = await post(`/csp/report/${token}`, JSON.stringify({ 'csp-report': { sample: 'x'.repeat(70 * 1024) } }));
      expect(huge.status).toBe(413);
      expect(await huge.json()).toEqual({ error: 'body larger than 65536 bytes' });
      const xml = await post(`/csp/report/${token}`, '<report/>', 'application/xml');
      expect(xml.status).toBe(415);
      const deep = await post(`/csp/report/${token}`, '['.repeat(100) + ']'.repeat(100), 'application/json');
      expect(deep.status).toBe(400);
      const tooMany = await post(`/csp/events/${token}`, JSON.stringify({ v: 1, events: Array(101).fill(event) }), 'application/json');
      expect(tooMany.status).toBe(413);
      const shapeless = await post(`/csp/events/${token}`, JSON.stringify({ nope: 1 }), 'application/json');
      expect(shapeless.status).toBe(400);
      expect(await server.observer.store.countReports()).toBe(before);
    });

    it('acknowledges concurrent reports only once all are committed', async () => {
      const before = await server.observer.store.countReports();
      const { token } = mintSessionToken(SECRET);
      const answers = await Promise.all(
        Array.from({ length: 60 }, (_, i) => post(`/csp/report/${token}`, JSON.stringify(chromiumReport(`https://c.test/${i}`)))),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(60).fill(204));
      expect(await server.observer.store.countReports()).toBe(before + 60);
    });

    it('serves the SDK, gzipped and revalidated by ETag', async () => {
      const response = await fetch(`${server.url}/csp/sdk.js`, { headers: { 'Accept-Encoding': 'gzip' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
      expect(response.headers.get('content-encoding')).toBe('gzip');
      const etag = response.headers.get('etag')!;
      expect(await response.text()).toContain('securitypolicyviolation');
      const again = await fetch(`${server.url}/csp/sdk.js`, { headers: { 'If-None-Match': etag } });
      expect(again.status).toBe(304);
    });

    it('answers health, 404 for unknown endpoints and 405 for wrong methods, as JSON', async () => {
      const health = await fetch(`${server.url}/csp/health`);
      expect(await health.json()).toEqual({ status: 'ok', database: database.name });
      const unknown = await fetch(`${server.url}/csp/nope`);
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ error: expect.stringContaining('no such csp-observer endpoint') });
      const wrong = await fetch(`${server.url}/csp/report/x`);
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get('allow')).toBe('POST');
      const preflight = await fetch(`${server.url}/csp/reports/x`, { method: 'OPTIONS' });
      expect(preflight.status).toBeLessThan(300);
    });
  });
});

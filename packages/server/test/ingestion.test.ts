import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintSessionToken } from '../src/session/session-token.js';
import { REPORT_URI_BODIES, REPORTING_API_BATCH, sdkEvent } from './fixtures/browser-reports.js';
import { testDatabases } from './support/databases.js';
import { SECRET, startTestServer, type TestServer } from './support/test-server.js';

describe.each(testDatabases())('ingestion on $name', (database) => {
  let server: TestServer;
  let keepQuery: TestServer;
  const post = (base: string, path: string, body: string, headers: Record<string, string>) =>
    fetch(base + path, { method: 'POST', headers, body });

  beforeAll(async () => {
    if (database.skip) return;
    server = await startTestServer({ database: await database.create(), reportOrigins: ['https://shop.test'] });
    keepQuery = await startTestServer({ database: await database.create(), stripQuery: false });
  });
  afterAll(async () => {
    await server?.close();
    await keepQuery?.close();
    await database.cleanup();
  });

  describe.skipIf(Boolean(database.skip))('with a database', () => {
    it.each(REPORT_URI_BODIES)('report-uri: $name', async ({ contentType, body, expect: expected }) => {
      const { token, session } = mintSessionToken(SECRET);
      const response = await post(server.url, `/csp/report/${token}`, body, { 'Content-Type': contentType });
      expect(response.status).toBe(204);
      const [report, ...rest] = await server.observer.store.reportsOfSession(session.id);
      expect(rest).toHaveLength(0);
      expect(report).toMatchObject({
        channel: 'report-uri',
        effectiveDirective: expected.effectiveDirective,
        blockedUri: expected.blockedUri,
        isValid: expected.valid,
      });
      if (expected.lineNumber !== undefined) expect(report!.lineNumber).toBe(expected.lineNumber);
      if (expected.sample !== undefined) expect(report!.sample).toBe(expected.sample);
      // Query strings are gone from the fields and from the raw body alike.
      expect(report!.documentUri).not.toContain('?');
      expect(report!.raw).not.toMatch(/session=s3cr3t|uid=42/);
    });

    it('stores every report of a Reporting API batch, CSP and other types', async () => {
      const { token, session } = mintSessionToken(SECRET);
      const response = await post(server.url, `/csp/reports/${token}`, JSON.stringify(REPORTING_API_BATCH), {
        'Content-Type': 'application/reports+json',
        Origin: 'https://shop.test',
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('https://shop.test');
      const reports = await server.observer.store.reportsOfSession(session.id);
      expect(reports.map((r) => [r.reportType, r.channel, r.isValid])).toEqual(
        REPORTING_API_BATCH.map((entry) => [entry.type, 'report-to', true]),
      );
      expect(reports[0]).toMatchObject({
        blockedUri: 'https://skimmer.test/collect.js',
        documentUri: 'https://shop.test/checkout',
        violatedDirective: 'script-src-elem',
        referrer: 'https://shop.test/cart',
        userAgent: REPORTING_API_BATCH[0]!.user_agent,
      });
      expect(JSON.parse(reports[1]!.raw)).toMatchObject({ type: 'deprecation', body: { id: 'UnloadHandler' } });
    });

    it('keeps query strings when stripQuery is false', async () => {
      const { token, session } = mintSessionToken(SECRET);
      await post(keepQuery.url, `/csp/report/${token}`, REPORT_URI_BODIES[0]!.body, { 'Content-Type': 'application/csp-report' });
      const [report] = await keepQuery.observer.store.reportsOfSession(session.id);
      expect(report!.documentUri).toBe('https://shop.test/cart?session=s3cr3t');
      expect(report!.raw).toContain('session=s3cr3t');
    });

    it("keeps a single report's body exactly as received (spacing and key order included)", async () => {
      const { token, session } = mintSessionToken(SECRET);
      const body = JSON.stringify(JSON.parse(REPORT_URI_BODIES[0]!.body), null, 2);
      await post(keepQuery.url, `/csp/report/${token}`, `\n${body}\n`, { 'Content-Type': 'application/csp-report' });
      const [report] = await keepQuery.observer.store.reportsOfSession(session.id);
      expect(report!.raw).toBe(body);
    });

    it('pairs fingerprints on the full URL even though the stored one is stripped', async () => {
      const { token, session } = mintSessionToken(SECRET);
      const event = sdkEvent({
        documentURI: 'https://shop.test/cart?session=s3cr3t',
        referrer: 'https://shop.test/',
        originalPolicy: '',
        disposition: 'enforce',
        sourceFile: 'https://shop.test/cart?session=s3cr3t',
        lineNumber: 14,
        columnNumber: 9,
        sample: 'window.__injected = true;',
      });
      await post(server.url, `/csp/events/${token}`, JSON.stringify({ v: 1, events: [event] }), { 'Content-Type': 'application/json' });
      await post(server.url, `/csp/report/${token}`, REPORT_URI_BODIES[0]!.body, { 'Content-Type': 'application/csp-report' });
      const [sdk, native] = await server.observer.store.reportsOfSession(session.id);
      expect(sdk!.fingerprint).toBe(native!.fingerprint);
    });

    it('answers CORS preflights for allowed origins only, and never with 410', async () => {
      const { token } = mintSessionToken(SECRET);
      for (const path of [`/csp/reports/${token}`, `/csp/events/${token}`]) {
        const allowed = await fetch(server.url + path, {
          method: 'OPTIONS',
          headers: {
            Origin: 'https://shop.test',
            'Access-Control-Request-Method': 'POST',
            'Access-Control-Request-Headers': 'content-type',
          },
        });
        expect(allowed.status).toBe(204);
        expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.test');
        expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
        const foreign = await fetch(server.url + path, { method: 'OPTIONS', headers: { Origin: 'https://evil.test' } });
        expect(foreign.status).toBe(403);
      }
      const before = await server.observer.store.countReports();
      const refused = await post(server.url, `/csp/reports/${token}`, JSON.stringify(REPORTING_API_BATCH), {
        'Content-Type': 'application/reports+json',
        Origin: 'https://evil.test',
      });
      expect(refused.status).toBe(403);
      expect(await server.observer.store.countReports()).toBe(before);
    });

    it('answers hostile bodies with a 4xx and a message, never a 5xx, keeping the valid reports beside bad ones', async () => {
      const { token, session } = mintSessionToken(SECRET);
      const hostile: Array<[string, string]> = [
        ['application/csp-report', ''],
        ['application/csp-report', 'null'],
        ['application/csp-report', '{"csp-report": '],
        ['application/csp-report', '{"csp-report": "string"}'],
        ['application/csp-report', '{"csp-report": {"line-number": {"$gt": 1}}}'],
        ['application/csp-report', '\u0000\u0001\u0002'],
        ['application/reports+json', '[1, "two", null, {"type": 5}]'],
        ['application/json', '{"__proto__": {"polluted": true}, "csp-report": {"document-uri": "x"}}'],
        ['application/json; charset=klingon', '{}'],
      ];
      for (const [type, body] of hostile) {
        const response = await post(server.url, `/csp/report/${token}`, body, { 'Content-Type': type });
        expect(response.status, `${type} ${JSON.stringify(body)}`).toBeLessThan(500);
        if (response.status >= 400) expect(await response.json()).toHaveProperty('error');
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      // A batch with one good report between bad ones: the good one is stored valid.
      const fresh = mintSessionToken(SECRET);
      const mixed = [null, REPORTING_API_BATCH[0], { type: 'csp-violation', body: 'nope' }];
      const response = await post(server.url, `/csp/reports/${fresh.token}`, JSON.stringify(mixed), {
        'Content-Type': 'application/reports+json',
      });
      expect(response.status).toBe(204);
      const stored = await server.observer.store.reportsOfSession(fresh.session.id);
      expect(stored.map((r) => r.isValid)).toEqual([false, true, false]);
      // Every hostile body with content was kept, each as an invalid report with its reason (the
      // 400s too: "stored as an invalid report"); only the empty body and the 415 left nothing.
      const kept = await server.observer.store.reportsOfSession(session.id);
      expect(kept.map((r) => [r.channel, r.reportType, r.isValid, r.problems[0]])).toEqual([
        ['report-uri', 'csp-violation', false, 'body is not JSON'],
        ['report-uri', 'csp-violation', false, 'body is not JSON'],
        ['report-uri', 'csp-violation', false, 'csp-report is not an object'],
        ['report-uri', 'csp-violation', false, 'documentUri is missing'],
        ['report-uri', 'csp-violation', false, 'body is not JSON'],
        ['report-to', 'csp-violation', false, 'the report is not a JSON object'],
        ['report-to', 'csp-violation', false, 'the report is not a JSON object'],
        ['report-to', 'csp-violation', false, 'the report is not a JSON object'],
        ['report-to', 'unknown', false, 'type is missing'],
        ['report-uri', 'csp-violation', false, 'referrer is missing'],
      ]);
    });
  });
});

import { afterAll, afterEach, describe, expect, test } from 'vitest';
import type { ReceivedReport } from '../src/report/received-report.js';
import type { CspObserverOptions } from '../src/options/options.js';
import { mintSessionToken } from '../src/session/session-token.js';
import { REPORT_URI_BODIES } from './fixtures/browser-reports.js';
import { testDatabases } from './support/databases.js';
import { startSmtpServer } from './support/smtp.js';
import { SECRET, startTestServer, type TestServer } from './support/test-server.js';

const inline = REPORT_URI_BODIES[0]!.body;
const extension = REPORT_URI_BODIES[2]!.body;

describe.each(testDatabases())('handlers on $name', (database) => {
  let server: TestServer | undefined;
  const start = async (options: Omit<Partial<CspObserverOptions>, 'database'>) => {
    server = await startTestServer({ database: await database.create(), ...options });
    return server;
  };
  const send = (body: string, path = `/csp/report/${mintSessionToken(SECRET).token}`) =>
    fetch(server!.url + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/csp-report', 'User-Agent': 'TestBrowser/1' },
      body,
    });

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  afterAll(() => database.cleanup());
  const it = database.skip ? test.skip : test;

  it('logs each report at the configured level and name, and not when off', async () => {
    const logged = await start({ log: { level: 'error', name: 'Shop CSP' } });
    await send(inline);
    expect(logged.logger.lines).toContainEqual('error: [Shop CSP] script-src-elem blocked "inline" on https://shop.test/cart (report-uri)');
    await logged.close();
    const quiet = await start({ log: false });
    await send(inline);
    expect(quiet.logger.lines.filter((line) => line.includes('blocked'))).toEqual([]);
  });

  it('calls custom handlers after the commit with the normalized report and the request', async () => {
    const seen: Array<{ report: ReceivedReport; stored: number; ua: string }> = [];
    let observed: TestServer;
    observed = await start({
      handlers: [
        async (report, ctx) => {
          seen.push({ report, stored: await observed.observer.store.countReports(), ua: ctx.get('User-Agent') });
        },
        () => {
          throw new Error('a broken handler');
        },
      ],
    });
    expect((await send(inline)).status).toBe(204);
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0]!.stored).toBe(1);
    expect(seen[0]!.ua).toBe('TestBrowser/1');
    expect(seen[0]!.report).toMatchObject({ channel: 'report-uri', valid: true, userAgent: 'TestBrowser/1' });
    // Handlers see the full URL; only storage strips the query.
    expect(seen[0]!.report.violation?.documentUri).toBe('https://shop.test/cart?session=s3cr3t');
    expect(observed.logger.lines).toContainEqual('error: report handler (anonymous) failed');
  });

  it('drops what the filter rejects, counting it, and keeps what a throwing filter saw', async () => {
    let calls = 0;
    const filtered = await start({
      filter: (report) => {
        calls++;
        if (report.violation?.blockedUri === 'eval') throw new Error('boom');
        return report.violation?.blockedUri !== 'inline';
      },
    });
    expect((await send(inline)).status).toBe(204);
    expect(await filtered.observer.store.countReports()).toBe(0);
    await send(REPORT_URI_BODIES[3]!.body); // eval: the filter throws
    expect(await filtered.observer.store.countReports()).toBe(1);
    expect(calls).toBe(2);
    const drops = (await filtered.observer.store.db('cspo_drops').select('reason', 'count')) as Array<{ reason: string; count: number }>;
    expect(drops.map((d) => [d.reason, Number(d.count)])).toEqual([['filter', 1]]);
  });

  it('filters browser-extension reports when asked', async () => {
    const filtering = await start({ filterBrowserExtensions: true });
    await send(extension);
    await send(inline);
    const reports = await filtering.observer.store.recentReports();
    expect(reports.map((r) => r.blockedUri)).toEqual(['inline']);
  });

  it('does not store with save: false, but still runs the handlers', async () => {
    const seen: string[] = [];
    const unsaved = await start({ save: false, handlers: [(report) => void seen.push(report.violation!.blockedUri)] });
    expect((await send(inline)).status).toBe(204);
    expect(await unsaved.observer.store.countReports()).toBe(0);
    expect(seen).toEqual(['inline']);
  });

  it('stores extra fields from the hook', async () => {
    const extra = await start({ extraFields: (report, ctx) => ({ tenant: ctx.get('User-Agent'), browserSaid: report.valid }) });
    await send(inline);
    const [report] = await extra.observer.store.recentReports(1);
    expect(JSON.parse(report!.extra!)).toEqual({ tenant: 'TestBrowser/1', browserSaid: true });
  });

  it('e-mails the admins through a real SMTP server, one message per window', async () => {
    const smtp = await startSmtpServer();
    try {
      await start({
        emailAdmins: { to: ['admin@shop.test', 'sec@shop.test'], from: 'csp@shop.test', transport: smtp.url, windowSeconds: 0.2 },
      });
      await send(inline);
      await send(REPORT_URI_BODIES[3]!.body);
      await expect.poll(() => smtp.messages.length, { timeout: 10_000 }).toBe(1);
      const [mail] = smtp.messages;
      expect(mail!.from).toBe('csp@shop.test');
      expect(mail!.to).toEqual(['admin@shop.test', 'sec@shop.test']);
      // Headers may be folded; the query string (a session id here) never leaves the server.
      expect(mail!.data.replace(/\r\n\s+/g, ' ')).toMatch(
        /^Subject: \[CSP report\] script-src-elem blocked inline on https:\/\/shop\.test\/cart and 1 more$/m,
      );
      expect(mail!.data).not.toContain('s3cr3t');
      expect(mail!.data).toContain('blocked:   eval');
    } finally {
      await server?.close();
      server = undefined;
      await smtp.close();
    }
  });
});

// Issue 21, item 8: the smaller holes an attacker finds once the big ones are closed.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mintSessionToken } from '../../src/session/session-token.js';
import { reportUriBody, sdkEvent } from '../fixtures/browser-reports.js';
import { testDatabases } from '../support/databases.js';
import { SECRET, startTestServer, type TestServer } from '../support/test-server.js';

const database = testDatabases()[0]!;

/** A GET with exactly this Host header (fetch does not let a caller set it). */
function getWithHost(url: string, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Host: host } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('hostile traffic, item 8 of issue 21', () => {
  let server: TestServer;
  let sharing: Server;
  const forwarded: string[] = [];
  beforeAll(async () => {
    sharing = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        forwarded.push(req.url ?? '');
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => sharing.listen(0, '127.0.0.1', resolve));
    server = await startTestServer({
      database: await database.create(),
      dataSharingUrl: `http://127.0.0.1:${(sharing.address() as AddressInfo).port}/share`,
    });
  });
  afterAll(async () => {
    await server.close();
    await new Promise<void>((resolve) => sharing.close(() => resolve()));
    await database.cleanup();
  });

  const report = (path: string, body: string) =>
    fetch(`${server.url}/csp${path}`, { method: 'POST', headers: { 'Content-Type': 'application/csp-report' }, body });
  const events = (token: string, list: unknown[]) =>
    fetch(`${server.url}/csp/events/${token}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ v: 1, events: list }),
    });

  it('escapes a newline in document-uri instead of writing a forged log line', async () => {
    const forged = 'https://shop.test/\n[CSP Reports] script-src-elem blocked "https://evil.test" on https://bank.test/';
    expect((await report('/report', reportUriBody({ 'document-uri': forged }))).status).toBe(204);
    const line = server.logger.lines.find((l) => l.includes('shop.test'));
    expect(line).toBe(
      'debug: [CSP Reports] script-src-elem blocked "https://cdn.test/lib.js" on https://shop.test/\\n[CSP Reports] script-src-elem blocked "https://evil.test" on https://bank.test/ (report-uri)',
    );
  });

  it('strips query strings from the sample and from raw bodies that escape their slashes', async () => {
    const body = reportUriBody({
      'document-uri': 'https://shop.test/reset?token=s3cret',
      'script-sample': 'https://shop.test/api?token=s3cret',
    }).replaceAll('/', '\\/');
    expect((await report('/report', body)).status).toBe(204);
    const [row] = (await server.observer.store.db('cspo_reports').orderBy('id', 'desc').limit(1).select('raw', 'sample')) as Array<{
      raw: string;
      sample: string;
    }>;
    expect(row!.sample).toBe('https://shop.test/api');
    expect(row!.raw).not.toContain('s3cret');
    expect((JSON.parse(row!.raw) as { 'csp-report': Record<string, string> })['csp-report']['document-uri']).toBe(
      'https://shop.test/reset',
    );
  });

  it('forwards shares for a few page views per address and hour, then answers 429 with Retry-After', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const statuses = [];
    const waits = [];
    for (let i = 0; i < 7; i++) {
      const response = await fetch(`${server.url}/csp/scan/${mintSessionToken(SECRET).token}/share`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'same-origin' },
        body: 'digest=anything',
      });
      statuses.push(response.status);
      waits.push(response.headers.get('Retry-After'));
    }
    vi.useRealTimers();
    expect(statuses).toEqual([303, 303, 303, 303, 303, 429, 429]);
    expect(waits).toEqual([null, null, null, null, null, '3600', '3600']);
  });

  it('names the checked page as the shared site, not the Host header', async () => {
    const { token } = mintSessionToken(SECRET);
    const event = sdkEvent({ documentURI: 'https://shop.test/cart', blockedURI: 'https://new-adware.test/x.js', seq: 0 });
    expect((await events(token, [event])).status).toBe(204);
    const html = await getWithHost(`${server.url}/csp/scan/${token}`, 'evil.test');
    const shown = /<pre class="shared-data"[^>]*>([\s\S]*?)<\/pre>/.exec(html)?.[1]?.replace(/&quot;/g, '"') ?? 'null';
    expect((JSON.parse(shown) as { site: string }).site).toBe('https://shop.test');
  });
});

describe('health and logs while every write fails (issue 21, item 8)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ database: await database.create() });
  });
  afterAll(async () => {
    await server.close();
    await database.cleanup();
  });

  it('answers /health 503 while writes fail, logs one stack per kind of failure, and recovers', async () => {
    const db = server.observer.store.db;
    const post = () =>
      fetch(`${server.url}/csp/report`, { method: 'POST', headers: { 'Content-Type': 'application/csp-report' }, body: reportUriBody() });
    expect((await fetch(`${server.url}/csp/health`)).status).toBe(200);
    // The database answers (select 1 works) but no report can be written.
    await db.schema.renameTable('cspo_reports', 'cspo_reports_away');
    try {
      const statuses = [];
      for (let i = 0; i < 20; i++) statuses.push((await post()).status);
      expect(statuses).toEqual(Array(20).fill(503));
      const health = await fetch(`${server.url}/csp/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ status: 'unavailable', database: 'sqlite', writes: 'failing' });
      expect(server.logger.lines.filter((line) => line.startsWith('error: POST /csp/report failed'))).toEqual([
        'error: POST /csp/report failed',
      ]);
    } finally {
      await db.schema.renameTable('cspo_reports_away', 'cspo_reports');
    }
    expect((await post()).status).toBe(204);
    expect((await fetch(`${server.url}/csp/health`)).status).toBe(200);
  });
});

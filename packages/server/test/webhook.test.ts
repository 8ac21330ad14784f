import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { signWebhook, verifyWebhookSignature } from '../src/ingest/webhook-signature.js';
import type { WebhookPayload } from '../src/ingest/webhook-notifier.js';
import { mintSessionToken } from '../src/session/session-token.js';
import { reportUriBody } from './fixtures/browser-reports.js';
import { testDatabases } from './support/databases.js';
import { SECRET, startTestServer, type TestServer } from './support/test-server.js';

const HOOK_SECRET = 'webhook-secret-0123456789abcdef';
const KASPERSKY = 'https://gc.kis.v2.scr.kaspersky-labs.com/FD126C42-EBFA-4E12-B309-BB3FDD723AC1/main.js';

interface Received {
  body: string;
  signature: string;
  type: string;
}

/** A real HTTP receiver on 127.0.0.1 (a port in 6200-6299) answering each POST with the next status of `statuses` (then 200). */
async function startReceiver(statuses: number[] = []): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ body, signature: String(req.headers['x-csp-observer-signature'] ?? ''), type: String(req.headers['content-type']) });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  for (let attempt = 0; ; attempt++) {
    const port = 6200 + ((process.pid + attempt * 7) % 100);
    const listening = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (listening) return { url: `http://127.0.0.1:${port}/hook`, received, close: () => new Promise((r) => server.close(() => r())) };
    if (attempt > 100) throw new Error('no free port in 6200-6299');
  }
}

const sqlite = testDatabases().find((d) => d.name === 'sqlite') ?? testDatabases()[0]!;

describe('webhook alerts', () => {
  let server: TestServer | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  afterEach(async () => {
    await server?.close();
    await receiver?.close();
    server = undefined;
    receiver = undefined;
  });
  afterAll(() => sqlite.cleanup());

  const start = async (statuses: number[], webhook: Record<string, unknown> = {}) => {
    receiver = await startReceiver(statuses);
    server = await startTestServer({
      database: await sqlite.create(),
      webhook: { url: receiver.url, secret: HOOK_SECRET, windowSeconds: 0.2, backoffSeconds: 0.05, ...webhook },
    });
  };
  const report = (token: string, blocked: string) =>
    fetch(`${server!.url}/csp/report/${token}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/csp-report' },
      body: reportUriBody({ 'blocked-uri': blocked }),
    });

  // Reports that must share a window get 3 s: on a loaded machine a 0.2 s window may close between two POSTs.
  const POLL = { timeout: 15_000 };

  test('a new problem is POSTed once, signed, as Slack-compatible JSON; the same rule later is not new', async () => {
    await start([], { windowSeconds: 3 });
    const { token } = mintSessionToken(SECRET);
    expect((await report(token, KASPERSKY)).status).toBe(204);
    // The site's own violation is no alert by itself.
    expect((await report(token, 'https://cdn.test/lib.js')).status).toBe(204);
    await expect.poll(() => receiver!.received.length, POLL).toBe(1);
    const [alert] = receiver!.received;
    expect(alert!.type).toBe('application/json');
    expect(verifyWebhookSignature(HOOK_SECRET, alert!.signature, alert!.body)).toBe(true);
    const payload = JSON.parse(alert!.body) as WebhookPayload;
    expect(payload.text).toBe('csp-observer: 1 new problem(s)');
    expect(payload.blocks[0]!.type).toBe('section');
    expect(payload.blocks[0]!.text.text.split('\n')[0]).toBe('*1 new problem(s)*');
    expect(payload.cspObserver).toMatchObject({ events: ['new-problem'], reports: 2, anomalies: [] });
    expect(payload.cspObserver.newProblems.map((p) => [p.ruleId, p.count, p.page])).toEqual([
      ['other.kaspersky', 1, 'https://shop.test/cart'],
    ]);

    expect((await report(token, KASPERSKY)).status).toBe(204);
    // Then an anomaly, so that a next alert comes: it names no problem, the rule is known now.
    const hidden = await fetch(`${server!.url}/csp/events/${token}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        v: 1,
        events: [],
        hidden: [{ tag: 'script', url: 'https://hidden.test/x.js', directive: 'script-src-elem' }],
      }),
    });
    expect(hidden.status).toBe(204);
    await expect.poll(() => receiver!.received.length, POLL).toBe(2);
    const next = JSON.parse(receiver!.received[1]!.body) as WebhookPayload;
    expect([next.cspObserver.events, next.cspObserver.newProblems]).toEqual([['anomaly'], []]);
  });

  test('a receiver failing twice gets the same alert a third time, and takes it', async () => {
    await start([500, 503]);
    const { token } = mintSessionToken(SECRET);
    expect((await report(token, KASPERSKY)).status).toBe(204);
    await expect.poll(() => receiver!.received.length, POLL).toBe(3);
    const bodies = new Set(receiver!.received.map((r) => r.body));
    expect(bodies.size).toBe(1);
    for (const r of receiver!.received) expect(verifyWebhookSignature(HOOK_SECRET, r.signature, r.body)).toBe(true);
    expect(server!.logger.lines.filter((l) => l.includes('webhook'))).toEqual([]);
  });

  test('gives up after `attempts` and logs it, with the origin only', async () => {
    await start([500, 500, 500], { attempts: 2 });
    const { token } = mintSessionToken(SECRET);
    expect((await report(token, KASPERSKY)).status).toBe(204);
    await expect.poll(() => server!.logger.lines.filter((l) => l.includes('webhook')).length, POLL).toBe(1);
    expect(receiver!.received).toHaveLength(2);
    const origin = new URL(receiver!.url).origin;
    expect(server!.logger.lines.find((l) => l.includes('webhook'))).toBe(
      `error: webhook: could not deliver an alert to ${origin}: the receiver answered 500 after 2 attempt(s) (1 given up so far)`,
    );
  });

  test('hidden content is an anomaly and many reports in a window a spike', async () => {
    await start([], { spikeReports: 3, windowSeconds: 3 });
    const { token } = mintSessionToken(SECRET);
    const hidden = await fetch(`${server!.url}/csp/events/${token}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        v: 1,
        events: [],
        hidden: [{ tag: 'script', url: 'https://hidden.test/x.js', directive: 'script-src-elem' }],
      }),
    });
    expect(hidden.status).toBe(204);
    for (let i = 0; i < 3; i++) expect((await report(token, `https://cdn.test/${i}.js`)).status).toBe(204);
    await expect.poll(() => receiver!.received.length, POLL).toBe(1);
    const payload = JSON.parse(receiver!.received[0]!.body) as WebhookPayload;
    expect(payload.cspObserver.events).toEqual(['anomaly', 'spike']);
    expect(payload.cspObserver.anomalies).toEqual([{ kind: 'hidden-content', count: 1 }]);
    expect(payload.text).toBe('csp-observer: hidden content, a spike of 3 reports');
  });
});

describe('verifyWebhookSignature', () => {
  const body = '{"text":"x"}';
  const now = 1_765_000_000_000;
  const t = now / 1000;
  test('accepts its own signature and refuses a changed body, another secret, an old or garbled header', () => {
    const header = signWebhook(HOOK_SECRET, body, t);
    expect(verifyWebhookSignature(HOOK_SECRET, header, body, { now })).toBe(true);
    expect(verifyWebhookSignature(HOOK_SECRET, header, '{"text":"y"}', { now })).toBe(false);
    expect(verifyWebhookSignature('another-secret-0123456789', header, body, { now })).toBe(false);
    expect(verifyWebhookSignature(HOOK_SECRET, header, body, { now: now + 301_000 })).toBe(false);
    expect(verifyWebhookSignature(HOOK_SECRET, header, body, { now: now + 299_000 })).toBe(true);
    expect(verifyWebhookSignature(HOOK_SECRET, header.replace(/v1=./, 'v1=0'), body, { now })).toBe(false);
    expect(verifyWebhookSignature(HOOK_SECRET, 'garbage', body, { now })).toBe(false);
    expect(verifyWebhookSignature(HOOK_SECRET, undefined, body, { now })).toBe(false);
  });
  test('is HMAC-SHA256 of "t.body" in hex, as documented for receivers in other languages', async () => {
    const { createHmac } = await import('node:crypto');
    const expected = createHmac('sha256', HOOK_SECRET).update(`${t}.${body}`).digest('hex');
    expect(signWebhook(HOOK_SECRET, body, t)).toBe(`t=${t},v1=${expected}`);
  });
});

describe('the webhook queue', () => {
  test('holds at most maxQueued alerts besides the one under way: the oldest waiting one is dropped and logged', async () => {
    const { WebhookNotifier } = await import('../src/ingest/webhook-notifier.js');
    const { memoryLogger } = await import('./support/test-server.js');
    const bodies: string[] = [];
    const held: Array<() => void> = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        bodies.push(body);
        held.push(() => res.end());
      });
    });
    const port = await new Promise<number>((resolve, reject) => {
      const tryPort = (p: number) => {
        receiver.once('error', () => (p < 6299 ? tryPort(p + 1) : reject(new Error('no free port'))));
        receiver.listen(p, '127.0.0.1', () => resolve(p));
      };
      tryPort(6250 + (process.pid % 40));
    });
    const logger = memoryLogger();
    const notifier = new WebhookNotifier(
      {
        url: `http://127.0.0.1:${port}/hook`,
        secret: HOOK_SECRET,
        windowSeconds: 0.01,
        spikeReports: 1000,
        attempts: 1,
        backoffSeconds: 1,
        timeoutSeconds: 10,
        maxQueued: 1,
      },
      logger,
    );
    const problem = (id: string) =>
      ({ rule: { id, title: id, ignore: false }, violation: null, url: 'https://shop.test/' }) as unknown as Parameters<
        typeof notifier.add
      >[0][number];
    const ruleIds = () => bodies.map((b) => (JSON.parse(b) as WebhookPayload).cspObserver.newProblems[0]!.ruleId);
    try {
      notifier.add([problem('a')]);
      await expect.poll(() => bodies.length, { timeout: 15_000 }).toBe(1);
      notifier.add([problem('b')]);
      await expect.poll(() => notifier.waiting, { timeout: 15_000 }).toBe(1);
      notifier.add([problem('c')]);
      await expect
        .poll(() => logger.lines)
        .toEqual([
          `error: webhook: could not deliver an alert to http://127.0.0.1:${port}: the queue is full; the oldest alert was dropped (1 given up so far)`,
        ]);
      held.shift()!();
      await expect.poll(() => bodies.length, { timeout: 15_000 }).toBe(2);
      expect(notifier.waiting).toBe(0);
      expect(ruleIds()).toEqual(['a', 'c']);
      expect(notifier.dropped).toBe(1);
    } finally {
      for (const release of held) release();
      await notifier.close();
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});

import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { mintSessionToken } from '../src/session/session-token.js';
import { reportUriBody } from './fixtures/browser-reports.js';
import { testDatabases } from './support/databases.js';
import { SECRET, startTestServer, type TestServer } from './support/test-server.js';

const TOKEN = 'admin-token-0123456789abcdef';
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

/** The value of one sample of the exposition text (`name{labels} value`), or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.each(testDatabases())('metrics on $name', (database) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  afterAll(() => database.cleanup());
  const it = database.skip ? test.skip : test;

  const start = async (options: Record<string, unknown>) => {
    server = await startTestServer({ database: await database.create(), ...options });
    return server;
  };
  const scrape = async (headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` }) => {
    const response = await fetch(`${server!.url}/csp/admin/metrics`, { headers });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };
  const report = (token: string, body = reportUriBody()) =>
    fetch(`${server!.url}/csp/report/${token}`, { method: 'POST', headers: { 'Content-Type': 'application/csp-report' }, body });

  it('counts real reports received, stored and dropped, verdicts, anomalies and commits', async () => {
    await start({
      admin: { token: TOKEN },
      filter: (r: { violation: { blockedUri: string } | null }) => r.violation?.blockedUri !== 'https://drop.test/x.js',
      limits: { perIp: { reports: 4, windowSeconds: 600 } },
    });
    const before = await scrape();
    expect(before.status).toBe(200);
    expect(before.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(sample(before.text, 'csp_observer_reports_received_total{channel="report-uri"}')).toBeUndefined();
    expect(sample(before.text, 'csp_observer_write_queue_depth')).toBe(0);

    const { token } = mintSessionToken(SECRET);
    expect((await report(token)).status).toBe(204);
    expect((await report(token)).status).toBe(204);
    expect((await report(token, reportUriBody({ 'blocked-uri': 'https://drop.test/x.js' }))).status).toBe(204);
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
    // The limit (4 a window) is used up: this one is refused and counted as rate-limited.
    expect((await report(token)).status).toBe(429);
    const verdict = (await (await fetch(`${server!.url}/csp/verdict/${token}`)).json()) as {
      status: string;
      anomalies: Array<{ kind: string }>;
    };
    expect(verdict.anomalies.map((a) => a.kind)).toEqual(['hidden-content']);

    await expect.poll(async () => sample((await scrape()).text, `csp_observer_verdicts_total{status="${verdict.status}"}`)).toBe(1);
    const after = (await scrape()).text;
    expect(sample(after, 'csp_observer_reports_received_total{channel="report-uri"}')).toBe(4);
    expect(sample(after, 'csp_observer_reports_stored_total{channel="report-uri"}')).toBe(2);
    expect(sample(after, 'csp_observer_reports_dropped_total{reason="filter"}')).toBe(1);
    expect(sample(after, 'csp_observer_reports_dropped_total{reason="rate-limit"}')).toBe(1);
    expect(sample(after, 'csp_observer_anomalies_total{kind="hidden-content"}')).toBe(1);
    // Four commits: three report POSTs and the tripwire batch, all committed.
    expect(sample(after, 'csp_observer_commit_duration_seconds_count{outcome="ok"}')).toBe(4);
    expect(sample(after, 'csp_observer_commit_duration_seconds_bucket{le="+Inf",outcome="ok"}')).toBe(4);
    expect(sample(after, 'csp_observer_write_queue_depth')).toBe(0);
  });

  it('answers 401 without credentials or with a wrong token, 403 while the admin is closed', async () => {
    await start({ admin: { token: TOKEN } });
    const anonymous = await scrape({});
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).not.toContain('csp_observer_');
    expect((await scrape({ Authorization: 'Bearer wrong-token-0123456789abcdef' })).status).toBe(401);
    await server!.close();
    server = undefined;
    await start({});
    expect((await scrape()).status).toBe(403);
  });

  it('admin.metricsToken opens the metrics alone, also with the admin closed', async () => {
    await start({ admin: { metricsToken: METRICS_TOKEN } });
    expect((await scrape({ Authorization: `Bearer ${METRICS_TOKEN}` })).status).toBe(200);
    expect((await scrape({})).status).toBe(401);
    expect((await scrape({ Authorization: `Bearer ${TOKEN}` })).status).toBe(401);
    const api = await fetch(`${server!.url}/csp/admin/api/overview`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(api.status).toBe(403);
  });
});

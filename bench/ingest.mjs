// Ingestion benchmark: realistic report-uri bodies at concurrency 32 against csp-observer on
// SQLite and against a bare Koa app answering 204, both in this run, with keep-alive
// connections and with a fresh connection per request. Prints rates, latencies, the ratio to
// the bare app, and rows stored vs 2xx answered.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mintSessionToken, openDatabase, ReportStore } from '@csp-observer/server';

const SECRET = 'bench-secret-0123456789abcdef';
const CONCURRENCY = 32;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 8000);
const WARMUP = 500;
const TIME_LIMIT_MS = 120_000;
const serverScript = fileURLToPath(new URL('./ingest-server.mjs', import.meta.url));

/** Bodies as Chromium sends them, with varying pages and blocked URLs. */
function body(i) {
  const kinds = [
    ['script-src-elem', 'inline'],
    ['script-src-elem', `https://cdn${i % 7}.ads.test/inject.js?v=${i}`],
    ['style-src-attr', 'inline'],
    ['script-src', 'eval'],
    ['img-src', `https://pixel${i % 13}.test/p.gif?uid=${i}`],
  ];
  const [directive, blocked] = kinds[i % kinds.length];
  return JSON.stringify({
    'csp-report': {
      'document-uri': `https://shop.test/products/${i % 500}?ref=mail`,
      referrer: 'https://shop.test/',
      'violated-directive': directive,
      'effective-directive': directive,
      'original-policy': `default-src 'self'; script-src 'self' 'nonce-${i}' 'report-sample'; report-uri /csp/report/x`,
      disposition: 'report',
      'blocked-uri': blocked,
      'line-number': 10 + (i % 90),
      'column-number': i % 40,
      'source-file': `https://shop.test/products/${i % 500}`,
      'status-code': 200,
      'script-sample': '',
    },
  });
}

async function startServer(mode, database) {
  const child = spawn(process.execPath, [serverScript, mode, database ?? '', SECRET], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const port = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /PORT=(\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
  return {
    port,
    pid: child.pid,
    /** Stops the server; resolves with its CPU milliseconds. */
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve(Number(/CPU=([\d.]+)/.exec(out)?.[1] ?? NaN)));
        child.kill('SIGTERM');
      }),
  };
}

function post(port, agent, path, payload) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: {
          'Content-Type': 'application/csp-report',
          'Content-Length': Buffer.byteLength(payload),
          ...(agent ? {} : { Connection: 'close' }),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
      },
    );
    req.on('error', () => resolve({ status: 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    req.end(payload);
  });
}

async function load(port, keepAlive, count, offset) {
  const agent = keepAlive ? new Agent({ keepAlive: true, maxSockets: CONCURRENCY }) : false;
  const tokens = Array.from({ length: 256 }, () => mintSessionToken(SECRET).token);
  const payloads = Array.from({ length: 1000 }, (_, i) => body(i + offset));
  const latencies = [];
  const statuses = new Map();
  let next = 0;
  let ok = 0;
  const deadline = Date.now() + TIME_LIMIT_MS;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count && Date.now() < deadline) {
        const i = next++;
        const { status, ms } = await post(port, agent, `/csp/report/${tokens[i % tokens.length]}`, payloads[i % payloads.length]);
        latencies.push(ms);
        if (status >= 200 && status < 300) ok++;
        else statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (agent) agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))];
  if (statuses.size) console.log(`  non-2xx answers: ${[...statuses].map(([s, n]) => `${s || 'network error'} x${n}`).join(', ')}`);
  return { sent: latencies.length, ok, rate: latencies.length / seconds, p50: pct(50), p99: pct(99) };
}

/** The server's CPU so far, read from /proc (Linux) so start-up is not counted per report. */
async function cpuOf(server) {
  try {
    const stat = (await import('node:fs')).readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(stat[11]) + Number(stat[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

async function measure(mode, keepAlive) {
  const dir = mkdtempSync(join(tmpdir(), 'cspo-bench-'));
  const database = join(dir, 'bench.sqlite');
  const server = await startServer(mode, database);
  try {
    await load(server.port, keepAlive, WARMUP, 0);
    const cpuBefore = await cpuOf(server);
    const result = await load(server.port, keepAlive, REQUESTS, WARMUP);
    result.cpuPerReport = ((await server.stop()) - cpuBefore) / result.sent;
    if (mode === 'observer') {
      const { db } = openDatabase(database);
      result.rows = (await new ReportStore(db).countReports()) - WARMUP;
      await db.destroy();
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const f = (n, digits = 0) => n.toFixed(digits).padStart(8);
console.log(`ingestion: ${REQUESTS} report-uri POSTs at concurrency ${CONCURRENCY} (after ${WARMUP} warm-up), SQLite, synchronous=FULL`);
console.log('mode         target     reports/s   p50 ms   p99 ms   ratio   server CPU/report   2xx   rows stored');
const results = [];
for (const [label, keepAlive] of [
  ['keep-alive', true],
  ['fresh-conn', false],
]) {
  const bare = await measure('bare', keepAlive);
  const nosave = await measure('nosave', keepAlive);
  const observer = await measure('observer', keepAlive);
  const ratio = observer.rate / bare.rate;
  results.push({ label, ratio, observer });
  const cpu = (r) => `${(r.cpuPerReport * 1000).toFixed(0).padStart(6)} us`;
  const row = (name, r, rows = '') =>
    console.log(`${label.padEnd(12)} ${name.padEnd(9)} ${f(r.rate)} ${f(r.p50, 2)} ${f(r.p99, 2)}   ${(r.rate / bare.rate).toFixed(2)}   ${cpu(r)}          ${String(r.ok).padStart(6)}  ${rows}`);
  row('bare', bare);
  row('no-save', nosave);
  row('observer', observer, `${String(observer.rows).padStart(6)}${observer.rows === observer.ok ? '' : '  LOST OR EXTRA ROWS'}`);
}
const worst = Math.min(...results.map((r) => r.ratio));
const worstP99 = Math.max(...results.map((r) => r.observer.p99));
console.log(`ingestion summary: worst ratio to bare ${worst.toFixed(2)} (target >= 0.70), worst p99 ${worstP99.toFixed(1)} ms (target < 30), rows == 2xx: ${results.every((r) => r.observer.rows === r.observer.ok)}`);

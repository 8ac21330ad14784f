// The ingestion benchmarks' shared parts: realistic report-uri bodies, a server in its own
// process (bench/ingest-server.mjs), a closed-loop load at fixed concurrency over one or more
// servers, and the rows stored after a run. Used by ingest.mjs and scale-out.mjs.
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mintSessionToken, openDatabase, ReportStore } from '@csp-observer/server/internals';

export const SECRET = 'bench-secret-0123456789abcdef';
export const CONCURRENCY = 32;
/**
 * Requests sent before measuring. 500 is the default; V8 is still compiling the servers' code
 * then, more of the observer's than of the bare app's. BENCH_WARMUP=20000 measures both warm.
 */
export const WARMUP = Number(process.env.BENCH_WARMUP ?? 500);
const TIME_LIMIT_MS = 120_000;
const serverScript = fileURLToPath(new URL('./ingest-server.mjs', import.meta.url));

/** Bodies as Chromium sends them, with varying pages and blocked URLs. */
export function body(i) {
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

export async function startServer(mode, database, { migrate = true } = {}) {
  const child = spawn(process.execPath, [serverScript, mode, database ?? '', SECRET, migrate ? 'migrate' : 'no-migrate'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const port = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /PORT=(\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
  let stopped = null;
  return {
    port,
    pid: child.pid,
    /** Stops the server (once, however often called); resolves with its CPU milliseconds. */
    stop: () =>
      (stopped ??= new Promise((resolve) => {
        child.once('exit', () => resolve(Number(/CPU=([\d.]+)/.exec(out)?.[1] ?? NaN)));
        child.kill('SIGTERM');
      })),
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

/** `count` POSTs at CONCURRENCY, spread over the servers' ports in turn. */
export async function load(ports, keepAlive, count, offset, signal) {
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
      while (next < count && Date.now() < deadline && !signal?.aborted) {
        const i = next++;
        const { status, ms } = await post(
          ports[i % ports.length],
          agent,
          `/csp/report/${tokens[i % tokens.length]}`,
          payloads[i % payloads.length],
        );
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
export function cpuOf(server) {
  try {
    const stat = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(stat[11]) + Number(stat[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** Reports stored in a database after a run. */
export async function storedRows(database) {
  const { db } = openDatabase(database);
  try {
    return await new ReportStore(db).countReports();
  } finally {
    await db.destroy();
  }
}

const pad = (n, digits = 0) => n.toFixed(digits).padStart(8);

/** One result row: rate, latencies, the ratio to a baseline, CPU per report, 2xx and rows. */
export function resultRow(label, name, r, baseline, rows = '') {
  const cpu = Number.isFinite(r.cpuPerReport) ? `${(r.cpuPerReport * 1000).toFixed(0).padStart(6)} us` : '       -';
  return `${label.padEnd(12)} ${name.padEnd(13)} ${pad(r.rate)} ${pad(r.p50, 2)} ${pad(r.p99, 2)}   ${(r.rate / baseline.rate).toFixed(2)}   ${cpu}          ${String(r.ok).padStart(6)}  ${rows}`;
}

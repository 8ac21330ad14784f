// The page-path benchmark (issue 20): what cspObserver() costs every page of the user's site.
// The same Koa app (bench/page-server.mjs) runs bare and behind the middleware, each in its own
// process; a closed loop of 32 keep-alive connections asks one of them for pages at a time, in
// interleaved rounds (bare, observer, observer, bare, ...), so drift on a shared machine hits both.
// Printed per page size: pages/s, p50/p99 latency, the ratio to the bare app, and the servers' CPU
// per page (from /proc), whose difference is what the middleware adds; beside it, a memory scan of
// the same page (indexOf('<') over its string, and Buffer.indexOf over its bytes), the floor of any
// rewrite. The 20 KB page is the one the issue's budget is about (>= 85% of bare).
// Run: `pnpm bench page` (after a build). BENCH_PAGE_ROUNDS (default 4) and BENCH_PAGE_SECONDS
// (default 1.5, per server per round) trade time for steadiness; BENCH_PAGE_SIZES picks sizes.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pageOf } from './page-fixture.mjs';

const ROUNDS = Number(process.env.BENCH_PAGE_ROUNDS ?? 4);
const SECONDS = Number(process.env.BENCH_PAGE_SECONDS ?? 1.5);
const CONCURRENCY = 32;
const SECRET = 'bench-secret-0123456789abcdef';
/**
 * The sweep: each size as the same page every time (the rewrite's plan is remembered) and as a page
 * that differs on every request (scanned every time); 2 MB streamed, as a file or template would be.
 */
const CASES = (process.env.BENCH_PAGE_SIZES ?? '2000,2000/fresh,20000,20000/fresh,200000,200000/fresh,2000000/stream')
  .split(',')
  .map((path) => ({ path: `/${path}`, size: Number(path.split('/')[0]), variant: path.split('/')[1] ?? 'same' }));
const serverScript = fileURLToPath(new URL('./page-server.mjs', import.meta.url));

async function startServer(mode) {
  const database = join(tmpdir(), `csp-observer-bench-page-${process.pid}-${mode}.sqlite`);
  const sizes = [...new Set(CASES.map((c) => c.size))].join(',');
  const child = spawn(process.execPath, [serverScript, mode, database, SECRET, sizes], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /PORT=(\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`the ${mode} server exited with ${code}`)));
  });
  return {
    mode,
    port,
    cpuMs: () => {
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return ((Number(stat[11]) + Number(stat[12])) * 1000) / 100;
    },
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          for (const suffix of ['', '-wal', '-shm']) rmSync(database + suffix, { force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

function get(port, agent, path) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const req = request({ host: '127.0.0.1', port, path, agent, headers: { Accept: 'text/html', 'Sec-Fetch-Dest': 'document' } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => (bytes += chunk.length));
      res.on('end', () => resolve({ ok: res.statusCode === 200, bytes, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    });
    req.on('error', () => resolve({ ok: false, bytes: 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    req.end();
  });
}

/** A closed loop at CONCURRENCY for `seconds`: pages answered, their latencies, the server's CPU. */
async function run(server, path, seconds) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies = [];
  let failed = 0;
  let bytes = 0;
  const cpuBefore = server.cpuMs();
  const started = process.hrtime.bigint();
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < deadline) {
        const r = await get(server.port, agent, path);
        latencies.push(r.ms);
        bytes = r.bytes;
        if (!r.ok) failed++;
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = server.cpuMs() - cpuBefore;
  agent.destroy();
  if (failed) throw new Error(`${server.mode} ${path}: ${failed} requests failed`);
  return { pages: latencies.length, elapsed, cpu, latencies, bytes };
}

/** The floor: a scan of the page in memory, in microseconds per page (median of 7). */
function floorOf(page) {
  const bytes = Buffer.from(page);
  const time = (fn) => {
    const samples = [];
    for (let s = 0; s < 7; s++) {
      const n = Math.max(1, Math.round(2_000_000 / page.length));
      const t = process.hrtime.bigint();
      for (let i = 0; i < n; i++) fn();
      samples.push(Number(process.hrtime.bigint() - t) / 1e3 / n);
    }
    return samples.sort((a, b) => a - b)[3];
  };
  let sink = 0;
  const stringScan = time(() => {
    for (let at = page.indexOf('<'); at !== -1; at = page.indexOf('<', at + 1)) sink++;
  });
  const byteScan = time(() => {
    for (let at = bytes.indexOf(60); at !== -1; at = bytes.indexOf(60, at + 1)) sink++;
  });
  return { stringScan, byteScan, sink };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
const fmt = (n, digits = 0, width = 8) => n.toFixed(digits).padStart(width);

const bare = await startServer('bare');
const observer = await startServer('observer');
console.log(`page path: ${CONCURRENCY} keep-alive connections, ${ROUNDS} interleaved rounds of ${SECONDS} s per server and size\n`);
console.log('page              server    pages/s   p50 ms   p99 ms   ratio   CPU/page   added CPU   floor: string scan  byte scan');
const summary = [];
try {
  for (const c of CASES) {
    // Warm both (V8 compiles the rewriter's hot code on the first pages).
    for (const server of [bare, observer]) await run(server, c.path, 0.5);
    const totals = new Map([bare, observer].map((s) => [s.mode, { pages: 0, elapsed: 0, cpu: 0, latencies: [], bytes: 0 }]));
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 ? [observer, bare] : [bare, observer];
      for (const server of order) {
        const r = await run(server, c.path, SECONDS);
        const t = totals.get(server.mode);
        t.pages += r.pages;
        t.elapsed += r.elapsed;
        t.cpu += r.cpu;
        t.bytes = r.bytes;
        for (const ms of r.latencies) t.latencies.push(ms);
      }
    }
    const floor = floorOf(pageOf(c.size));
    const kind = { same: ' same page', fresh: ' new page', stream: ' streamed' }[c.variant];
    const label = `${c.size >= 1e6 ? `${c.size / 1e6} MB` : `${c.size / 1e3} KB`}${kind}`;
    const b = totals.get('bare');
    const rateOf = (t) => t.pages / t.elapsed;
    const cpuPerPage = (t) => (t.cpu * 1000) / t.pages; // microseconds
    for (const [mode, t] of totals) {
      t.latencies.sort((x, y) => x - y);
      const added = mode === 'bare' ? '' : `${fmt(cpuPerPage(t) - cpuPerPage(b), 0, 7)} us`;
      const floorText = mode === 'bare' ? '' : `${fmt(floor.stringScan, 1, 14)} us  ${fmt(floor.byteScan, 1, 7)} us`;
      console.log(
        `${label.padEnd(22)}  ${mode.padEnd(8)} ${fmt(rateOf(t))} ${fmt(percentile(t.latencies, 50), 2)} ${fmt(percentile(t.latencies, 99), 2)}   ${(rateOf(t) / rateOf(b)).toFixed(2).padStart(5)}  ${fmt(cpuPerPage(t), 0, 6)} us  ${added.padStart(10)}  ${floorText}`,
      );
    }
    const o = totals.get('observer');
    summary.push({ label, ratio: rateOf(o) / rateOf(b), addedPerKb: (cpuPerPage(o) - cpuPerPage(b)) / (o.bytes / 1024) });
  }
} finally {
  await bare.stop();
  await observer.stop();
}
console.log(`\nadded CPU per KB of page: ${summary.map((s) => `${s.label} ${s.addedPerKb.toFixed(2)} us`).join(', ')}`);
for (const s of summary.filter((row) => row.label.startsWith('20 KB')))
  console.log(`${s.label}: the app keeps ${(s.ratio * 100).toFixed(0)}% of its bare pages/s (issue 20's budget: 85%)`);

// Ingestion benchmark: realistic report-uri bodies at concurrency 32 against csp-observer on
// SQLite and against a bare Koa app answering 204, both in this run, with keep-alive
// connections and with a fresh connection per request. Prints rates, latencies, the ratio to
// the bare app, and rows stored vs 2xx answered.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONCURRENCY, cpuOf, load, resultRow, startServer, storedRows, WARMUP } from './ingest-load.mjs';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 8000);

async function measure(mode, keepAlive) {
  const dir = mkdtempSync(join(tmpdir(), 'cspo-bench-'));
  const database = join(dir, 'bench.sqlite');
  const server = await startServer(mode, database);
  try {
    await load([server.port], keepAlive, WARMUP, 0);
    const cpuBefore = cpuOf(server);
    const result = await load([server.port], keepAlive, REQUESTS, WARMUP);
    result.cpuPerReport = ((await server.stop()) - cpuBefore) / result.sent;
    if (mode === 'observer') result.rows = (await storedRows(database)) - WARMUP;
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`ingestion: ${REQUESTS} report-uri POSTs at concurrency ${CONCURRENCY} (after ${WARMUP} warm-up), SQLite, synchronous=FULL`);
console.log('mode         target          reports/s   p50 ms   p99 ms   ratio   server CPU/report   2xx   rows stored');
const results = [];
for (const [label, keepAlive] of [
  ['keep-alive', true],
  ['fresh-conn', false],
]) {
  const bare = await measure('bare', keepAlive);
  const nosave = await measure('nosave', keepAlive);
  const observer = await measure('observer', keepAlive);
  results.push({ label, ratio: observer.rate / bare.rate, observer });
  console.log(resultRow(label, 'bare', bare, bare));
  console.log(resultRow(label, 'no-save', nosave, bare));
  console.log(resultRow(label, 'observer', observer, bare, `${String(observer.rows).padStart(6)}${observer.rows === observer.ok ? '' : '  LOST OR EXTRA ROWS'}`));
}
const worst = Math.min(...results.map((r) => r.ratio));
const worstP99 = Math.max(...results.map((r) => r.observer.p99));
console.log(`ingestion summary: worst ratio to bare ${worst.toFixed(2)} (target >= 0.70), worst p99 ${worstP99.toFixed(1)} ms (target < 30), rows == 2xx: ${results.every((r) => r.observer.rows === r.observer.ok)}`);

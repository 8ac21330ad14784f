// Ingestion benchmark: realistic report-uri bodies at concurrency 32 against csp-observer on
// SQLite and against a bare Koa app answering 204, with keep-alive connections and with a
// fresh connection per request. The machine's speed drifts between runs and within one, so the
// servers are measured in interleaved rounds (bare, no-save, observer, then again) and each
// ratio compares a round's observer with the same round's bare app; the median round is
// reported. Prints rates, latencies, CPU per report, ratios, and rows stored vs 2xx answered.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONCURRENCY, cpuOf, load, startServer, storedRows, WARMUP } from './ingest-load.mjs';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 8000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TARGETS = ['bare', 'nosave', 'observer'];
const LABELS = { bare: 'bare', nosave: 'no-save', observer: 'observer' };

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

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const pad = (value, width, digits = 0) => value.toFixed(digits).padStart(width);

console.log(
  `ingestion: ${REQUESTS} report-uri POSTs per server and round at concurrency ${CONCURRENCY} (after ${WARMUP} warm-up), ${ROUNDS} interleaved rounds, SQLite, synchronous=FULL`,
);
console.log('medians over the rounds; a ratio is observer / bare of the same round');
console.log(
  'mode         target       reports/s   p50 ms   p99 ms   ratio (per round)        server CPU/report   2xx/round   rows stored == 2xx',
);
const summary = [];
for (const [label, keepAlive] of [
  ['keep-alive', true],
  ['fresh-conn', false],
]) {
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const results = {};
    for (const mode of TARGETS) results[mode] = await measure(mode, keepAlive);
    rounds.push(results);
  }
  for (const mode of TARGETS) {
    const runs = rounds.map((round) => round[mode]);
    const ratios = rounds.map((round) => round[mode].rate / round.bare.rate);
    const lost = mode === 'observer' ? runs.filter((r) => r.rows !== r.ok).length : 0;
    const rows = mode === 'observer' ? (lost ? `NO: ${lost} round(s) lost or added rows` : 'yes') : '';
    console.log(
      `${label.padEnd(12)} ${LABELS[mode].padEnd(10)} ${pad(median(runs.map((r) => r.rate)), 11)} ${pad(median(runs.map((r) => r.p50)), 8, 2)} ${pad(median(runs.map((r) => r.p99)), 8, 2)}   ${pad(median(ratios), 4, 2)} (${ratios.map((x) => x.toFixed(2)).join(' ')})`.padEnd(
        88,
      ) + `${pad(median(runs.map((r) => r.cpuPerReport * 1000)), 6)} us   ${pad(median(runs.map((r) => r.ok)), 12)}   ${rows}`,
    );
  }
  const observer = rounds.map((round) => round.observer);
  summary.push({
    label,
    ratio: median(rounds.map((round) => round.observer.rate / round.bare.rate)),
    p99: Math.max(...observer.map((r) => r.p99)),
    complete: observer.every((r) => r.rows === r.ok),
  });
}
console.log(
  `ingestion summary: median ratio to bare ${summary.map((s) => `${s.label} ${s.ratio.toFixed(2)}`).join(', ')} (target >= 0.70); worst observer p99 ${Math.max(...summary.map((s) => s.p99)).toFixed(1)} ms (target < 30); rows == 2xx in every round: ${summary.every((s) => s.complete)}`,
);

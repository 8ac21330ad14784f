// Scale-out benchmark: the same ingestion load (report-uri POSTs at concurrency 32, keep-alive)
// against csp-observer on SQLite, on PostgreSQL with one process, and on PostgreSQL with two
// processes sharing the database (the load alternates between them, as a load balancer would),
// with a bare Koa app as the baseline, all in this run. PostgreSQL is a throwaway cluster with
// fsync on, as in production. Prints rates, latencies, ratios and rows stored vs 2xx answered.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@csp-observer/server';
import { startThrowawayCluster } from '../scripts/throwaway-postgres.mjs';
import { CONCURRENCY, cpuOf, load, resultRow, startServer, storedRows, WARMUP } from './ingest-load.mjs';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 6000);

const cluster = await startThrowawayCluster({ durable: true });
if (typeof cluster === 'string') {
  console.log(`scale-out: skipped: ${cluster}`);
  process.exit(0);
}

let databases = 0;
/** A fresh database on the cluster, for one configuration. */
async function freshPostgres() {
  const name = `cspo_bench_${++databases}`;
  const { db } = openDatabase(cluster.url);
  await db.raw(`create database ${name}`);
  await db.destroy();
  return cluster.url.replace(/\/postgres$/, `/${name}`);
}

/** Runs the load over `processes` servers on one database; the first migrates it, the others wait for it. */
async function measure(mode, database, processes) {
  const servers = [await startServer(mode, database)];
  for (let i = 1; i < processes; i++) servers.push(await startServer(mode, database, { migrate: false }));
  try {
    const ports = servers.map((server) => server.port);
    await load(ports, true, WARMUP, 0);
    const cpuBefore = servers.map(cpuOf);
    const result = await load(ports, true, REQUESTS, WARMUP);
    // The csp-observer processes' CPU (PostgreSQL's own is not in it).
    const cpu = await Promise.all(servers.map((server) => server.stop()));
    result.cpuPerReport = cpu.reduce((sum, ms, i) => sum + ms - cpuBefore[i], 0) / result.sent;
    if (mode === 'observer') result.rows = (await storedRows(database)) - WARMUP;
    return result;
  } finally {
    await Promise.allSettled(servers.map((server) => server.stop()));
  }
}

const dir = mkdtempSync(join(tmpdir(), 'cspo-bench-'));
try {
  console.log(`scale-out: ${REQUESTS} report-uri POSTs at concurrency ${CONCURRENCY}, keep-alive (after ${WARMUP} warm-up); PostgreSQL with fsync on`);
  console.log('mode         target          reports/s   p50 ms   p99 ms   ratio   server CPU/report   2xx   rows stored');
  const bare = await measure('bare', '', 1);
  console.log(resultRow('keep-alive', 'bare', bare, bare));
  const rows = [];
  for (const [name, database, processes] of [
    ['SQLite x1', join(dir, 'bench.sqlite'), 1],
    ['PostgreSQL x1', await freshPostgres(), 1],
    ['PostgreSQL x2', await freshPostgres(), 2],
  ]) {
    const result = await measure('observer', database, processes);
    rows.push({ name, result });
    console.log(resultRow('keep-alive', name, result, bare, `${String(result.rows).padStart(6)}${result.rows === result.ok ? '' : '  LOST OR EXTRA ROWS'}`));
  }
  const of = (name) => rows.find((row) => row.name === name).result.rate;
  console.log(
    `scale-out summary: PostgreSQL x1 / SQLite x1 = ${(of('PostgreSQL x1') / of('SQLite x1')).toFixed(2)}, PostgreSQL x2 / x1 = ${(of('PostgreSQL x2') / of('PostgreSQL x1')).toFixed(2)} (${CONCURRENCY} clients and both servers share this machine's cores), rows == 2xx: ${rows.every((row) => row.result.rows === row.result.ok)}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
  cluster.stop();
}

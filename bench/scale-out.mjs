// Scale-out benchmark: the same ingestion load (report-uri POSTs at concurrency 32, keep-alive)
// against csp-observer on SQLite, on PostgreSQL with one process, and on PostgreSQL with two
// processes sharing the database (the load alternates between them, as a load balancer would),
// with a bare Koa app as the baseline, all in this run. PostgreSQL is a throwaway cluster with
// fsync on, as in production. Prints rates, latencies, ratios and rows stored vs 2xx answered.
// Then retention on a big table: `csp-observer clean` deleting OLD_ROWS old reports (and a
// quarter as many sessions) in batches while the same load runs, against the load without it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '@csp-observer/server/internals';
import { startThrowawayCluster } from '../scripts/throwaway-postgres.mjs';
import { CONCURRENCY, cpuOf, load, resultRow, startServer, storedRows, WARMUP } from './ingest-load.mjs';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 6000);
const OLD_ROWS = Number(process.env.BENCH_OLD_ROWS ?? 200_000);
const BIN = fileURLToPath(new URL('../packages/server/bin/csp-observer.js', import.meta.url));

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

/** OLD_ROWS reports and a quarter as many sessions from a month ago, written in one statement each. */
async function preload(database) {
  const { db } = openDatabase(database);
  const at = Date.now() - 30 * 86400_000;
  const postgres = database.startsWith('postgres');
  const numbers = (n) =>
    postgres
      ? `generate_series(1, ${n}) AS n(i)`
      : `(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${n}) SELECT i FROM s) AS n`;
  try {
    await db.raw(
      `INSERT INTO cspo_reports (session_id, site, channel, report_type, received_at, document_uri, blocked_uri, effective_directive, violated_directive, original_policy, is_valid, raw)
       SELECT 'old' || (i % ${Math.ceil(OLD_ROWS / 4)}), '', 'report-uri', 'csp-violation', ?, 'https://old.test/page/' || i, 'inline', 'script-src-elem', 'script-src-elem', 'default-src ''self''', ${postgres ? 'true' : '1'}, '{}' FROM ${numbers(OLD_ROWS)}`,
      [at],
    );
    await db.raw(
      `INSERT INTO cspo_sessions (id, issued_at, first_seen_at, last_seen_at) SELECT 'old' || i, ?, ?, ? FROM ${numbers(Math.ceil(OLD_ROWS / 4))}`,
      [at, at, at],
    );
  } finally {
    await db.destroy();
  }
}

/** The load alone, then the load while `csp-observer clean` deletes the old rows in batches. */
async function retentionUnderLoad(name, database) {
  const server = await startServer('observer', database);
  try {
    await preload(database);
    await load([server.port], true, WARMUP, 0);
    const quiet = await load([server.port], true, 3000, WARMUP);
    const stop = new AbortController();
    const started = Date.now();
    const clean = spawn(process.execPath, [BIN, 'clean', '--db', database, '--days', '14', '--yes'], { stdio: 'ignore' });
    const cleaned = new Promise((resolve) => clean.once('exit', (code) => (stop.abort(), resolve({ code, ms: Date.now() - started }))));
    const during = await load([server.port], true, Number.MAX_SAFE_INTEGER, WARMUP + 3000, stop.signal);
    const { code, ms } = await cleaned;
    await server.stop();
    const rows = await storedRows(database);
    const expected = WARMUP + quiet.ok + during.ok;
    console.log(
      `retention    ${name.padEnd(13)} clean of ${OLD_ROWS} reports and ${Math.ceil(OLD_ROWS / 4)} sessions: ${(ms / 1000).toFixed(1)} s (exit ${code}); ` +
        `ingestion meanwhile ${during.rate.toFixed(0)}/s, p99 ${during.p99.toFixed(1)} ms (without clean ${quiet.rate.toFixed(0)}/s, p99 ${quiet.p99.toFixed(1)} ms), ` +
        `2xx ${during.ok}/${during.sent}, rows left == 2xx: ${rows === expected}`,
    );
  } finally {
    await server.stop();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'cspo-bench-'));
try {
  console.log(
    `scale-out: ${REQUESTS} report-uri POSTs at concurrency ${CONCURRENCY}, keep-alive (after ${WARMUP} warm-up); PostgreSQL with fsync on`,
  );
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
    console.log(
      resultRow(
        'keep-alive',
        name,
        result,
        bare,
        `${String(result.rows).padStart(6)}${result.rows === result.ok ? '' : '  LOST OR EXTRA ROWS'}`,
      ),
    );
  }
  const of = (name) => rows.find((row) => row.name === name).result.rate;
  console.log(
    `scale-out summary: PostgreSQL x1 / SQLite x1 = ${(of('PostgreSQL x1') / of('SQLite x1')).toFixed(2)}, PostgreSQL x2 / x1 = ${(of('PostgreSQL x2') / of('PostgreSQL x1')).toFixed(2)} (${CONCURRENCY} clients and both servers share this machine's cores), rows == 2xx: ${rows.every((row) => row.result.rows === row.result.ok)}`,
  );
  await retentionUnderLoad('SQLite', join(dir, 'retention.sqlite'));
  await retentionUnderLoad('PostgreSQL', await freshPostgres());
} finally {
  rmSync(dir, { recursive: true, force: true });
  cluster.stop();
}

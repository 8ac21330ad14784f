// Connections benchmark: `GET /csp/health` latency of `csp-observer serve` while it holds many
// idle connections (connected, never sending a byte: what a slow-headers flood looks like), as
// a ratio against the same server holding none, measured in this run. The server runs in its
// own process with its connection cap above the idle count and its headers timeout longer than
// the run (so the idle connections stay); the bench holds the idle sockets and sends the health
// checks, one at a time over one keep-alive connection.
//
// BENCH_IDLE (default 5000) idle connections, BENCH_HEALTH (default 2000) health checks per
// round, BENCH_ROUNDS (default 3) rounds of each; the median round is shown. Each side needs
// about BENCH_IDLE file descriptors: the bench raises its own soft limit (ulimit -n) to the
// hard one when it can and says so, and lowers BENCH_IDLE to fit when it cannot.
// Listens on 127.0.0.1 only, port BENCH_PORT (default 5541).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../packages/server/bin/csp-observer.js', import.meta.url));
const PORT = Number(process.env.BENCH_PORT ?? 5541);
const HEALTH = Number(process.env.BENCH_HEALTH ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** File descriptors each process keeps for itself besides the idle connections. */
const SPARE_FDS = 200;

/** The soft limit on open files: raised to the hard one through the shell when they differ. */
function fileLimit() {
  const soft = Number(execFileSync('sh', ['-c', 'ulimit -Sn']).toString().trim());
  const hard = execFileSync('sh', ['-c', 'ulimit -Hn']).toString().trim();
  return { soft, hard: hard === 'unlimited' ? Number.POSITIVE_INFINITY : Number(hard) };
}

const limits = fileLimit();
const wanted = Number(process.env.BENCH_IDLE ?? 5000);
// The server is started through `sh -c 'ulimit -n ...; exec node ...'`, so its limit can be raised to the hard one.
const serverLimit = Number.isFinite(limits.hard) ? limits.hard : Math.max(limits.soft, wanted + SPARE_FDS);
const IDLE = Math.min(wanted, limits.soft - SPARE_FDS, serverLimit - SPARE_FDS);
if (IDLE < wanted) console.log(`connections: ${wanted} idle connections do not fit in ulimit -n ${limits.soft}; measuring ${IDLE}`);
if (serverLimit > limits.soft) console.log(`connections: the server's ulimit -n is raised from ${limits.soft} to ${serverLimit}`);

const dir = mkdtempSync(join(tmpdir(), 'cspo-bench-connections-'));

/** `csp-observer serve` with a cap above IDLE and timeouts longer than the run. */
async function startServe() {
  const args = [
    BIN,
    'serve',
    '--port',
    String(PORT),
    '--db',
    join(dir, 'bench.sqlite'),
    '--max-connections',
    String(IDLE + 100),
    '--headers-timeout',
    '600',
    '--request-timeout',
    '600',
  ];
  const quoted = [process.execPath, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('sh', ['-c', `ulimit -n ${serverLimit} 2>/dev/null; exec ${quoted}`], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, CSP_OBSERVER_SECRET: 'bench-secret-0123456789abcdef' },
  });
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('listening on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
  return child;
}

/** `count` connections that connect and then say nothing. */
async function openIdle(count) {
  const sockets = [];
  // In batches: a burst of thousands of connects overflows the listen backlog.
  for (let i = 0; i < count; i += 200) {
    const batch = Array.from(
      { length: Math.min(200, count - i) },
      () =>
        new Promise((resolve, reject) => {
          const socket = connect(PORT, '127.0.0.1', () => resolve(socket));
          socket.once('error', reject);
        }),
    );
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function health() {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request({ host: '127.0.0.1', port: PORT, path: '/csp/health', agent }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`/csp/health answered ${res.statusCode}`));
        else resolve(Number(process.hrtime.bigint() - started) / 1e6);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** HEALTH sequential health checks: p50 and p99 in ms. */
async function round() {
  const times = [];
  for (let i = 0; i < HEALTH; i++) times.push(await health());
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length * 0.5)], p99: times[Math.floor(times.length * 0.99)] };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const server = await startServe();
try {
  for (let i = 0; i < 300; i++) await health(); // warm-up
  const idleRounds = [];
  const loadedRounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    idleRounds.push(await round());
    const sockets = await openIdle(IDLE);
    loadedRounds.push(await round());
    for (const socket of sockets) socket.destroy();
    // Let the server see them close before the next baseline round.
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const base = { p50: median(idleRounds.map((r) => r.p50)), p99: median(idleRounds.map((r) => r.p99)) };
  const loaded = { p50: median(loadedRounds.map((r) => r.p50)), p99: median(loadedRounds.map((r) => r.p99)) };
  const ratios = loadedRounds.map((r, i) => r.p50 / idleRounds[i].p50);
  console.log(`\n/csp/health latency of csp-observer serve, ${HEALTH} sequential checks a round, median of ${ROUNDS} rounds`);
  console.log('connections held          p50 ms   p99 ms   p50 ratio');
  console.log(`none (baseline)         ${base.p50.toFixed(3).padStart(8)} ${base.p99.toFixed(3).padStart(8)}        1.00`);
  console.log(
    `${`${IDLE} idle`.padEnd(22)}  ${loaded.p50.toFixed(3).padStart(8)} ${loaded.p99.toFixed(3).padStart(8)}   ${median(ratios).toFixed(2).padStart(9)} (${ratios.map((x) => x.toFixed(2)).join(' ')})`,
  );
} finally {
  agent.destroy();
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}

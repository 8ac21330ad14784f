// Abuse benchmark (issue 21): what hostile traffic costs, as ratios against a baseline measured in
// this run.
//
// 1. Rules. The rules in force are the shipped ones plus custom (untrusted) ones; each report
//    carries 4 KB in each of the fields rules read, made to let the custom rules' required text
//    through the prefilter. The baseline: the same reports against the shipped rules plus one plain
//    literal custom rule. The contenders: the costliest patterns the server still accepts (the
//    issue's, an automaton that explodes, bounded repeats just under the instruction cap, ten of
//    them), each timed per report as ingestion matches it, with how many reports ran out of budget.
// 2. Waits. A server in a child process (SQLite, default caps) and a crowd of long-polls from
//    ADDRESSES loopback addresses (127.0.0.x), PER_ADDRESS each, each for a page view of its own:
//    how many are held against the cap, how the rest are answered, the server's CPU while it holds
//    them, and /health latency while they are held against idle.
//
// BENCH_ABUSE_ROUNDS (5), BENCH_ABUSE_REPORTS (40 per round), BENCH_ABUSE_ADDRESSES (60),
// BENCH_ABUSE_PER_ADDRESS (110), BENCH_ABUSE_HEALTH (300 requests per measure). The server listens
// on 127.0.0.1, on the first free port from BENCH_ABUSE_PORT (5400).
import { fork } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

if (process.argv[2] === '--server') await serve();
else await main();

async function main() {
  const { parseRulesFile } = await import('@csp-observer/core');
  const { BUNDLED_RULES, compileRuleSet, MatchBudget, DEFAULT_MATCH_BUDGET, MAX_PATTERN_INSTRUCTIONS } = await import(
    '@csp-observer/server/internals'
  );
  const { RE2JS } = await import('re2js');
  const ROUNDS = Number(process.env.BENCH_ABUSE_ROUNDS ?? 5);
  const REPORTS = Number(process.env.BENCH_ABUSE_REPORTS ?? 40);
  const shipped = parseRulesFile(JSON.parse(readFileSync(BUNDLED_RULES, 'utf8'))).rules;

  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const text = (alphabet, length) => Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  const LEN = 4000;
  const BUDGET = DEFAULT_MATCH_BUDGET;
  const az = 'abcdefghijklmnopqrstuvwxyz';
  const tenBounded = Array.from({ length: 10 }, (_, i) => `(?:[a-p]|[q-z]){1,400}x${i}`);
  const tenBlowUps = Array.from({ length: 10 }, (_, i) => `(a|b)*a(a|b){40}c${i}`);
  const shapes = [
    { name: '(?:a|a){16}b', patterns: ['(?:a|a){16}b'], alphabet: 'a', tail: 'b' },
    { name: '(?:a|a){16}(?:a|a){4}b', patterns: ['(?:a|a){16}(?:a|a){4}b'], alphabet: 'a', tail: 'b' },
    { name: '(a|b)*a(a|b){12}c', patterns: ['(a|b)*a(a|b){12}c'], alphabet: 'ab', tail: 'c' },
    { name: '(a|b)*a(a|b){40}c', patterns: ['(a|b)*a(a|b){40}c'], alphabet: 'ab', tail: 'c' },
    { name: '(?:[a-p]|[q-z]){1,400}x0', patterns: [tenBounded[0]], alphabet: az, tail: 'x0' },
    { name: 'ten of (?:[a-p]|[q-z]){1,400}x<i>', patterns: tenBounded, alphabet: az, tail: tenBounded.map((_, i) => `x${i}`).join('') },
    { name: 'ten of (a|b)*a(a|b){40}c<i>', patterns: tenBlowUps, alphabet: 'ab', tail: tenBlowUps.map((_, i) => `c${i}`).join('') },
  ];
  const sizeOf = (p) => RE2JS.compile(p, RE2JS.CASE_INSENSITIVE).programSize();
  // Two ways to send each shape: 4 KB in every field a rule reads (the rule has the pattern in all
  // four), and a blocked URI just short enough for one run of the pattern to fit the budget (the
  // rule reads the blocked URI only): the most work one report can buy.
  const cases = shapes.flatMap((shape) => {
    const size = Math.max(...shape.patterns.map(sizeOf));
    const fitted = Math.floor(BUDGET / size) - shape.tail.length - 'https://x.test/'.length;
    return [
      { ...shape, size, fields: 'all', label: `${shape.name}, 4 fields of 4 KB`, lengths: { blockedUri: LEN, other: LEN } },
      ...(fitted > 0
        ? [
            {
              ...shape,
              size,
              fields: 'blockedUri',
              label: `${shape.name}, URI fitted to the budget`,
              lengths: { blockedUri: fitted, other: LEN },
            },
          ]
        : []),
    ];
  });
  const fieldsOf = (c, pattern) =>
    c.fields === 'all'
      ? { blockedUri: pattern, sourceFile: pattern, sample: pattern, documentUri: pattern }
      : { blockedUri: pattern, sourceFile: '', sample: '', documentUri: '' };
  const custom = (id, fields) => ({
    id: `custom:${id}`,
    cause: 'malware',
    title: id,
    shortDescription: '',
    longDescription: '',
    ignore: false,
    origin: 'custom',
    references: [],
    match: [{ ...fields, directive: '', policy: '', engine: '' }],
  });
  const reportOf = (c) => {
    const body = (length) => text(c.alphabet, length);
    return {
      documentUri: `https://shop.test/${body(c.lengths.other)}${c.tail}`,
      referrer: '',
      blockedUri: `https://x.test/${body(c.lengths.blockedUri)}${c.tail}`,
      effectiveDirective: 'script-src-elem',
      violatedDirective: 'script-src-elem',
      originalPolicy: "script-src 'self'",
      disposition: 'report',
      sourceFile: `https://x.test/${body(c.lengths.other)}${c.tail}`,
      lineNumber: 1,
      columnNumber: 1,
      statusCode: 200,
      sample: `${body(c.lengths.other)}${c.tail}`,
    };
  };
  for (const c of cases) {
    const rules = (budget) => compileRuleSet([...c.patterns.map((p, i) => custom(`${i}`, fieldsOf(c, p))), ...shipped], budget);
    c.budget = new MatchBudget(BUDGET);
    c.hostile = rules(c.budget);
    c.unbounded = rules(new MatchBudget(Number.POSITIVE_INFINITY));
    // The baseline: the same reports, the same shipped rules, and a plain literal custom rule in
    // the same fields (text that none of the reports holds: no regex runs for it).
    c.literal = compileRuleSet([custom('literal', fieldsOf(c, 'evil-cdn\\.test/x')), ...shipped], new MatchBudget(BUDGET));
    c.times = [];
    c.base = [];
    c.exhausted = 0;
    c.matched = 0;
  }
  const timePerReport = (matcher, reports) => {
    const start = performance.now();
    for (const r of reports) matcher.match(r, '');
    return (performance.now() - start) / reports.length;
  };
  // Each round: fresh reports for every case (new strings, new automaton states), each matched by
  // the hostile rules and the baseline in turn (the order turns every round).
  for (let round = 0; round <= ROUNDS; round++) {
    for (const c of cases) {
      const reports = Array.from({ length: REPORTS }, () => reportOf(c));
      const before = c.budget.exhaustedReports;
      const pair = round % 2 === 0 ? ['hostile', 'literal'] : ['literal', 'hostile'];
      const times = {};
      for (const which of pair) times[which] = timePerReport(c[which], reports);
      if (round === 0) continue; // warm-up
      c.times.push(times.hostile);
      c.base.push(times.literal);
      c.exhausted += c.budget.exhaustedReports - before;
      if (c.hostile.match(reports[0], '')) c.matched += 1;
    }
  }
  // Without the budget, for information: a few reports, once (RE2 alone is linear, not cheap).
  for (const c of cases) {
    const reports = Array.from({ length: 3 }, () => reportOf(c));
    c.unboundedMs = timePerReport(c.unbounded, reports);
  }
  const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  console.log(
    `\nabuse, rules: ${REPORTS} reports x ${ROUNDS} rounds per case; the ${shipped.length} shipped rules plus the custom ones; budget ${BUDGET.toLocaleString('en')} units a report, patterns up to ${MAX_PATTERN_INSTRUCTIONS} instructions`,
  );
  console.log(
    `  ${'custom rules, reports'.padEnd(58)} ${'instr.'.padStart(8)} ${'baseline'.padStart(10)} ${'hostile'.padStart(10)} ${'ratio'.padStart(7)}  out of budget  matched  ${'no budget'.padStart(10)}`,
  );
  let worst = null;
  for (const c of cases) {
    c.ratio = median(c.times.map((t, i) => t / c.base[i]));
    if (!worst || c.ratio > worst.ratio) worst = c;
    const sizes = c.patterns.length > 1 ? `${c.patterns.length}x${c.size}` : String(c.size);
    console.log(
      `  ${c.label.padEnd(58)} ${sizes.padStart(8)} ${`${median(c.base).toFixed(3)} ms`.padStart(10)} ${`${median(c.times).toFixed(3)} ms`.padStart(10)} ${`${c.ratio.toFixed(2)}x`.padStart(7)}  ${`${c.exhausted}/${REPORTS * ROUNDS}`.padStart(13)}  ${`${c.matched}/${ROUNDS}`.padStart(7)}  ${`${c.unboundedMs.toFixed(2)} ms`.padStart(10)}`,
    );
  }
  console.log(
    `  worst accepted: ${worst.label}: ${median(worst.times).toFixed(3)} ms a report, ${worst.ratio.toFixed(2)}x the plain literal rule on the same reports (rounds: ${worst.times
      .map((t, i) => (t / worst.base[i]).toFixed(2))
      .join(', ')})`,
  );

  await waits();
}

async function waits() {
  const ADDRESSES = Number(process.env.BENCH_ABUSE_ADDRESSES ?? 60);
  const PER_ADDRESS = Number(process.env.BENCH_ABUSE_PER_ADDRESS ?? 110);
  const HEALTH = Number(process.env.BENCH_ABUSE_HEALTH ?? 300);
  const { mintSessionToken } = await import('@csp-observer/server/internals');
  const dir = mkdtempSync(join(tmpdir(), 'cspo-abuse-'));
  const secret = 'abuse-bench-secret-0123456789';
  const child = fork(fileURLToPath(import.meta.url), ['--server', join(dir, 'abuse.sqlite'), secret], { stdio: 'inherit' });
  const ask = (message) =>
    new Promise((resolve) => {
      child.once('message', resolve);
      child.send(message);
    });
  const { port, caps } = await new Promise((resolve) => child.once('message', resolve));

  /** GET on a connection of its own from `localAddress`; resolves with the status (or an error code) when answered. */
  const get = (path, localAddress = '127.0.0.1', onResponse) =>
    new Promise((resolve) => {
      const req = request({ host: '127.0.0.1', port, path, localAddress, agent: false }, (res) => {
        onResponse?.(req);
        res.resume();
        res.on('end', () => resolve(res.statusCode));
        res.on('error', () => resolve(res.statusCode));
      });
      req.on('error', (error) => resolve(error.code ?? 'error'));
      req.end();
    });
  const healthMs = async () => {
    const times = [];
    for (let i = 0; i < HEALTH; i++) {
      const start = performance.now();
      await get('/csp/health');
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return { p50: times[Math.floor(times.length / 2)], p99: times[Math.floor(times.length * 0.99)] };
  };
  const cpuOver = async (ms) => {
    const before = await ask('cpu');
    await new Promise((resolve) => setTimeout(resolve, ms));
    const after = await ask('cpu');
    return (after.cpu - before.cpu) / ms;
  };

  await healthMs(); // warm-up
  const idleBefore = await healthMs();
  const idleCpu = await cpuOver(2000);

  // The crowd: one page view per request, the version each already has, held up to 20 s.
  const tokens = Array.from({ length: ADDRESSES * PER_ADDRESS }, () => mintSessionToken(secret).token);
  const first = await new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: `/csp/verdict/${tokens[0]}` }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(JSON.parse(body).version));
    });
    req.end();
  });
  // A page view with no evidence has the same verdict as any other: one version serves all.
  const answers = new Map();
  const open = [];
  const launched = performance.now();
  for (let i = 0; i < tokens.length; i++) {
    const address = `127.0.0.${2 + (i % ADDRESSES)}`;
    open.push(
      get(`/csp/verdict/${tokens[i]}?after=${first}&wait=20000`, address).then((status) => {
        answers.set(status, (answers.get(status) ?? 0) + 1);
      }),
    );
    if (i % 200 === 199) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const answered = () => [...answers.values()].reduce((a, b) => a + b, 0);
  // Until every refused request was answered (the held ones stay out).
  let held = 0;
  for (let tries = 0; tries < 200; tries++) {
    held = (await ask('held')).held;
    if (answered() + held >= tokens.length) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const refused = Object.fromEntries([...answers].sort());
  // The server's CPU in 1 s windows: the held requests' first reads, then (no busy loop) nothing.
  const heldCpu = [];
  for (let i = 0; i < 6; i++) {
    heldCpu.push(await cpuOver(1000));
    if (heldCpu[heldCpu.length - 1] < 0.02) break;
  }
  const loaded = await healthMs();
  const heldAfter = (await ask('held')).held;
  // The holds all end 20 s after they came: /health across that moment.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, launched + 19_700 - performance.now())));
  const ending = await healthMs();
  for (let tries = 0; tries < 200 && answered() < tokens.length; tries++) await new Promise((resolve) => setTimeout(resolve, 50));
  const total = Object.fromEntries([...answers].sort());
  const idleAfter = await healthMs();
  // Idle is measured before the crowd and after it is gone; the baseline is their mean.
  const idle = { p50: (idleBefore.p50 + idleAfter.p50) / 2, p99: (idleBefore.p99 + idleAfter.p99) / 2 };

  console.log(
    `\nabuse, waits: ${tokens.length.toLocaleString('en')} long-polls (wait=20000) from ${ADDRESSES} addresses, ${PER_ADDRESS} each, one page view each; caps: ${caps.total} in total, ${caps.perIp} per address, ${caps.perSession} per page view`,
  );
  const list = (counts) =>
    Object.entries(counts)
      .map(([status, n]) => `${n.toLocaleString('en')} x ${status}`)
      .join(', ');
  console.log(
    `  held                         ${held.toLocaleString('en')} of a cap of ${caps.total.toLocaleString('en')} (${heldAfter.toLocaleString('en')} still held after the /health run)`,
  );
  console.log(`  answered at once             ${list(refused)}`);
  console.log(`  answered in all              ${list(total)}`);
  console.log(`  server CPU, idle             ${(idleCpu * 100).toFixed(1)}% of a core`);
  console.log(
    `  server CPU, holding          ${heldCpu.map((cpu) => `${(cpu * 100).toFixed(1)}%`).join(', ')} of a core (1 s windows, one after another)`,
  );
  const row = (label, m) =>
    console.log(
      `  ${label.padEnd(28)} p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms${m === idle ? ` (${HEALTH} requests, one at a time)` : `: ${(m.p50 / idle.p50).toFixed(2)}x idle at p50, ${(m.p99 / idle.p99).toFixed(2)}x at p99`}`,
    );
  row('/health idle', idle);
  console.log(
    `  ${''.padEnd(28)} (before the crowd p50 ${idleBefore.p50.toFixed(2)} ms, p99 ${idleBefore.p99.toFixed(2)} ms; after it p50 ${idleAfter.p50.toFixed(2)} ms, p99 ${idleAfter.p99.toFixed(2)} ms)`,
  );
  row('/health while held', loaded);
  row('/health as the holds end', ending);

  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}

/** The child: the standalone app on SQLite, default caps, on the first free port from BENCH_ABUSE_PORT. */
async function serve() {
  const [database, secret] = process.argv.slice(3);
  const { createServer } = await import('node:http');
  const { createStandaloneApp } = await import('@csp-observer/server');
  const { app, observer } = createStandaloneApp({ secret, database, log: false, logger: { info() {}, warn() {}, error: console.error } });
  await observer.ready;
  const server = createServer({ keepAliveTimeout: 10_000, maxHeadersCount: 100 }, app.callback());
  server.maxConnections = 20_000;
  let port = Number(process.env.BENCH_ABUSE_PORT ?? 5400);
  for (;;) {
    const error = await new Promise((resolve) => {
      server.once('error', resolve);
      server.listen(port, '127.0.0.1', () => resolve(null));
    });
    if (!error) break;
    if (error.code !== 'EADDRINUSE' || port >= 5499) throw error;
    port++;
  }
  process.on('message', (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send({ cpu: (user + system) / 1000 });
    } else if (message === 'held') process.send({ held: observer.waiters.size });
  });
  process.once('SIGTERM', async () => {
    server.closeAllConnections();
    server.close();
    await observer.close();
    process.exit(0);
  });
  process.send({ port, caps: observer.waiters.caps });
}

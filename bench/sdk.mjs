// SDK budgets: the size of {prefix}/sdk.js (raw and gzipped, against its 10 KiB budget) and the
// main-thread time the SDK costs a page in Chromium, against the same page served without the
// SDK in the same run. Prints figures; asserts nothing.
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import Koa from 'koa';
import { chromium } from 'playwright-core';
import { cspObserver } from '@csp-observer/server';

const BUDGET_BYTES = 10 * 1024;
const RUNS = Number(process.env.BENCH_SDK_RUNS ?? 8);
/** Metrics are read this long after `load`: the verdict is final and the popup drawn by then. */
const SETTLE_MS = 2500;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SECRET = 'bench-secret-0123456789abcdef';

// 1. Size, as the server serves it (gzip level 9).
const bundle = readFileSync(fileURLToPath(new URL('../packages/sdk/dist/csp-observer.js', import.meta.url)));
const gzipped = gzipSync(bundle, { level: 9 }).length;
console.log('sdk.js size (packages/sdk/dist/csp-observer.js, popup included)');
console.log(
  `  raw ${bundle.length} B, gzip -9 ${gzipped} B = ${(gzipped / 1024).toFixed(2)} KiB: ${((100 * gzipped) / BUDGET_BYTES).toFixed(1)}% of the ${BUDGET_BYTES / 1024} KiB budget`,
);

// 2. Main-thread time: one page, served with and without the SDK by two observers on one database.
/** A page with work of its own, so that the SDK's share is measured against something real. */
const page = (nonce) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title></head><body>
<h1>Products</h1><ul id="list"></ul>
<script nonce="${nonce}">
  const list = document.getElementById('list');
  for (let i = 0; i < 400; i++) { const li = document.createElement('li'); li.textContent = 'Product ' + i; list.append(li); }
  let x = 0; for (let i = 0; i < 2e5; i++) x += Math.sqrt(i); document.title = 'bench ' + Math.round(x);
</script></body></html>`;

const dir = mkdtempSync(join(tmpdir(), 'cspo-bench-sdk-'));
const database = join(dir, 'bench.sqlite');
async function serve(injectSdk) {
  const observer = cspObserver({ secret: SECRET, database, injectSdk, log: false, popup: 'always' });
  const app = new Koa();
  app.use(observer);
  app.use((ctx) => {
    ctx.type = 'html';
    ctx.body = page(ctx.state.cspNonce);
  });
  await observer.ready;
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: async () => (server.closeAllConnections(), server.close(), await observer.close()),
  };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Script and task time of one page view (CDP Performance metrics), and its long tasks. */
async function measure(browser, url) {
  const context = await browser.newContext();
  const tab = await context.newPage();
  const cdp = await context.newCDPSession(tab);
  await cdp.send('Performance.enable');
  await tab.goto(url, { waitUntil: 'load' });
  await tab.waitForTimeout(SETTLE_MS);
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name) => metrics.find((m) => m.name === name)?.value ?? 0;
  const longTasks = await tab.evaluate(
    () =>
      new Promise((resolve) => {
        const seen = [];
        new PerformanceObserver((list) => seen.push(...list.getEntries().map((e) => e.duration))).observe({
          type: 'longtask',
          buffered: true,
        });
        setTimeout(() => resolve(seen), 0);
      }),
  );
  await context.close();
  return { script: metric('ScriptDuration') * 1000, task: metric('TaskDuration') * 1000, longTasks };
}

/** The SDK's own work in a trace: its evaluation at start-up, and every later call into it. */
async function traceSdk(browser, url) {
  const context = await browser.newContext();
  const tab = await context.newPage();
  await browser.startTracing(tab, { categories: ['devtools.timeline', 'v8'] });
  await tab.goto(url, { waitUntil: 'load' });
  await tab.waitForTimeout(SETTLE_MS);
  const trace = JSON.parse((await browser.stopTracing()).toString());
  await context.close();
  const ours = (e) => String(e.args?.data?.url ?? e.args?.data?.scriptName ?? e.args?.fileName ?? '').includes('/csp/sdk.js');
  const events = trace.traceEvents.filter((e) => e.ph === 'X' && typeof e.dur === 'number' && ours(e));
  const startup = events.filter((e) => e.name === 'EvaluateScript').reduce((sum, e) => sum + e.dur, 0) / 1000;
  const calls = events.filter((e) => e.name === 'FunctionCall').reduce((sum, e) => sum + e.dur, 0) / 1000;
  const longest = Math.max(0, ...events.map((e) => e.dur / 1000));
  return { startup, calls, longest };
}

const withSdk = await serve(true);
const without = await serve(false);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  // One warm-up view of each, then alternate, so that both see the same machine.
  await measure(browser, withSdk.url);
  await measure(browser, without.url);
  const a = [];
  const b = [];
  for (let i = 0; i < RUNS; i++) {
    a.push(await measure(browser, withSdk.url));
    b.push(await measure(browser, without.url));
  }
  const traces = [];
  for (let i = 0; i < Math.max(3, RUNS >> 1); i++) traces.push(await traceSdk(browser, withSdk.url));

  const scriptWith = median(a.map((m) => m.script));
  const scriptWithout = median(b.map((m) => m.script));
  const taskWith = median(a.map((m) => m.task));
  const taskWithout = median(b.map((m) => m.task));
  const longWith = a.flatMap((m) => m.longTasks);
  const longWithout = b.flatMap((m) => m.longTasks);
  console.log(
    `\nmain thread in Chromium, median of ${RUNS} page views each (same page, same run; ${SETTLE_MS} ms after load, popup drawn)`,
  );
  console.log(
    `  script time: with the SDK ${scriptWith.toFixed(1)} ms, without ${scriptWithout.toFixed(1)} ms: SDK ${(scriptWith - scriptWithout).toFixed(1)} ms (x${(scriptWith / scriptWithout).toFixed(2)})`,
  );
  console.log(
    `  task time:   with the SDK ${taskWith.toFixed(1)} ms, without ${taskWithout.toFixed(1)} ms: SDK ${(taskWith - taskWithout).toFixed(1)} ms (x${(taskWith / taskWithout).toFixed(2)})`,
  );
  console.log(
    `  SDK start-up (evaluation of sdk.js while <head> is parsed, traced): median ${median(traces.map((t) => t.startup)).toFixed(2)} ms`,
  );
  console.log(
    `  later calls into the SDK (timers, listeners, fetch callbacks, traced): median ${median(traces.map((t) => t.calls)).toFixed(2)} ms`,
  );
  console.log(`  longest single SDK task: ${Math.max(...traces.map((t) => t.longest)).toFixed(2)} ms (a long task is > 50 ms)`);
  console.log(`  long tasks (> 50 ms) per page view: with the SDK ${longWith.length / RUNS}, without ${longWithout.length / RUNS}`);
} finally {
  await browser.close();
  await withSdk.close();
  await without.close();
  rmSync(dir, { recursive: true, force: true });
}

// One server of the page-path benchmark, in its own process: a Koa app serving the benchmark's
// page (bench/page-fixture.mjs), `bare` or behind `observer` (cspObserver() with its defaults,
// SQLite in a temporary file, logging off). Every page size is served at /SIZE (a string body, the
// same text every time, as a static or cached page), /SIZE/fresh (a string body that differs on
// every request, as a page rendered with a CSRF token) and /SIZE/stream (a stream body in 64 KiB
// chunks, as a file or a template engine would give it).
// Prints its port; on SIGTERM stops.
import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import Koa from 'koa';
import { cspObserver } from '@csp-observer/server';
import { pageOf } from './page-fixture.mjs';

const [mode, database, secret, sizesArgument] = process.argv.slice(2);
const pages = new Map(sizesArgument.split(',').map((size) => [size, pageOf(Number(size))]));
const CHUNK = 64 * 1024;

const app = new Koa();
let observer = null;
if (mode === 'observer') {
  observer = cspObserver({
    secret,
    database,
    logger: { info() {}, warn() {}, error() {} },
    ...JSON.parse(process.env.BENCH_PAGE_OPTIONS ?? '{}'),
  });
  await observer.ready;
  app.use(observer);
}
let served = 0;
app.use(async (ctx) => {
  const [, size, variant] = ctx.path.split('/');
  const page = pages.get(size);
  if (!page) return;
  ctx.type = 'html';
  if (variant === undefined) ctx.body = page;
  else if (variant === 'fresh') {
    // A page rendered for this request: a token in <head> makes every one differ.
    ctx.body = page.replace('<meta charset="utf-8">', `<meta charset="utf-8">\n<meta name="csrf-token" content="t${++served}">`);
  } else {
    const bytes = Buffer.from(page);
    ctx.body = Readable.from(
      (function* () {
        for (let at = 0; at < bytes.length; at += CHUNK) yield bytes.subarray(at, at + CHUNK);
      })(),
      { objectMode: false },
    );
  }
});
const server = createServer({ keepAliveTimeout: 10_000 }, app.callback());
server.listen(0, '127.0.0.1', () => process.stdout.write(`PORT=${server.address().port}\n`));
process.once('SIGTERM', async () => {
  server.close();
  server.closeAllConnections();
  await observer?.close();
  process.exit(0);
});

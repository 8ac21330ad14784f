// One server of the page-path benchmark, in its own process: a Koa app serving the benchmark's
// page (bench/page-fixture.mjs), `bare` or behind `observer` (cspObserver() with its defaults,
// SQLite in a temporary file, logging off). Every page size is served at /SIZE (a string body) and
// /SIZE/stream (a stream body in 64 KiB chunks, as a file or a template engine would give it).
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
  observer = cspObserver({ secret, database, logger: { info() {}, warn() {}, error() {} } });
  await observer.ready;
  app.use(observer);
}
app.use(async (ctx) => {
  const [, size, stream] = ctx.path.split('/');
  const page = pages.get(size);
  if (!page) return;
  ctx.type = 'html';
  if (stream !== 'stream') ctx.body = page;
  else {
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

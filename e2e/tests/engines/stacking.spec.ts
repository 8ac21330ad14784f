import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type CspObserverMiddleware, cspObserver } from '@csp-observer/server';
import Koa from 'koa';
import compress from 'koa-compress';
import conditional from 'koa-conditional-get';
import etag from 'koa-etag';
import { expect, test } from '../support/engine-fixtures.js';

/**
 * A page under an enforced nonce-only policy, behind the middleware people stack after
 * cspObserver(): koa-compress (the page comes back compressed and is rewritten inside its coding)
 * and koa-etag with koa-conditional-get. In each engine the page's own inline script must run,
 * which it only does when the policy's nonce and the page's agree, on the first load and the next.
 */

const tmp = fileURLToPath(new URL('../../.tmp/', import.meta.url));
const PAGE = `<!doctype html><html lang="en"><head><title>Stacked</title></head><body><h1>A page compressed after the rewrite</h1>
<p>${'Some text to compress. '.repeat(200)}</p>
<script>document.documentElement.setAttribute('data-ran', String(Number(document.documentElement.getAttribute('data-ran') || 0) + 1));</script>
</body></html>`;

let server: Server;
let observer: CspObserverMiddleware;
let origin: string;
const codings: string[] = [];

test.beforeAll(async () => {
  observer = cspObserver({
    secret: 'e2e-stacking-secret-0123456789',
    database: `${tmp}stacking-${process.pid}-${Date.now()}.sqlite`,
    reportOnly: false,
    policy: { 'default-src': ["'self'"], 'script-src': [], 'style-src': ["'self'"] },
    nonces: { script: true, style: false },
    popup: 'always',
    logger: { info() {}, warn() {}, error: (...args: unknown[]) => console.error(...args) },
  });
  const app = new Koa();
  app.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/') codings.push(String(ctx.response.get('Content-Encoding') ?? ''));
  });
  app.use(observer);
  app.use(compress({ threshold: 0 }));
  app.use(conditional());
  app.use(etag());
  app.use((ctx) => {
    if (ctx.path !== '/') return;
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = PAGE;
  });
  await observer.ready;
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await observer.close();
});

test('koa-compress and koa-etag mounted after cspObserver: the page is compressed, its scripts run under the enforced policy, twice', async ({
  visitor,
}) => {
  for (let load = 1; load <= 2; load++) {
    await visitor.open(`${origin}/`);
    expect(await visitor.run<string | null>("return document.documentElement.getAttribute('data-ran');")).toBe('1');
    await expect.poll(() => visitor.popupStatus()).toBe('No problems detected');
  }
  // The browser asked for a compressed page and got one (gzip or br, as the engine prefers).
  expect(codings.length).toBeGreaterThanOrEqual(2);
  for (const coding of codings) expect(coding).toMatch(/^(gzip|br|deflate|zstd)$/);
});

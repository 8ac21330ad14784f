import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type Router from '@koa/router';
import { cachedAsset, sendCachedAsset, type CachedAsset } from '../http/cached-asset.js';

/** The built SDK, read once at start-up, with its gzip form and an ETag. */
export type SdkAsset = CachedAsset;

/** Loads `@csp-observer/sdk/browser`; a missing build is a start-up error that says what to run. */
export function loadSdkAsset(): SdkAsset {
  const require = createRequire(import.meta.url);
  let path: string;
  try {
    path = require.resolve('@csp-observer/sdk/browser');
  } catch {
    throw new Error('csp-observer: the SDK package @csp-observer/sdk is not installed');
  }
  let body: Buffer;
  try {
    body = readFileSync(path);
  } catch {
    throw new Error(`csp-observer: the SDK bundle ${path} is missing; build it with "pnpm build"`);
  }
  return cachedAsset(body);
}

/** `GET {prefix}/sdk.js`: cacheable, revalidated by ETag, gzip when the client accepts it. */
export function sdkRoute(router: Router, asset: SdkAsset): void {
  router.get('/sdk.js', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300, must-revalidate');
    ctx.set('X-Content-Type-Options', 'nosniff');
    // A site may load the SDK from a central collector on another origin.
    ctx.set('Cross-Origin-Resource-Policy', 'cross-origin');
    ctx.type = 'application/javascript; charset=utf-8';
    sendCachedAsset(ctx, asset);
  });
}

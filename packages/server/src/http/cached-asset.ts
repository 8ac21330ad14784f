import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Context } from 'koa';

/** A file served from memory: its bytes, their gzip form (null when not worth it) and an ETag. */
export interface CachedAsset {
  body: Buffer;
  gzip: Buffer | null;
  etag: string;
}

/** Prepares a file once, at load: the ETag and the gzip form are computed here, not per request. */
export function cachedAsset(body: Buffer, compress = true): CachedAsset {
  return {
    body,
    gzip: compress ? gzipSync(body, { level: 9 }) : null,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
  };
}

/** Answers 304 when the client has this version, else the body, gzipped when the client accepts it. */
export function sendCachedAsset(ctx: Context, asset: CachedAsset): void {
  ctx.set('ETag', asset.etag);
  ctx.set('Vary', 'Accept-Encoding');
  if (ctx.get('If-None-Match') === asset.etag) {
    ctx.status = 304;
    return;
  }
  if (asset.gzip && ctx.acceptsEncodings('gzip', 'identity') === 'gzip') {
    ctx.set('Content-Encoding', 'gzip');
    ctx.body = asset.gzip;
  } else {
    ctx.body = asset.body;
  }
}

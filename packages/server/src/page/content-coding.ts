import type { Transform } from 'node:stream';
import zlib from 'node:zlib';

/**
 * The content codings the page middleware can undo and redo, for a page that comes back to it
 * already compressed: a compression middleware mounted after it (inside it), or a precompressed
 * file (koa-static's `index.html.gz`). Re-encoding uses the settings koa-compress uses by default
 * (gzip and deflate at zlib's default level, Brotli at quality 4), so the page costs what it would
 * have cost compressed once, plus the decompression.
 */
export interface ContentCoding {
  /** The coding as the response names it. */
  name: string;
  decoder(): Transform;
  encoder(): Transform;
}

type ZlibWithZstd = typeof zlib & { createZstdDecompress?: () => Transform; createZstdCompress?: () => Transform };
const z = zlib as ZlibWithZstd;

const CODINGS: Record<string, Omit<ContentCoding, 'name'>> = {
  gzip: { decoder: () => zlib.createGunzip(), encoder: () => zlib.createGzip() },
  'x-gzip': { decoder: () => zlib.createGunzip(), encoder: () => zlib.createGzip() },
  deflate: { decoder: () => zlib.createInflate(), encoder: () => zlib.createDeflate() },
  br: {
    decoder: () => zlib.createBrotliDecompress(),
    encoder: () => zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } }),
  },
  // Node 22.15+ and 23.8+ have zstd; koa-compress uses it where Node has it.
  ...(z.createZstdDecompress && z.createZstdCompress
    ? { zstd: { decoder: () => z.createZstdDecompress!(), encoder: () => z.createZstdCompress!() } }
    : {}),
};

/**
 * The coding of a `Content-Encoding` value: `identity` (or nothing) as null, a coding this server
 * can undo and redo, or `undefined` when it cannot (an unknown coding, or several stacked).
 */
export function contentCoding(header: string): ContentCoding | null | undefined {
  const name = header.trim().toLowerCase();
  if (name === '' || name === 'identity') return null;
  const coding = CODINGS[name];
  return coding ? { name, ...coding } : undefined;
}

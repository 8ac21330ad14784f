import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import zlib from 'node:zlib';
import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import compress from 'koa-compress';
import conditional from 'koa-conditional-get';
import etag from 'koa-etag';
import helmet from 'koa-helmet';
import serve from 'koa-static';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cspObserver } from '../src/observer.js';
import type { CspObserverOptions } from '../src/options/options.js';
import { testDatabases } from './support/databases.js';
import { memoryLogger, SECRET } from './support/test-server.js';

/**
 * The page middleware among the middleware people stack around it, each the real package: what a
 * browser gets must pair the policy's nonce with the page's, or carry no policy of ours at all.
 */

const PAGE = `<!doctype html><html><head><title>t</title><script src="/app.js"></script></head><body><p>${'text '.repeat(400)}</p><script>go()</script></body></html>`;
const REPORT_ONLY = 'content-security-policy-report-only';
const ENFORCED = 'content-security-policy';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request with exactly these headers, the body as sent (not decompressed). */
function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const NAVIGATION = { Accept: 'text/html,application/xhtml+xml', 'Sec-Fetch-Dest': 'document' };

function decoded(answer: Answer): string {
  const coding = answer.headers['content-encoding'];
  if (coding === 'gzip') return zlib.gunzipSync(answer.body).toString('utf8');
  if (coding === 'br') return zlib.brotliDecompressSync(answer.body).toString('utf8');
  return answer.body.toString('utf8');
}

/** The nonce of our policy in `header`, and whether the page carries that nonce on its own script. */
function pairing(answer: Answer, header = REPORT_ONLY): { nonce: string | undefined; paired: boolean } {
  const policy = String(answer.headers[header] ?? '');
  const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
  return { nonce, paired: nonce !== undefined && decoded(answer).includes(`<script nonce="${nonce}">go()</script>`) };
}

interface Stack {
  url: string;
  logger: ReturnType<typeof memoryLogger>;
  close(): Promise<void>;
}

const sqlite = testDatabases()[0]!;
const stacks: Stack[] = [];

/** A Koa app: `outside` mounted before cspObserver(), `inside` after it, then the page. */
async function stack(
  {
    outside = [],
    inside = [],
    options = {},
  }: { outside?: readonly Middleware[]; inside?: readonly Middleware[]; options?: Partial<CspObserverOptions> },
  page: Middleware = (ctx) => {
    ctx.type = 'html';
    ctx.body = PAGE;
  },
): Promise<Stack> {
  const logger = memoryLogger();
  const observer = cspObserver({ secret: SECRET, logger, database: await sqlite.create(), ...options });
  const app = new Koa();
  for (const middleware of outside) app.use(middleware);
  app.use(observer);
  for (const middleware of inside) app.use(middleware);
  app.use(page);
  await observer.ready;
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const s = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    logger,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await observer.close();
    },
  };
  stacks.push(s);
  return s;
}

const lines = (s: Stack, text: string) => s.logger.lines.filter((line) => line.includes(text));

afterAll(async () => {
  for (const s of stacks) await s.close();
  await sqlite.cleanup();
});

describe('koa-compress', () => {
  it.each(['gzip', 'br'])(
    'mounted after cspObserver (%s): the page is decompressed, rewritten, compressed again, and the fix logged once',
    async (coding) => {
      const s = await stack({ inside: [compress({ threshold: 0 })] });
      for (let i = 0; i < 2; i++) {
        const answer = await get(`${s.url}/`, { ...NAVIGATION, 'Accept-Encoding': coding });
        expect(answer.headers['content-encoding']).toBe(coding);
        expect(answer.headers['content-length']).toBeUndefined();
        expect(pairing(answer).paired).toBe(true);
        expect(decoded(answer)).toContain('/sdk.js');
      }
      expect(lines(s, 'already compressed')).toHaveLength(1);
      expect(lines(s, 'already compressed')[0]).toContain('app.use(compress()); app.use(cspObserver(...))');
    },
  );

  it('mounted before cspObserver: compressed once, after the rewrite, and nothing logged', async () => {
    const s = await stack({ outside: [compress({ threshold: 0 })] });
    const answer = await get(`${s.url}/`, { ...NAVIGATION, 'Accept-Encoding': 'gzip' });
    expect(answer.headers['content-encoding']).toBe('gzip');
    expect(pairing(answer).paired).toBe(true);
    expect(lines(s, 'cspObserver(): ')).toEqual([]);
  });

  it('a coding it cannot undo: the page is sent as it is, without our policy, and the fix logged', async () => {
    const s = await stack({}, (ctx) => {
      ctx.type = 'html';
      ctx.set('Content-Encoding', 'gzip, br');
      ctx.body = Buffer.from('opaque');
    });
    const answer = await get(`${s.url}/`, NAVIGATION);
    expect(answer.headers[REPORT_ONLY]).toBeUndefined();
    expect(answer.body.toString()).toBe('opaque');
    expect(lines(s, 'content coding it cannot rewrite')).toHaveLength(1);
  });
});

describe('koa-static', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'csp-observer-static-'));
    writeFileSync(join(root, 'index.html'), PAGE);
    writeFileSync(join(root, 'pre.html'), PAGE);
    writeFileSync(join(root, 'pre.html.gz'), gzipSync(PAGE));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('a file page is streamed through the rewriter, with no length, validators or cache lifetime left', async () => {
    const s = await stack({ inside: [serve(root, { maxage: 60_000 })] });
    const answer = await get(`${s.url}/`, NAVIGATION);
    expect(answer.status).toBe(200);
    expect(pairing(answer).paired).toBe(true);
    expect(answer.headers['last-modified']).toBeUndefined();
    expect(answer.headers['cache-control']).toBe('private, no-store');
  });

  it('a precompressed file (pre.html.gz) is rewritten inside its gzip', async () => {
    const s = await stack({ inside: [serve(root, { gzip: true })] });
    const answer = await get(`${s.url}/pre.html`, { ...NAVIGATION, 'Accept-Encoding': 'gzip' });
    expect(answer.headers['content-encoding']).toBe('gzip');
    expect(pairing(answer).paired).toBe(true);
  });

  it('If-Modified-Since on a navigation gets the page, not a 304 that would pair a new nonce with the cached page', async () => {
    const s = await stack({ inside: [conditional(), serve(root)] });
    const answer = await get(`${s.url}/`, { ...NAVIGATION, 'If-Modified-Since': new Date(Date.now() + 86_400_000).toUTCString() });
    expect(answer.status).toBe(200);
    expect(pairing(answer).paired).toBe(true);
  });
});

describe('koa-etag and koa-conditional-get', () => {
  it('inside: a navigation with If-None-Match gets a fresh page with its own nonce, and no ETag to revalidate with', async () => {
    const s = await stack({ inside: [conditional(), etag()] });
    const first = await get(`${s.url}/`, NAVIGATION);
    expect(first.headers.etag).toBeUndefined();
    const again = await get(`${s.url}/`, { ...NAVIGATION, 'If-None-Match': '*' });
    expect(again.status).toBe(200);
    expect(pairing(again).paired).toBe(true);
    expect(pairing(again).nonce).not.toBe(pairing(first).nonce);
  });

  it('inside: a 304 that is still given (not a navigation) carries no policy of ours', async () => {
    const s = await stack({ inside: [conditional(), etag()] });
    const answer = await get(`${s.url}/`, { 'Sec-Fetch-Dest': 'empty', 'If-None-Match': '*' });
    expect(answer.status).toBe(304);
    expect(answer.headers[REPORT_ONLY]).toBeUndefined();
  });

  it('outside: the ETag is of the rewritten page, so it never matches another response', async () => {
    const s = await stack({ outside: [conditional(), etag()] });
    const first = await get(`${s.url}/`, NAVIGATION);
    const etagValue = String(first.headers.etag ?? '');
    const again = await get(`${s.url}/`, { ...NAVIGATION, 'If-None-Match': etagValue });
    expect(again.status).toBe(200);
    expect(pairing(again).paired).toBe(true);
  });
});

describe('caching headers', () => {
  it('Cache-Control public and s-maxage, Expires and CDN directives on a nonced page: replaced by private, no-store, said once', async () => {
    const s = await stack({}, (ctx) => {
      ctx.type = 'html';
      ctx.set('Cache-Control', 'public, s-maxage=600');
      ctx.set('CDN-Cache-Control', 'max-age=600');
      ctx.set('Expires', new Date(Date.now() + 600_000).toUTCString());
      ctx.body = PAGE;
    });
    for (let i = 0; i < 2; i++) {
      const answer = await get(`${s.url}/`, NAVIGATION);
      expect(answer.headers['cache-control']).toBe('private, no-store');
      expect(answer.headers['cdn-cache-control']).toBeUndefined();
      expect(answer.headers.expires).toBeUndefined();
    }
    expect(lines(s, 'would let a cache hand one page')).toHaveLength(1);
  });

  it('no-store and no-cache are kept or tightened without a word', async () => {
    const s = await stack({}, (ctx) => {
      ctx.type = 'html';
      ctx.set('Cache-Control', ctx.path === '/a' ? 'no-store, max-age=0' : 'no-cache');
      ctx.body = PAGE;
    });
    expect((await get(`${s.url}/a`, NAVIGATION)).headers['cache-control']).toBe('no-store, max-age=0');
    expect((await get(`${s.url}/b`, NAVIGATION)).headers['cache-control']).toBe('private, no-store');
    expect(lines(s, 'cspObserver(): ')).toEqual([]);
  });
});

describe('koa-helmet', () => {
  it('helmet() inside with our report-only policy: both policies, the page rewritten, and a note', async () => {
    const s = await stack({ inside: [helmet()] });
    const answer = await get(`${s.url}/`, NAVIGATION);
    expect(String(answer.headers[ENFORCED])).toContain("default-src 'self'");
    expect(pairing(answer).paired).toBe(true);
    expect(lines(s, 'the browser applies both policies')).toHaveLength(1);
  });

  it.each([
    ['inside', { inside: [helmet()] }],
    ['outside', { outside: [helmet()] }],
  ] as const)(
    "helmet() %s with our enforced policy: one policy, helmet's, the page untouched, and the fix logged",
    async (_where, where) => {
      const s = await stack({ ...where, options: { reportOnly: false } });
      for (let i = 0; i < 2; i++) {
        const answer = await get(`${s.url}/`, NAVIGATION);
        const policy = String(answer.headers[ENFORCED]);
        expect(policy).toContain("default-src 'self'");
        expect(policy).not.toContain('nonce-');
        expect(policy).not.toContain('report-uri /csp/');
        expect(decoded(answer)).toBe(PAGE);
      }
      const errors = lines(s, 'sets Content-Security-Policy too');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('helmet({ contentSecurityPolicy: false })');
    },
  );

  it("helmet({ contentSecurityPolicy: false }) beside our enforced policy: ours alone, with helmet's other headers", async () => {
    const s = await stack({ inside: [helmet({ contentSecurityPolicy: false })], options: { reportOnly: false } });
    const answer = await get(`${s.url}/`, NAVIGATION);
    expect(pairing(answer, ENFORCED).paired).toBe(true);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(lines(s, 'cspObserver(): ')).toEqual([]);
  });
});

describe('@koa/router, HEAD and errors', () => {
  it("a router's pages are rewritten, its other answers carry no policy of ours", async () => {
    const router = new Router();
    router.get('/page', (ctx) => {
      ctx.type = 'html';
      ctx.body = PAGE;
    });
    router.get('/api', (ctx) => {
      ctx.body = { ok: true };
    });
    const s = await stack(
      { inside: [router.routes() as unknown as Middleware, router.allowedMethods() as unknown as Middleware] },
      () => undefined,
    );
    expect(pairing(await get(`${s.url}/page`, NAVIGATION)).paired).toBe(true);
    expect((await get(`${s.url}/api`))?.headers[REPORT_ONLY]).toBeUndefined();
    const notAllowed = await get(`${s.url}/page`, {}, 'POST');
    expect(notAllowed.status).toBe(405);
    expect(notAllowed.headers[REPORT_ONLY]).toBeUndefined();
  });

  it('HEAD gets the headers GET gets: the policy, no-store, and the length of the rewritten page', async () => {
    const s = await stack({});
    const head = await get(`${s.url}/`, NAVIGATION, 'HEAD');
    const page = await get(`${s.url}/`, NAVIGATION);
    expect(head.headers[REPORT_ONLY]).toContain("'nonce-");
    expect(head.headers['cache-control']).toBe('private, no-store');
    expect(Number(head.headers['content-length'])).toBe(page.body.length);
  });

  it('an error page rendered outside carries no policy of ours; one rendered inside is rewritten', async () => {
    const errorPage: Middleware = async (ctx, next) => {
      try {
        await next();
      } catch {
        ctx.status = 500;
        ctx.type = 'html';
        ctx.body = '<!doctype html><html><head></head><body><script>report()</script></body></html>';
      }
    };
    const fail: Middleware = () => {
      throw new Error('the page failed');
    };
    const outside = await stack({ outside: [errorPage] }, fail);
    const answer = await get(`${outside.url}/`, NAVIGATION);
    expect(answer.status).toBe(500);
    expect(answer.headers[REPORT_ONLY]).toBeUndefined();
    const inside = await stack({ inside: [errorPage] }, fail);
    const rewritten = await get(`${inside.url}/`, NAVIGATION);
    const nonce = /'nonce-([^']+)'/.exec(String(rewritten.headers[REPORT_ONLY]))?.[1];
    expect(rewritten.body.toString()).toContain(`<script nonce="${nonce}">report()</script>`);
  });
});

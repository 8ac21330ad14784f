import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EDGE_CASES } from '../../test/fixtures/html-edge-cases.js';
import { generateCase, prng } from '../../test/support/html-cases.js';
import { type RewriteSpec, rewriteHtml } from './html-rewriter.js';
import { RewriteCache } from './rewrite-cache.js';

const CORPUS = new URL('../../test/fixtures/html-corpus/', import.meta.url);
const pages = [
  ...readdirSync(CORPUS)
    .filter((name) => name.endsWith('.html'))
    .map((name) => readFileSync(new URL(name, CORPUS), 'utf8')),
  ...EDGE_CASES.map(([, html]) => html),
  ...Array.from({ length: 300 }, (_, i) => generateCase(prng(i + 1), 40 + (i % 60) * 40)),
];

const specs = (n: number): RewriteSpec[] => [
  { nonce: `N${n}+/=`, scriptNonce: true, styleNonce: true, inject: (lang) => `<script data-lang="${lang}" data-n="${n}"></script>` },
  { nonce: `a&"\u00a0b${n}`, scriptNonce: true, styleNonce: false, inject: `<script id="sdk${n}"></script>` },
  { nonce: `x${n}`, scriptNonce: false, styleNonce: true },
];

describe('RewriteCache', () => {
  it('answers a page up to 64 KiB as text, a larger one as bytes', () => {
    const spec = specs(0)[0]!;
    const cache = new RewriteCache();
    const small = '<!doctype html><html><head><script>1</script></head><body>x</body></html>';
    const large = small.replace('x', 'x'.repeat(70 * 1024));
    for (let round = 0; round < 3; round++) {
      expect(typeof cache.rewrite(small, spec)).toBe('string');
      expect(Buffer.isBuffer(cache.rewrite(large, spec))).toBe(true);
    }
  });

  it(`gives what a scan gives, remembered or not, with each response's own values (${pages.length} pages)`, () => {
    for (const shape of [0, 1, 2]) {
      const cache = new RewriteCache();
      for (let round = 0; round < 3; round++) {
        for (const page of pages) {
          const spec = specs(round)[shape]!;
          // Compared as the bytes sent: text is sent as UTF-8 (a lone surrogate as U+FFFD).
          const answer = cache.rewrite(page, spec);
          expect(Buffer.from(answer).equals(Buffer.from(rewriteHtml(page, spec)))).toBe(true);
        }
      }
    }
  });

  it("does not remember a page that holds its marks' characters, and still rewrites it", () => {
    const cache = new RewriteCache();
    const page = '<html><head></head><body><p>\u0000\u0001n</p><script>x()</script></body></html>';
    for (const n of [1, 2]) {
      const spec = specs(n)[0]!;
      expect(cache.rewrite(page, spec).toString()).toBe(rewriteHtml(page, spec));
    }
  });

  it('a page that differs in one character is rewritten on its own', () => {
    const cache = new RewriteCache();
    const spec = specs(1)[0]!;
    const a = '<html><head></head><body><script>a()</script></body></html>';
    const b = '<html><head></head><body><style>a()</style></body></html>';
    cache.rewrite(a, spec);
    expect(cache.rewrite(b, spec).toString()).toBe(rewriteHtml(b, spec));
  });
});

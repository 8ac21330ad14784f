import { describe, expect, it } from 'vitest';
import { sourceListAllows } from './source-list.js';

const self = new URL('https://shop.test/page');
const allows = (sources: string[], url: string) => sourceListAllows(sources, new URL(url), self);

describe('sourceListAllows', () => {
  it("matches 'self' on the page's origin (and its https upgrade)", () => {
    expect(allows(["'self'"], 'https://shop.test/a.js')).toBe(true);
    expect(allows(["'self'"], 'https://cdn.shop.test/a.js')).toBe(false);
    expect(sourceListAllows(["'self'"], new URL('https://shop.test/a.js'), new URL('http://shop.test/'))).toBe(true);
  });

  it('matches scheme and host sources, wildcards, ports and paths', () => {
    expect(allows(['https:'], 'https://any.test/x')).toBe(true);
    expect(allows(['data:'], 'https://any.test/x')).toBe(false);
    expect(allows(['cdn.test'], 'https://cdn.test/lib.js')).toBe(true);
    expect(allows(['*.cdn.test'], 'https://a.cdn.test/lib.js')).toBe(true);
    expect(allows(['*.cdn.test'], 'https://cdn.test/lib.js')).toBe(false);
    expect(allows(['https://cdn.test:8443'], 'https://cdn.test/lib.js')).toBe(false);
    expect(allows(['https://cdn.test:*'], 'https://cdn.test:8443/lib.js')).toBe(true);
    expect(allows(['cdn.test/js/'], 'https://cdn.test/js/a.js')).toBe(true);
    expect(allows(['cdn.test/js/a.js'], 'https://cdn.test/js/b.js')).toBe(false);
    expect(allows(['*'], 'https://anything.test/')).toBe(true);
    expect(allows(["'none'"], 'https://shop.test/')).toBe(false);
    expect(allows(["'nonce-abc'", "'unsafe-inline'"], 'https://shop.test/')).toBe(false);
  });
});

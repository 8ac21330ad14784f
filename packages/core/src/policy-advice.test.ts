import { describe, expect, it } from 'vitest';
import { policyWeaknesses, proposeAllowlist } from './policy-advice.js';

const codes = (policy: Record<string, string[]>) => policyWeaknesses(policy).map((w) => w.code);
const count = (effectiveDirective: string, blockedUri: string, n = 3, sessions = 3) => ({
  effectiveDirective,
  blockedUri,
  count: n,
  sessions,
  pages: ['https://shop.test/'],
});

describe('policyWeaknesses', () => {
  it("flags django-csp-observer's default policy: unsafe-inline without nonce, no object-src, no base-uri", () => {
    const found = codes({ 'default-src': ["'self'"], 'script-src': ["'self'", "'unsafe-inline'"], 'connect-src': ["'self'"] });
    expect(found).toEqual(expect.arrayContaining(['unsafe-inline', 'missing-object-src', 'missing-base-uri', 'no-report-sample']));
  });

  it('accepts unsafe-inline next to a nonce (browsers ignore it then)', () => {
    expect(
      codes({
        'script-src': ["'nonce-AAAAAAAAAAAAAAAAAAAAAA=='", "'unsafe-inline'", "'report-sample'"],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
      }),
    ).toEqual([]);
  });

  it('flags unsafe-eval, wildcards, http: and data: in the script policy', () => {
    expect(codes({ 'script-src': ["'unsafe-eval'", '*', 'http:', 'data:', 'https://*.cdn.test', 'http://cdn.test'] })).toEqual(
      expect.arrayContaining(['unsafe-eval', 'wildcard', 'scheme-wildcard', 'data-scripts', 'host-wildcard', 'insecure-host']),
    );
  });

  it('flags a short nonce but not the placeholder of the configured policy', () => {
    expect(codes({ 'script-src': ["'nonce-abc123'"] })).toContain('short-nonce');
    expect(codes({ 'script-src': ["'nonce-…'"] })).not.toContain('short-nonce');
  });

  it("counts default-src 'none' as covering object-src, and lists high before low", () => {
    const found = policyWeaknesses({ 'default-src': ["'none'"], 'base-uri': ["'none'"], 'style-src': ["'unsafe-inline'"] });
    expect(found.map((w) => w.code)).toEqual(['no-report-sample', 'style-unsafe-inline']);
    expect(policyWeaknesses({}).map((w) => w.severity)[0]).toBe('high');
  });
});

describe('proposeAllowlist', () => {
  const policy = { 'default-src': ["'self'"], 'script-src': ["'self'"] };

  it('proposes origins of blocked URLs in the directive in force, merged per origin', () => {
    const { proposals, proposed } = proposeAllowlist(policy, [
      count('script-src-elem', 'https://cdn.test/lib.js', 4),
      count('script-src-elem', 'https://cdn.test/other.js', 2),
      count('img-src', 'https://img.test/a.png'),
    ]);
    expect(proposals.filter((p) => p.action === 'add').map((p) => [p.directive, p.source, p.count])).toEqual([
      ['script-src', 'https://cdn.test', 6],
      ['img-src', 'https://img.test', 3],
    ]);
    // A new directive starts from default-src's sources, so nothing else loosens or tightens.
    expect(proposed['img-src']).toEqual(["'self'", 'https://img.test']);
    expect(proposed['script-src']).toEqual(["'self'", 'https://cdn.test']);
  });

  it('never proposes unsafe-inline, unsafe-eval or data: scripts, but advises', () => {
    const { proposals, proposed } = proposeAllowlist(policy, [
      count('script-src-elem', 'inline'),
      count('script-src', 'eval'),
      count('script-src-elem', 'data'),
    ]);
    expect(proposals.every((p) => p.action === 'advice')).toBe(true);
    expect(proposals).toHaveLength(3);
    expect(proposed).toEqual(policy);
  });

  it('allows data: images, ignores extensions and marks single-view sources as low confidence', () => {
    const { proposals } = proposeAllowlist(policy, [
      count('img-src', 'data'),
      count('script-src-elem', 'chrome-extension://abc/x.js'),
      count('connect-src', 'https://api.test/v1', 1, 1),
    ]);
    expect(proposals.map((p) => [p.directive, p.source, p.lowConfidence])).toEqual([
      ['img-src', 'data:', false],
      ['connect-src', 'https://api.test', true],
    ]);
  });
});

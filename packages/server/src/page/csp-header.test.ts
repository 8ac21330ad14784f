import { policyWeaknesses } from '@csp-observer/core';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../options/options.js';
import { createNonce } from '../http/nonce.js';
import { cspHeaderBuilder, sentPolicy } from './csp-header.js';

const base = { secret: 'x'.repeat(16) };

describe('cspHeaderBuilder', () => {
  it('adds the nonce and report-sample, and the report-uri with the token', () => {
    const header = cspHeaderBuilder(resolveOptions(base));
    expect(header.name).toBe('Content-Security-Policy-Report-Only');
    expect(header.value('N1', 'T1')).toBe(
      "default-src 'self'; script-src 'self' 'unsafe-inline' 'nonce-N1' 'report-sample'; connect-src 'self'; " +
        "object-src 'none'; base-uri 'self'; style-src 'self' 'nonce-N1' 'report-sample'; report-uri /csp/report/T1",
    );
  });

  it('starts an absent script-src from default-src, and enforces when asked', () => {
    const header = cspHeaderBuilder(
      resolveOptions({
        ...base,
        reportOnly: false,
        useDefaults: false,
        policy: { 'default-src': ["'self'", 'https://cdn.test'] },
        nonces: { style: false },
        reportSample: false,
        prefix: '/x',
      }),
    );
    expect(header.name).toBe('Content-Security-Policy');
    expect(header.value('N', 'T')).toBe(
      "default-src 'self' https://cdn.test; script-src 'self' https://cdn.test 'nonce-N'; report-uri /x/report/T",
    );
  });

  // Issue 22: the default policy had no object-src and no base-uri, two of the assistant's weaknesses.
  it("sends by default a policy the project's own policy assistant finds no weakness in", () => {
    expect(policyWeaknesses(sentPolicy(resolveOptions(base)))).toEqual([]);
  });

  it('makes 128-bit nonces that differ', () => {
    const a = createNonce();
    expect(Buffer.from(a, 'base64')).toHaveLength(16);
    expect(a).not.toBe(createNonce());
  });
});

describe('resolveOptions', () => {
  it.each([
    [{ secret: 'short' }, /secret is required/],
    [{ ...base, prefix: 'csp' }, /prefix must be a path/],
    [{ ...base, prefix: '/csp/' }, /prefix must be a path/],
    [{ ...base, policy: { 'report-uri': ['/x'] } }, /must not set report-uri/],
    [{ ...base, policy: { 'script-src': ["'self';"] } }, /policy: .*invalid source/],
    [{ ...base, enabledPaths: ['('] }, /enabledPaths entry "\(" is not a valid regex/],
    [{ ...base, sessionKeepDays: -1 }, /sessionKeepDays must be a positive number/],
  ])('rejects %o', (options, message) => {
    expect(() => resolveOptions(options as never)).toThrow(message);
  });

  it('matches enabled paths from the start of the path, as django-csp-observer does', () => {
    const { isEnabledPath } = resolveOptions({ ...base, enabledPaths: ['/shop', /^\/blog\/\d+$/] }).page;
    const on = (path: string) => isEnabledPath({ path } as never);
    expect([on('/shop'), on('/shop/cart'), on('/blog/12'), on('/blog/x'), on('/'), on('/about/shop')]).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { parsePolicy, PolicyError, serializePolicy, validatePolicy, withSources } from './policy.js';

describe('policy', () => {
  it('serializes and parses back', () => {
    const policy = { 'default-src': ["'self'"], 'script-src': ["'self'", "'nonce-abc'"], 'upgrade-insecure-requests': [] };
    const header = serializePolicy(policy);
    expect(header).toBe("default-src 'self'; script-src 'self' 'nonce-abc'; upgrade-insecure-requests");
    expect(parsePolicy(header)).toEqual(policy);
  });

  it('names the directive at fault', () => {
    expect(() => validatePolicy({ 'script-src': ["'self'; object-src *"] })).toThrow(PolicyError);
    expect(() => validatePolicy({ 'scrpt-src': [] })).toThrow(/unknown directive "scrpt-src"/);
    expect(() => validatePolicy({ 'script-src': [], 'SCRIPT-SRC': [] })).toThrow(/duplicate directive/);
  });

  // Issue 22: these were accepted, and browsers read `self` as a host named "self".
  const refusal = (policy: Record<string, string[]>) => {
    try {
      validatePolicy(policy);
    } catch (error) {
      expect(error).toBeInstanceOf(PolicyError);
      return (error as Error).message;
    }
    throw new Error('the policy was accepted');
  };

  it('refuses keywords without their quotes, naming the quoted keyword', () => {
    expect(refusal({ 'script-src': ['self'] })).toBe(
      `Content-Security-Policy directive "script-src": the keyword self must be quoted: write "'self'"`,
    );
    expect(refusal({ 'object-src': ['NONE'] })).toBe(
      `Content-Security-Policy directive "object-src": the keyword NONE must be quoted: write "'none'"`,
    );
  });

  it('names the closest directive or keyword for a typo', () => {
    expect(refusal({ 'scrpt-src': [] })).toBe('Content-Security-Policy has an unknown directive "scrpt-src" (did you mean "script-src"?)');
    expect(refusal({ 'default-src': ["'slef'"] })).toBe(
      `Content-Security-Policy directive "default-src": "'slef'" is not a CSP keyword (did you mean "'self'"?)`,
    );
  });

  it('refuses what is no source expression, and values a directive does not take', () => {
    expect(refusal({ 'img-src': ['https://cdn.test:port'] })).toMatch(/"https:\/\/cdn.test:port" is not a source expression: a host like/);
    expect(refusal({ 'script-src': ["'nonce-'"] })).toMatch(/is not a nonce or hash source/);
    expect(refusal({ 'object-src': ["'none'", "'self'"] })).toMatch(/'none' cannot stand beside other sources/);
    expect(refusal({ sandbox: ['allow-script'] })).toBe(
      'Content-Security-Policy directive "sandbox": "allow-script" is not a sandbox flag (did you mean "allow-scripts"?)',
    );
    expect(refusal({ 'upgrade-insecure-requests': ["'self'"] })).toMatch(/takes no value/);
  });

  it('takes every kind of source expression', () => {
    const policy = {
      'default-src': ["'none'"],
      'script-src': [
        "'self'",
        "'nonce-abc+/='",
        "'sha256-AbC0='",
        "'strict-dynamic'",
        'https:',
        'https://*.cdn.test:443/js/',
        'cdn.test',
        '*',
      ],
      'img-src': ['data:', 'blob:', 'http://127.0.0.1:3000', 'localhost:*'],
      sandbox: ['allow-scripts', 'allow-same-origin'],
      'require-trusted-types-for': ["'script'"],
      'upgrade-insecure-requests': [],
    };
    expect(validatePolicy(policy)).toEqual(policy);
  });

  it('adds sources without duplicates', () => {
    expect(withSources({ 'script-src': ["'self'"] }, 'script-src', ["'self'", "'report-sample'"])).toEqual({
      'script-src': ["'self'", "'report-sample'"],
    });
  });
});

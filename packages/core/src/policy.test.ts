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

  it('adds sources without duplicates', () => {
    expect(withSources({ 'script-src': ["'self'"] }, 'script-src', ["'self'", "'report-sample'"])).toEqual({
      'script-src': ["'self'", "'report-sample'"],
    });
  });
});

import { describe, expect, it } from 'vitest';
import { canaryApplies } from './session-policy.js';

describe('canaryApplies', () => {
  it('needs a script policy that forbids eval and asks for samples', () => {
    expect(canaryApplies({ 'script-src': ["'self'", "'report-sample'"] })).toBe(true);
    expect(canaryApplies({ 'default-src': ["'self'", "'report-sample'"] })).toBe(true);
    expect(canaryApplies({ 'script-src': ["'self'", "'report-sample'", "'unsafe-eval'"] })).toBe(false);
    expect(canaryApplies({ 'script-src': ["'self'"] })).toBe(false);
    expect(canaryApplies({ 'img-src': ["'self'"] })).toBe(false);
    // script-src wins over default-src, as in browsers.
    expect(canaryApplies({ 'default-src': ["'report-sample'"], 'script-src': ["'self'", "'unsafe-eval'", "'report-sample'"] })).toBe(false);
  });
});

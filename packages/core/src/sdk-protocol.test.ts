import { describe, expect, it } from 'vitest';
import { isCanaryViolation } from './sdk-protocol.js';

const SDK = ['https://shop.test/csp/sdk.js', 'https://csp.example.com/csp/sdk.js'];
const violation = (fields: Partial<{ sample: string; sourceFile: string; effectiveDirective: string }>) => ({
  sample: '',
  sourceFile: '',
  effectiveDirective: 'script-src',
  ...fields,
});

describe('isCanaryViolation', () => {
  it('knows the canary by its sample on every channel that carries one', () => {
    expect(isCanaryViolation(violation({ sample: "'csp-canary:0123456789abcdef';self[Symbo" }), [])).toBe(true);
  });

  it("knows WebKit's sampleless report of it by the SDK's own script as its source, query or not", () => {
    expect(isCanaryViolation(violation({ sourceFile: 'https://shop.test/csp/sdk.js' }), SDK)).toBe(true);
    expect(isCanaryViolation(violation({ sourceFile: 'https://csp.example.com/csp/sdk.js?v=2' }), SDK)).toBe(true);
    expect(isCanaryViolation(violation({ sourceFile: 'https://shop.test/csp/sdk.js', effectiveDirective: 'script-src-elem' }), SDK)).toBe(
      true,
    );
  });

  it('is no other violation', () => {
    // Another script named sdk.js (Facebook's), another origin, another directive, a real sample.
    expect(isCanaryViolation(violation({ sourceFile: 'https://connect.facebook.net/en_US/sdk.js' }), SDK)).toBe(false);
    expect(isCanaryViolation(violation({ sourceFile: 'https://evil.test/csp/sdk.js' }), SDK)).toBe(false);
    expect(isCanaryViolation(violation({ sourceFile: 'https://shop.test/csp/sdk.js', effectiveDirective: 'style-src-elem' }), SDK)).toBe(
      false,
    );
    expect(isCanaryViolation(violation({ sourceFile: 'https://shop.test/csp/sdk.js', sample: 'alert(1)' }), SDK)).toBe(false);
    expect(isCanaryViolation(violation({}), SDK)).toBe(false);
    expect(isCanaryViolation(violation({ sourceFile: 'https://shop.test/csp/sdk.js' }), [])).toBe(false);
  });
});

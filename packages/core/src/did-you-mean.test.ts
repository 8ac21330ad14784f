import { describe, expect, it } from 'vitest';
import { closestName, didYouMean } from './did-you-mean.js';

describe('didYouMean', () => {
  it('names the closest known name when it is a likely typo', () => {
    expect(closestName('reportonly', ['reportOnly', 'reportSample'])).toBe('reportOnly');
    expect(closestName('scrpt-src', ['script-src', 'style-src'])).toBe('script-src');
    expect(didYouMean('polcy', ['policy', 'popup'])).toBe(' (did you mean "policy"?)');
  });

  it('says nothing when no name is close', () => {
    expect(closestName('database', ['popup', 'prefix'])).toBeNull();
    expect(didYouMean('x', ['prefix'])).toBe('');
  });
});

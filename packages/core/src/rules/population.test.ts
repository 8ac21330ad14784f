import { describe, expect, it } from 'vitest';
import { judgePopulation } from './population.js';

describe('judgePopulation', () => {
  it("calls a violation the site's when many page views share it", () => {
    expect(judgePopulation({ pageViewsWithIt: 40, pageViews: 100 })).toBe('site');
    expect(judgePopulation({ pageViewsWithIt: 5, pageViews: 100 })).toBe('site');
    expect(judgePopulation({ pageViewsWithIt: 3, pageViews: 3 })).toBe('site');
  });

  it("calls it likely the visitor's when this page view alone had it, among enough", () => {
    expect(judgePopulation({ pageViewsWithIt: 1, pageViews: 20 })).toBe('visitor');
    expect(judgePopulation({ pageViewsWithIt: 1, pageViews: 5000 })).toBe('visitor');
  });

  it('says nothing with too few page views, or in between', () => {
    expect(judgePopulation({ pageViewsWithIt: 1, pageViews: 19 })).toBe('unknown');
    expect(judgePopulation({ pageViewsWithIt: 2, pageViews: 1000 })).toBe('unknown');
    expect(judgePopulation({ pageViewsWithIt: 0, pageViews: 0 })).toBe('unknown');
  });
});

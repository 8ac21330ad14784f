import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bucketOf, formatTime, periodQuery, PRESETS, scopeOf } from './period';

const NOW = Date.UTC(2026, 0, 15, 12, 34, 56, 789);

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('periodQuery', () => {
  it('defaults to the last 7 days, to the minute, every site', () => {
    expect(periodQuery({})).toEqual({ from: '2026-01-08T12:34:00.000Z' });
  });

  it('is the same within a minute (it is a data key: a moving `from` reloaded views forever)', () => {
    const first = periodQuery({ days: '30' });
    vi.advanceTimersByTime(3_000);
    expect(periodQuery({ days: '30' })).toEqual(first);
    vi.setSystemTime(Date.UTC(2026, 0, 15, 12, 35));
    expect(periodQuery({ days: '30' })).not.toEqual(first);
  });

  it.each([
    ['1', '2026-01-14T12:34:00.000Z'],
    ['90', '2025-10-17T12:34:00.000Z'],
  ])('covers the last %s days', (days, from) => {
    expect(periodQuery({ days })).toEqual({ from });
  });

  it.each(['0', '-3', 'abc', ''])('takes 7 days for days=%j', (days) => {
    expect(periodQuery({ days }).from).toBe('2026-01-08T12:34:00.000Z');
  });

  it('passes explicit dates through, `to` only with `from`, and ignores days then', () => {
    expect(periodQuery({ from: '2026-01-01', to: '2026-01-10', days: '1' })).toEqual({ from: '2026-01-01', to: '2026-01-10' });
    expect(periodQuery({ from: '2026-01-01' })).toStrictEqual({ from: '2026-01-01' });
    expect(periodQuery({ to: '2026-01-10' })).toEqual({ from: '2026-01-08T12:34:00.000Z' });
  });

  it('adds the site when one is chosen', () => {
    expect(periodQuery({ site: 'shop' })).toEqual({ from: '2026-01-08T12:34:00.000Z', site: 'shop' });
    expect(periodQuery({ from: '2026-01-01', to: '2026-01-02', site: 'local' })).toEqual({
      from: '2026-01-01',
      to: '2026-01-02',
      site: 'local',
    });
    expect(periodQuery({ site: '' })).not.toHaveProperty('site');
  });
});

describe('scopeOf', () => {
  it("keeps the period and site of a view's parameters, nothing else", () => {
    expect(scopeOf({ days: '30', from: 'a', to: 'b', site: 's', ...({ page: '3', cause: 'malware' } as object) })).toEqual({
      days: '30',
      from: 'a',
      to: 'b',
      site: 's',
    });
  });
});

describe('formatTime', () => {
  it('writes UTC to the second', () => {
    expect(formatTime(NOW)).toBe('2026-01-15 12:34:56');
  });
});

describe('PRESETS', () => {
  it('offers 1, 7, 30 and 90 days', () => {
    expect(PRESETS.map(([days]) => days)).toEqual(['1', '7', '30', '90']);
  });
});

describe('bucketOf', () => {
  it('draws the last 24 hours and one- or two-day ranges per hour, longer periods per day', () => {
    expect(bucketOf({ days: '1' })).toBe('hour');
    expect(bucketOf({ days: '7' })).toBe('day');
    expect(bucketOf({})).toBe('day');
    expect(bucketOf({ from: '2026-01-10', to: '2026-01-10' })).toBe('hour');
    expect(bucketOf({ from: '2026-01-10', to: '2026-01-11' })).toBe('hour');
    expect(bucketOf({ from: '2026-01-10', to: '2026-01-12' })).toBe('day');
    expect(bucketOf({ from: '2026-01-15T00:00:00Z' })).toBe('hour');
    expect(bucketOf({ from: 'not a date' })).toBe('day');
  });
});

// @vitest-environment happy-dom
import { CANARY_PREFIX, type SdkCanary } from '@csp-observer/core';
import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { Canary } from './canary.js';

let report: Mock<(canary: SdkCanary) => void>;

beforeEach(() => {
  vi.useFakeTimers();
  report = vi.fn();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** A page's setTimeout as the canary needs it: runs the string of code, unless the policy blocks it. */
const runs = (code: string) => {
  // The code runs as a classic script at the top level would (indirect eval: global scope).
  // biome-ignore lint/security/noGlobalEval: this stands for the page's timer running the canary's string of code.
  setTimeout(() => (0, eval)(code), 0);
};
const blocked = () => undefined;

describe('Canary', () => {
  it('draws a fresh 16-character token from crypto', () => {
    vi.spyOn(crypto, 'getRandomValues').mockImplementation((array) => {
      (array as unknown as Uint8Array).set([0, 1, 35, 36, 255, 10, 20, 30, 40]);
      return array;
    });
    expect(new Canary(report).token).toBe('00010z10730a0k0u');
  });

  it('has a new token each page view', () => {
    const a = new Canary(report).token;
    const b = new Canary(report).token;
    expect(a).toMatch(/^[0-9a-z]{16}$/);
    expect(a).not.toBe(b);
  });

  it("recognizes its own sample only (cut or not), not another page's canary", () => {
    const canary = new Canary(report);
    expect(canary.is(`'${CANARY_PREFIX}${canary.token}';self[Symbol.for('csp-obs`)).toBe(true);
    expect(canary.is(`${CANARY_PREFIX}${canary.token}`)).toBe(true);
    expect(canary.is(`'${CANARY_PREFIX}zzzzzzzzzzzzzzzz'`)).toBe(false);
    expect(canary.is('')).toBe(false);
  });

  it('fires a string of code, token first, at once', () => {
    const canary = new Canary(report);
    const schedule = vi.fn();
    canary.fire(schedule);
    expect(schedule).toHaveBeenCalledTimes(1);
    const [code, delay] = schedule.mock.calls[0]!;
    expect(delay).toBe(0);
    expect(typeof code).toBe('string');
    // Samples keep 40 characters: the token must be inside them.
    expect((code as string).slice(0, 40)).toContain(`${CANARY_PREFIX}${canary.token}`);
  });

  it('reports `listener` as soon as the listener saw it, and only once', () => {
    const canary = new Canary(report);
    canary.fire(blocked);
    canary.seen('listener');
    expect(report).toHaveBeenCalledWith({ outcome: 'listener', threw: false });
    canary.seen('listener');
    vi.advanceTimersByTime(5000);
    expect(report).toHaveBeenCalledTimes(1);
  });

  it('reports `observer` after 1 s when only the ReportingObserver saw it (events are hidden)', () => {
    const canary = new Canary(report);
    canary.fire(blocked);
    canary.seen('observer');
    vi.advanceTimersByTime(999);
    expect(report).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(report).toHaveBeenCalledWith({ outcome: 'observer', threw: true });
  });

  it('prefers the listener to the observer, whichever came first', () => {
    const canary = new Canary(report);
    canary.fire(blocked);
    canary.seen('observer');
    canary.seen('listener');
    vi.advanceTimersByTime(1000);
    expect(report.mock.calls).toEqual([[{ outcome: 'listener', threw: false }]]);
  });

  it('reports `missing` after 1 s, blocked (`threw`) when its code never ran', () => {
    new Canary(report).fire(blocked);
    vi.advanceTimersByTime(1000);
    expect(report.mock.calls).toEqual([[{ outcome: 'missing', threw: true }]]);
  });

  it('reports `missing` and not blocked when its code ran (a policy that allows it, or none)', () => {
    new Canary(report).fire(runs);
    vi.advanceTimersByTime(1000);
    expect(report.mock.calls).toEqual([[{ outcome: 'missing', threw: false }]]);
  });

  it('counts a timer that refuses strings outright (Trusted Types) as blocked, and the page sees no error', () => {
    const canary = new Canary(report);
    expect(() =>
      canary.fire(() => {
        throw new TypeError("This document requires 'TrustedScript' assignment.");
      }),
    ).not.toThrow();
    vi.advanceTimersByTime(1000);
    expect(report.mock.calls).toEqual([[{ outcome: 'missing', threw: true }]]);
  });
});

import type { Verdict, VersionedVerdict } from '@csp-observer/core';
import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { VerdictFeed } from './verdict-feed.js';

const NOW = Date.UTC(2026, 0, 15, 12);
const BASE = '/csp/verdict/tok%2Fen';

const verdict = (version: string, status: Verdict['status'], final: boolean): VersionedVerdict => ({
  version,
  status,
  final,
  problems: [],
  anomalies: [],
  unknown: 0,
});
const ok = (v: VersionedVerdict) => ({ status: 200, ok: true, json: async () => v }) as unknown as Response;
const status = (code: number) => ({ status: code, ok: false, json: async () => ({}) }) as unknown as Response;

/** A fetch whose answers the test gives one at a time, in order. */
function scriptedFetch() {
  const waiting: Array<(response: Response | Error) => void> = [];
  const fn: Mock<(url: string, init: RequestInit) => Promise<Response>> = vi.fn(
    () =>
      new Promise<Response>((resolve, reject) => {
        waiting.push((answer) => (answer instanceof Error ? reject(answer) : resolve(answer)));
      }),
  );
  return {
    fn,
    /** Answers the oldest request still out. */
    answer: async (response: Response | Error) => {
      const next = waiting.shift();
      if (!next) throw new Error('no request is out');
      next(response);
      await flush();
    },
    get out() {
      return waiting.length;
    },
    urls: () => fn.mock.calls.map(([url]) => url),
  };
}

/** Lets the feed's awaits run (no timer moves). */
const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

let net: ReturnType<typeof scriptedFetch>;
let seen: VersionedVerdict[];
const feed = () => new VerdictFeed('/csp', 'tok/en', (v) => seen.push(v));

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
  net = scriptedFetch();
  vi.stubGlobal('fetch', net.fn);
  seen = [];
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('VerdictFeed', () => {
  it('asks for the verdict now, then long-polls after its version until it is final', async () => {
    const f = feed();
    f.start();
    expect(net.fn).toHaveBeenCalledWith(BASE, { credentials: 'omit', cache: 'no-store' });
    await net.answer(ok(verdict('v/1', 'observing', false)));
    await net.answer(ok(verdict('v2', 'clean', false)));
    await net.answer(ok(verdict('v3', 'clean', true)));
    expect(net.urls()).toEqual([BASE, `${BASE}?after=v%2F1&wait=20000`, `${BASE}?after=v2&wait=20000`]);
    expect(seen.map((v) => v.version)).toEqual(['v/1', 'v2', 'v3']);
    // Final, and asked for after all evidence (there was none since): no more requests.
    await vi.advanceTimersByTimeAsync(120_000);
    expect(net.fn).toHaveBeenCalledTimes(3);
  });

  it('passes on a verdict only when its version changed', async () => {
    feed().start();
    await net.answer(ok(verdict('v1', 'observing', false)));
    await net.answer(ok(verdict('v1', 'observing', false)));
    await net.answer(ok(verdict('v2', 'problems', true)));
    expect(seen.map((v) => v.version)).toEqual(['v1', 'v2']);
  });

  it('does not ask before start()', async () => {
    const f = feed();
    f.wake();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(net.fn).not.toHaveBeenCalled();
  });

  it('gives up on a 404 (token unknown or expired) at once', async () => {
    feed().start();
    await net.answer(status(404));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(net.fn).toHaveBeenCalledTimes(1);
  });

  it('retries a failure after 2 s, and stops after four failures in a row', async () => {
    feed().start();
    await net.answer(status(500));
    await vi.advanceTimersByTimeAsync(1999);
    expect(net.fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(net.fn).toHaveBeenCalledTimes(2);
    await net.answer(new TypeError('Failed to fetch'));
    await vi.advanceTimersByTimeAsync(2000);
    await net.answer(status(503));
    await vi.advanceTimersByTimeAsync(2000);
    await net.answer({ status: 200, ok: true, json: async () => Promise.reject(new SyntaxError('bad json')) } as unknown as Response);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(net.fn).toHaveBeenCalledTimes(4);
    expect(seen).toEqual([]);
  });

  it('waits as long as a 429 or 503 with Retry-After says, without counting a failure (issue 21)', async () => {
    const busy = (code: number, seconds: string) =>
      ({ status: code, ok: false, headers: new Headers({ 'Retry-After': seconds }), json: async () => ({}) }) as unknown as Response;
    feed().start();
    await net.answer(ok(verdict('v1', 'observing', false)));
    // Five refusals in a row, more than the four failures the feed tolerates.
    for (const [code, seconds] of [
      [429, '10'],
      [503, '10'],
      [429, '10'],
      [429, '10'],
      [503, '10'],
    ] as const) {
      await net.answer(busy(code, seconds));
      await vi.advanceTimersByTimeAsync(9999);
      expect(net.out).toBe(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(net.out).toBe(1);
    }
    await net.answer(ok(verdict('v2', 'clean', true)));
    expect(seen.map((v) => v.version)).toEqual(['v1', 'v2']);
    expect(net.urls()).toEqual([BASE, ...Array(6).fill(`${BASE}?after=v1&wait=20000`)]);
  });

  it('gives up after 32 refusals with Retry-After in a row (an eighth of a failure each), and bounds the wait to 60 s', async () => {
    const busy = { status: 429, ok: false, headers: new Headers({ 'Retry-After': '3600' }), json: async () => ({}) } as unknown as Response;
    feed().start();
    await net.answer(ok(verdict('v1', 'observing', false)));
    for (let i = 0; i < 32; i++) {
      await net.answer(busy);
      await vi.advanceTimersByTimeAsync(59_999);
      expect(net.out).toBe(0);
      await vi.advanceTimersByTimeAsync(1);
    }
    await vi.advanceTimersByTimeAsync(600_000);
    expect(net.fn).toHaveBeenCalledTimes(33);
    expect(net.out).toBe(0);
  });

  it('counts failures in a row only: an answer in between starts the count again', async () => {
    feed().start();
    for (let i = 0; i < 3; i++) {
      await net.answer(status(502));
      await vi.advanceTimersByTimeAsync(2000);
    }
    await net.answer(ok(verdict('v1', 'observing', false)));
    for (let i = 0; i < 3; i++) {
      await net.answer(status(502));
      await vi.advanceTimersByTimeAsync(2000);
    }
    // Seven requests so far, the eighth is out: three more failures would have ended it.
    expect(net.fn).toHaveBeenCalledTimes(8);
    expect(net.out).toBe(1);
  });

  it('follows the verdict again when new evidence was stored after a final answer', async () => {
    const f = feed();
    f.start();
    await net.answer(ok(verdict('v1', 'clean', true)));
    expect(net.fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(5000);
    f.wake();
    expect(net.urls()[1]).toBe(`${BASE}?after=v1&wait=20000`);
    await net.answer(ok(verdict('v2', 'problems', true)));
    expect(seen.map((v) => v.status)).toEqual(['clean', 'problems']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(net.fn).toHaveBeenCalledTimes(2);
  });

  it('does not let a final answer to a request sent before the evidence end the watch', async () => {
    const f = feed();
    f.start();
    vi.advanceTimersByTime(10);
    // The batch was stored while the first request was out: that request's answer may not know it.
    f.wake();
    expect(net.fn).toHaveBeenCalledTimes(1);
    await net.answer(ok(verdict('v1', 'clean', true)));
    expect(net.fn).toHaveBeenCalledTimes(2);
    await net.answer(ok(verdict('v2', 'problems', true)));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(net.fn).toHaveBeenCalledTimes(2);
  });

  it('stops waiting for a change 30 s after the wake', async () => {
    const f = feed();
    f.start();
    vi.advanceTimersByTime(10);
    f.wake();
    vi.advanceTimersByTime(30_000);
    // Asked before the wake, answered final once the wake is 30 s old: nothing more to wait for.
    await net.answer(ok(verdict('v1', 'clean', true)));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(net.fn).toHaveBeenCalledTimes(1);
  });

  it('runs one request at a time however often it is woken', async () => {
    const f = feed();
    f.start();
    f.wake();
    f.wake();
    f.start();
    expect(net.fn).toHaveBeenCalledTimes(1);
    await net.answer(ok(verdict('v1', 'observing', false)));
    f.wake();
    expect(net.out).toBe(1);
  });
});

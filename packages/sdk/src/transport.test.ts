// @vitest-environment happy-dom
import { MAX_EVENTS_PER_BATCH, MAX_HIDDEN_PER_BATCH, type SdkEventBatch, type SdkViolationEvent } from '@csp-observer/core';
import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { LEASE_MS, type BatchQueue, type QueuedBatch } from './queue.js';
import { Transport } from './transport.js';

// The page is https://site.example/page (vitest.config.ts).
const NOW = Date.UTC(2026, 0, 15, 12);
/** The endpoint is the page-relative prefix `/csp`: the URL stays relative. */
const URL_OF_TOKEN = '/csp/events/tok%2Fen';

const violation = (n: number): SdkViolationEvent => ({
  documentURI: 'https://site.example/page',
  referrer: '',
  blockedURI: `https://cdn${n}.example/x.js`,
  effectiveDirective: 'script-src-elem',
  violatedDirective: 'script-src-elem',
  originalPolicy: "script-src 'self'",
  disposition: 'report',
  sourceFile: '',
  lineNumber: 0,
  columnNumber: 0,
  statusCode: 200,
  sample: '',
});

function fakeQueue() {
  return {
    add: vi.fn(async (_batch: QueuedBatch) => undefined),
    remove: vi.fn(async (_id: string) => undefined),
    release: vi.fn(async (_id: string) => undefined),
    takeLeftovers: vi.fn(async (_now: number): Promise<QueuedBatch[]> => []),
  };
}

type FetchMock = Mock<(url: string, init: RequestInit) => Promise<Response>>;
let fetchMock: FetchMock;
let queue: ReturnType<typeof fakeQueue>;
let onSent: Mock<() => void>;

const answer = (status: number) => ({ status, ok: status >= 200 && status < 300 }) as Response;
const transport = (endpoint = '/csp') => new Transport(endpoint, 'tok/en', queue as unknown as BatchQueue, onSent);
const bodies = () => fetchMock.mock.calls.map(([, init]) => JSON.parse(init.body as string) as SdkEventBatch);
/** Lets the answers' promise callbacks run. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
  fetchMock = vi.fn(async () => answer(200));
  vi.stubGlobal('fetch', fetchMock);
  queue = fakeQueue();
  onSent = vi.fn();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('batching', () => {
  it('sends a burst in one request BATCH_DELAY_MS (100 ms) after its first event, numbering each event', () => {
    const t = transport();
    t.push(violation(1));
    vi.advanceTimersByTime(60);
    t.push(violation(2));
    vi.advanceTimersByTime(39);
    expect(fetchMock).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(bodies()).toEqual([
      {
        v: 1,
        events: [
          { ...violation(1), seq: 0 },
          { ...violation(2), seq: 1 },
        ],
      },
    ]);
    // Nothing more is sent without new events.
    vi.advanceTimersByTime(10_000);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('posts to {endpoint}/events/{token} as same-origin JSON, without credentials, with keepalive', () => {
    const t = transport();
    t.push(violation(1));
    vi.advanceTimersByTime(100);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe(URL_OF_TOKEN);
    expect(init).toMatchObject({ method: 'POST', keepalive: true, credentials: 'omit', headers: { 'Content-Type': 'application/json' } });
  });

  it('posts text/plain to a collector on another origin (no preflight)', () => {
    const t = transport('https://collector.example/csp');
    t.push(violation(1));
    vi.advanceTimersByTime(100);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('https://collector.example/csp/events/tok%2Fen');
    expect(init.headers).toEqual({ 'Content-Type': 'text/plain' });
  });

  it(`splits into batches of at most ${MAX_EVENTS_PER_BATCH} events and ${MAX_HIDDEN_PER_BATCH} findings; the canary rides in the first only`, () => {
    const t = transport();
    for (let i = 0; i < 2 * MAX_EVENTS_PER_BATCH + 7; i++) t.push(violation(i));
    for (let i = 0; i < MAX_HIDDEN_PER_BATCH + 3; i++)
      t.hidden({ tag: 'script', url: `https://evil.example/${i}.js`, directive: 'script-src-elem' });
    t.canary({ outcome: 'listener', threw: true });
    const sent = bodies();
    expect(sent.map((b) => b.events.length)).toEqual([MAX_EVENTS_PER_BATCH, MAX_EVENTS_PER_BATCH, 7]);
    expect(sent.map((b) => b.hidden?.length)).toEqual([MAX_HIDDEN_PER_BATCH, 3, undefined]);
    expect(sent.map((b) => b.canary)).toEqual([{ outcome: 'listener', threw: true }, undefined, undefined]);
    // One numbering for events and findings, in the order they came.
    expect(sent.flatMap((b) => b.events.map((e) => e.seq))).toEqual(Array.from({ length: 107 }, (_, i) => i));
    expect(sent.flatMap((b) => (b.hidden ?? []).map((h) => h.seq))).toEqual(Array.from({ length: 23 }, (_, i) => 107 + i));
  });

  it('sends the canary at once, with what is pending, and then leaves no timer behind', () => {
    const t = transport();
    t.push(violation(1));
    t.canary({ outcome: 'missing', threw: false });
    expect(bodies()).toEqual([{ v: 1, events: [{ ...violation(1), seq: 0 }], canary: { outcome: 'missing', threw: false } }]);
    vi.advanceTimersByTime(1000);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('gives the first event after a flush its own full delay (the earlier timer is gone)', () => {
    const t = transport();
    t.push(violation(1));
    vi.advanceTimersByTime(10);
    t.flush(false);
    t.push(violation(2));
    vi.advanceTimersByTime(99);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(bodies()).toEqual([
      { v: 1, events: [{ ...violation(1), seq: 0 }] },
      { v: 1, events: [{ ...violation(2), seq: 1 }] },
    ]);
  });

  it('sends a canary alone as a batch with no events', () => {
    transport().canary({ outcome: 'observer', threw: false });
    expect(bodies()).toEqual([{ v: 1, events: [], canary: { outcome: 'observer', threw: false } }]);
  });

  it('stops taking events and findings after 500 in the page view', () => {
    const t = transport();
    for (let i = 0; i < 499; i++) t.push(violation(i));
    t.hidden({ tag: 'iframe', url: 'https://evil.example/', directive: 'frame-src' });
    t.push(violation(500));
    t.hidden({ tag: 'iframe', url: 'https://evil.example/2', directive: 'frame-src' });
    t.flush(false);
    const sent = bodies();
    expect(sent.reduce((n, b) => n + b.events.length, 0)).toBe(499);
    expect(sent.flatMap((b) => b.hidden ?? [])).toEqual([
      { tag: 'iframe', url: 'https://evil.example/', directive: 'frame-src', seq: 499 },
    ]);
  });

  it('uses a plain request (no keepalive) for a body of 48 KiB or more', () => {
    const t = transport();
    t.push({ ...violation(1), sample: 'x'.repeat(48 * 1024) });
    t.push(violation(2));
    t.flush(false);
    expect(fetchMock.mock.calls[0]![1].keepalive).toBe(false);
  });
});

describe('the outbox', () => {
  it('queues every batch before sending it, leased for LEASE_MS, with an id unique to the page view', () => {
    const t = transport();
    t.push(violation(1));
    t.flush(false);
    t.push(violation(2));
    t.flush(false);
    expect(queue.add.mock.calls.map(([b]) => b)).toEqual([
      { id: `${URL_OF_TOKEN}#0`, url: URL_OF_TOKEN, body: fetchMock.mock.calls[0]![1].body, at: NOW, lease: NOW + LEASE_MS },
      { id: `${URL_OF_TOKEN}#1`, url: URL_OF_TOKEN, body: fetchMock.mock.calls[1]![1].body, at: NOW, lease: NOW + LEASE_MS },
    ]);
    expect(queue.add.mock.invocationCallOrder[0]).toBeLessThan(fetchMock.mock.invocationCallOrder[0]!);
  });

  it.each([200, 202, 204])('removes a batch the server stored (%i) and tells the verdict feed', async (status) => {
    fetchMock.mockResolvedValue(answer(status));
    const t = transport();
    t.push(violation(1));
    t.flush(false);
    await settle();
    expect(queue.remove).toHaveBeenCalledWith(`${URL_OF_TOKEN}#0`);
    expect(queue.release).not.toHaveBeenCalled();
    expect(onSent).toHaveBeenCalledTimes(1);
  });

  it.each([400, 403, 404, 413])('removes a batch refused for good (%i), without waking the verdict feed', async (status) => {
    fetchMock.mockResolvedValue(answer(status));
    const t = transport();
    t.push(violation(1));
    t.flush(false);
    await settle();
    expect(queue.remove).toHaveBeenCalledWith(`${URL_OF_TOKEN}#0`);
    expect(queue.release).not.toHaveBeenCalled();
    expect(onSent).not.toHaveBeenCalled();
  });

  it.each([408, 429, 500, 503, 0])('releases a batch for a later retry on %i', async (status) => {
    fetchMock.mockResolvedValue(answer(status));
    const t = transport();
    t.push(violation(1));
    t.flush(false);
    await settle();
    expect(queue.release).toHaveBeenCalledWith(`${URL_OF_TOKEN}#0`);
    expect(queue.remove).not.toHaveBeenCalled();
    expect(onSent).not.toHaveBeenCalled();
  });

  it('releases a batch whose request failed', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
    const t = transport();
    t.push(violation(1));
    t.flush(false);
    await settle();
    expect(queue.release).toHaveBeenCalledWith(`${URL_OF_TOKEN}#0`);
    expect(queue.remove).not.toHaveBeenCalled();
  });

  it('releases a batch when fetch throws (keepalive quota), and the page sees no error', () => {
    fetchMock.mockImplementation(() => {
      throw new TypeError('keepalive quota');
    });
    const t = transport();
    t.push(violation(1));
    expect(() => t.flush(false)).not.toThrow();
    expect(queue.release).toHaveBeenCalledWith(`${URL_OF_TOKEN}#0`);
  });

  it("retries the earlier page views' leftovers, each to its own URL, and does not wake this page's feed for them", async () => {
    const leftover: QueuedBatch = {
      id: 'https://site.example/csp/events/old#3',
      url: 'https://site.example/csp/events/old',
      body: '{"v":1,"events":[]}',
      at: NOW - 5000,
      lease: NOW + LEASE_MS,
    };
    queue.takeLeftovers.mockResolvedValue([leftover]);
    await transport().retryLeftovers();
    expect(queue.takeLeftovers).toHaveBeenCalledWith(NOW);
    expect(fetchMock).toHaveBeenCalledWith(leftover.url, expect.objectContaining({ method: 'POST', body: leftover.body }));
    await settle();
    expect(queue.remove).toHaveBeenCalledWith(leftover.id);
    expect(onSent).not.toHaveBeenCalled();
  });
});

describe('unloading', () => {
  it('sends with sendBeacon while the page is hidden or closed, and leaves the batch queued (no answer comes)', async () => {
    const beacon = vi.spyOn(navigator, 'sendBeacon').mockReturnValue(true);
    const t = transport();
    t.push(violation(1));
    t.flush(true);
    expect(fetchMock).not.toHaveBeenCalled();
    expect(beacon).toHaveBeenCalledTimes(1);
    const [url, data] = beacon.mock.calls[0]!;
    expect(url).toBe(URL_OF_TOKEN);
    expect(data).toBeInstanceOf(Blob);
    expect((data as Blob).type).toBe('application/json');
    expect(JSON.parse(await (data as Blob).text())).toEqual({ v: 1, events: [{ ...violation(1), seq: 0 }] });
    expect(queue.add).toHaveBeenCalledTimes(1);
    await settle();
    expect(queue.remove).not.toHaveBeenCalled();
    expect(queue.release).not.toHaveBeenCalled();
  });

  it('beacons text/plain to a collector on another origin', () => {
    const beacon = vi.spyOn(navigator, 'sendBeacon').mockReturnValue(true);
    const t = transport('https://collector.example/csp');
    t.push(violation(1));
    t.flush(true);
    expect((beacon.mock.calls[0]![1] as Blob).type).toBe('text/plain');
  });

  it('falls back to fetch when the beacon is refused', () => {
    vi.spyOn(navigator, 'sendBeacon').mockReturnValue(false);
    const t = transport();
    t.push(violation(1));
    t.flush(true);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('falls back to fetch where there is no sendBeacon', () => {
    vi.stubGlobal('navigator', {});
    const t = transport();
    t.push(violation(1));
    t.flush(true);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('uses fetch, not the beacon, while the page lives', () => {
    const beacon = vi.spyOn(navigator, 'sendBeacon').mockReturnValue(true);
    const t = transport();
    t.push(violation(1));
    vi.advanceTimersByTime(100);
    expect(beacon).not.toHaveBeenCalled();
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });
});

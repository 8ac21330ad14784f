// @vitest-environment happy-dom
import { CANARY_PREFIX, EN_POPUP_STRINGS, type SdkEventBatch, type SdkViolationEvent } from '@csp-observer/core';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import type { CspReportBody } from './capture.js';
import { init } from './index.js';
import { observe } from './observe.js';
import { BatchQueue } from './queue.js';

// One window for the whole file: every observe() leaves its listeners on it. Each test gets a
// token of its own and looks only at the requests carrying it.
const NOW = Date.UTC(2026, 0, 15, 12);
let n = 0;
let token: string;

type Reports = Array<{ type: string; body: CspReportBody | null }>;
let observerCallback: ((reports: Reports) => void) | null;
let observerOptions: unknown;
class FakeReportingObserver {
  constructor(callback: (reports: Reports) => void, options: unknown) {
    observerCallback = callback;
    observerOptions = options;
  }
  observe(): void {}
}

let fetchMock: Mock<(url: string, init?: RequestInit) => Promise<Response>>;

const start = (popup: 'off' | 'always' = 'off') => observe({ token, endpoint: '/csp', popup, strings: EN_POPUP_STRINGS, nonce: 'n0nce' });
const batches = (): SdkEventBatch[] =>
  fetchMock.mock.calls
    .filter(([url]) => url === `/csp/events/${token}`)
    .map(([, init]) => JSON.parse(init!.body as string) as SdkEventBatch);
const sentEvents = () => batches().flatMap((b) => b.events.map((e) => `${e.source}:${e.blockedURI}`));

const fields = (blocked: string, sample = ''): Omit<SdkViolationEvent, 't' | 'source' | 'seq'> => ({
  documentURI: 'https://site.example/page',
  referrer: '',
  blockedURI: blocked,
  effectiveDirective: 'script-src-elem',
  violatedDirective: 'script-src-elem',
  originalPolicy: "script-src 'self' 'report-sample'",
  disposition: 'report',
  sourceFile: '',
  lineNumber: 0,
  columnNumber: 0,
  statusCode: 200,
  sample,
});
/** What the browser dispatches on a violation. */
function dispatchViolation(blocked: string, sample = ''): void {
  const event = new Event('securitypolicyviolation');
  Object.assign(event, fields(blocked, sample));
  document.dispatchEvent(event);
}
/** The ReportingObserver's report of the same violation. */
const report = (blocked: string) => {
  const f = fields(blocked);
  return {
    type: 'csp-violation',
    body: {
      documentURL: f.documentURI,
      referrer: f.referrer,
      blockedURL: f.blockedURI,
      effectiveDirective: f.effectiveDirective,
      originalPolicy: f.originalPolicy,
      sourceFile: f.sourceFile,
      sample: f.sample,
      disposition: f.disposition,
      statusCode: f.statusCode,
      lineNumber: f.lineNumber,
      columnNumber: f.columnNumber,
    },
  };
};

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
  token = `page${++n}`;
  delete (window as unknown as Record<symbol, unknown>)[Symbol.for('csp-observer')];
  observerCallback = null;
  vi.stubGlobal('ReportingObserver', FakeReportingObserver);
  // The events endpoint stores; the verdict endpoint says clean and final, so a feed stops at once.
  const clean = { version: 'v1', status: 'clean', final: true, problems: [], anomalies: [], unknown: 0 };
  fetchMock = vi.fn(async () => ({ status: 200, ok: true, json: async () => clean }) as unknown as Response);
  vi.stubGlobal('fetch', fetchMock);
});
afterEach(() => {
  for (const element of document.querySelectorAll('csp-observer-popup')) element.remove();
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('observe', () => {
  it('starts once per page', () => {
    expect(start()).toBe(true);
    expect(start()).toBe(false);
    expect(init({ token: 'other', endpoint: '/csp' })).toBe(false);
  });

  it('does not start without a token', () => {
    expect(init({ token: '', endpoint: '/csp' })).toBe(false);
    expect(start()).toBe(true);
  });

  it("sends the listener's violations, captured on window before the page's own listeners", () => {
    start();
    document.addEventListener('securitypolicyviolation', (e) => e.stopImmediatePropagation(), true);
    dispatchViolation('https://cdn.example/a.js');
    vi.advanceTimersByTime(100);
    expect(sentEvents()).toEqual(['listener:https://cdn.example/a.js']);
  });

  it('asks the ReportingObserver for buffered csp-violation reports', () => {
    start();
    expect(observerOptions).toEqual({ types: ['csp-violation'], buffered: true });
  });

  it('sends an observer report only for violations the listener did not hear, counting repeats', () => {
    start();
    dispatchViolation('https://cdn.example/a.js');
    dispatchViolation('https://cdn.example/a.js');
    observerCallback!([
      report('https://cdn.example/a.js'),
      report('https://cdn.example/a.js'),
      report('https://cdn.example/a.js'),
      report('https://hidden.example/b.js'),
      { type: 'deprecation', body: { id: 'x', message: 'old API' } as CspReportBody },
      { type: 'csp-violation', body: null },
    ]);
    vi.advanceTimersByTime(100);
    expect(sentEvents()).toEqual([
      'listener:https://cdn.example/a.js',
      'listener:https://cdn.example/a.js',
      'observer:https://cdn.example/a.js',
      'observer:https://hidden.example/b.js',
    ]);
  });

  it('lets an observer report wait 50 ms for the listener event of the same violation', () => {
    start();
    observerCallback!([report('https://cdn.example/a.js')]);
    vi.advanceTimersByTime(49);
    dispatchViolation('https://cdn.example/a.js');
    vi.advanceTimersByTime(200);
    expect(sentEvents()).toEqual(['listener:https://cdn.example/a.js']);
  });

  it('keeps listening when the ReportingObserver throws', () => {
    vi.stubGlobal(
      'ReportingObserver',
      class {
        constructor() {
          throw new TypeError('tampered');
        }
      },
    );
    expect(start()).toBe(true);
    dispatchViolation('https://cdn.example/a.js');
    vi.advanceTimersByTime(100);
    expect(sentEvents()).toEqual(['listener:https://cdn.example/a.js']);
  });

  it("sends the canary's outcome at once when the listener sees its violation", () => {
    const timers = vi.spyOn(window, 'setTimeout');
    start();
    vi.advanceTimersByTime(0);
    const code = timers.mock.calls.map(([handler]) => handler as unknown).find((h): h is string => typeof h === 'string');
    expect(code).toContain(CANARY_PREFIX);
    dispatchViolation('eval', code!.slice(0, 40));
    expect(batches()[0]?.canary).toEqual({ outcome: 'listener', threw: false });
    vi.advanceTimersByTime(100);
    expect(sentEvents()).toEqual(['listener:eval']);
  });

  it('fires the canary once the document is parsed: its batch carries the violations of parsing', () => {
    const timers = vi.spyOn(window, 'setTimeout');
    const canaryCode = () => timers.mock.calls.map(([handler]) => handler as unknown).find((h): h is string => typeof h === 'string');
    Object.defineProperty(document, 'readyState', { value: 'loading', configurable: true });
    start();
    vi.advanceTimersByTime(0);
    // A script the parser meets after the SDK's (an extension's, say) is blocked before the canary fires.
    dispatchViolation('https://coinhive.example/miner.js');
    expect(canaryCode()).toBeUndefined();
    delete (document as unknown as Record<string, unknown>).readyState;
    document.dispatchEvent(new Event('DOMContentLoaded'));
    vi.advanceTimersByTime(0);
    dispatchViolation('eval', canaryCode()!.slice(0, 40));
    // Sent at once: the outcome and the violation before it, in one batch (the canary's own event follows).
    expect(batches()).toHaveLength(1);
    expect(batches()[0]).toMatchObject({ canary: { outcome: 'listener' } });
    expect(sentEvents()).toEqual(['listener:https://coinhive.example/miner.js']);
  });

  it('sends `missing` after 1 s when nobody saw the canary', () => {
    start();
    vi.advanceTimersByTime(999);
    expect(batches()).toEqual([]);
    vi.advanceTimersByTime(1);
    // The fake timers refuse a string of code, as a policy with Trusted Types would: blocked.
    expect(batches()).toEqual([{ v: 1, events: [], canary: { outcome: 'missing', threw: true } }]);
  });

  it('beacons what is pending when the page is hidden or left', () => {
    const beacon = vi.spyOn(navigator, 'sendBeacon').mockReturnValue(true);
    const ours = () => beacon.mock.calls.filter(([url]) => url === `/csp/events/${token}`);
    start();
    dispatchViolation('https://cdn.example/a.js');
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    expect(ours()).toHaveLength(1);
    dispatchViolation('https://cdn.example/b.js');
    window.dispatchEvent(new Event('pagehide'));
    expect(ours()).toHaveLength(2);
    delete (document as unknown as Record<string, unknown>).visibilityState;
    expect(batches()).toEqual([]);
  });

  it('does not flush when the page becomes visible', () => {
    const beacon = vi.spyOn(navigator, 'sendBeacon').mockReturnValue(true);
    start();
    dispatchViolation('https://cdn.example/a.js');
    document.dispatchEvent(new Event('visibilitychange'));
    expect(beacon.mock.calls.filter(([url]) => url === `/csp/events/${token}`)).toEqual([]);
  });

  it('sends the batches earlier page views left, 1 s after start', async () => {
    // fake-indexeddb schedules its work with setImmediate: that one stays real.
    vi.useRealTimers();
    vi.useFakeTimers({ now: NOW, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.stubGlobal('indexedDB', new IDBFactory());
    const left = { id: '/csp/events/earlier#0', url: '/csp/events/earlier', body: '{"v":1,"events":[]}', at: NOW - 60_000, lease: 0 };
    await new BatchQueue().add(left);
    const take = vi.spyOn(BatchQueue.prototype, 'takeLeftovers');
    start();
    await vi.advanceTimersByTimeAsync(999);
    expect(take).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(take).toHaveBeenCalledWith(NOW + 1000);
    await vi.waitFor(() => expect(fetchMock.mock.calls.filter(([url]) => url === left.url)).toHaveLength(1));
    expect(fetchMock.mock.calls.find(([url]) => url === left.url)![1]).toMatchObject({ method: 'POST', body: left.body });
  });

  it('starts the popup and its verdict feed once the document is parsed, not before', () => {
    start('always');
    const verdictCalls = () => fetchMock.mock.calls.filter(([url]) => url === `/csp/verdict/${token}`);
    expect(verdictCalls()).toEqual([]);
    vi.advanceTimersByTime(0);
    expect(verdictCalls()).toHaveLength(1);
    expect(document.querySelector('csp-observer-popup')?.shadowRoot?.querySelector('[role="status"]')?.textContent).toBe(
      EN_POPUP_STRINGS.observing,
    );
  });

  it('has no popup nor verdict feed with popup off', () => {
    start('off');
    vi.advanceTimersByTime(2000);
    expect(fetchMock.mock.calls.filter(([url]) => url.startsWith('/csp/verdict/'))).toEqual([]);
    expect(document.querySelector('csp-observer-popup')).toBeNull();
  });
});

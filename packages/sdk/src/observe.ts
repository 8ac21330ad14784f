import type { SdkViolationEvent } from '@csp-observer/core';
import { Canary } from './canary.js';
import { fromEvent, fromReportBody, violationKey, type CspReportBody } from './capture.js';
import type { SdkConfig } from './config.js';
import { PopupController } from './popup/popup.js';
import { BatchQueue } from './queue.js';
import { Transport } from './transport.js';
import { Tripwire } from './tripwire.js';
import { VerdictFeed } from './verdict-feed.js';

/** Observer reports wait this long for the listener's event of the same violation. */
const OBSERVER_SETTLE_MS = 50;
/** Leftovers of earlier page views are sent this long after start, out of the page's way. */
const LEFTOVERS_DELAY_MS = 1000;

interface ReportingObserverLike {
  observe(): void;
}
type ReportingObserverCtor = new (
  callback: (reports: Array<{ type: string; body: CspReportBody | null }>) => void,
  options: { types: string[]; buffered: boolean },
) => ReportingObserverLike;

/** The one mark the SDK leaves on the page: a symbol, not a global name. */
const STARTED = Symbol.for('csp-observer');

/**
 * Starts observing the page: the violation listener and observer, the canary, the tripwire,
 * the queue and transport, and (unless `popup: 'off'`) the popup following the verdict.
 * Returns false when the SDK already runs on this page.
 */
export function observe(config: SdkConfig): boolean {
  const marks = window as unknown as Record<symbol, boolean>;
  if (marks[STARTED]) return false;
  marks[STARTED] = true;
  // Taken now: a later script may replace it.
  const schedule = window.setTimeout.bind(window) as unknown as (code: string, delay: number) => number;

  const popup =
    config.popup === 'off'
      ? null
      : new PopupController({
          mode: config.popup,
          strings: config.strings,
          scanUrl: `${config.endpoint}/scan/${encodeURIComponent(config.token)}`,
        });
  const feed = popup ? new VerdictFeed(config.endpoint, config.token, (verdict) => popup.update(verdict)) : null;
  const transport = new Transport(config.endpoint, config.token, new BatchQueue(), () => feed?.wake());
  const canary = new Canary((result) => transport.canary(result));
  // Violations the listener saw, by key: an observer report of one of them is not sent again.
  const heard = new Map<string, number>();
  const tripwire = new Tripwire(config.nonce, (element) => transport.hidden(element));

  const take = (event: SdkViolationEvent, by: 'listener' | 'observer') => {
    tripwire.violation(event.blockedURI, event.originalPolicy);
    if (canary.is(event.sample)) canary.seen(by);
    transport.push(event);
  };

  // Capture on window: ours runs before any listener on the document or an element.
  window.addEventListener(
    'securitypolicyviolation',
    (e) => {
      const event = fromEvent(e);
      const key = violationKey(event);
      heard.set(key, (heard.get(key) ?? 0) + 1);
      take(event, 'listener');
    },
    true,
  );

  // The observer sees what a script hides from listeners, and (buffered) what came before us.
  const Observer = (window as unknown as { ReportingObserver?: ReportingObserverCtor }).ReportingObserver;
  if (typeof Observer === 'function') {
    try {
      new Observer(
        (reports) => {
          const events = reports.filter((r) => r.type === 'csp-violation' && r.body).map((r) => fromReportBody(r.body!));
          setTimeout(() => {
            for (const event of events) {
              const key = violationKey(event);
              const count = heard.get(key) ?? 0;
              if (count > 0) heard.set(key, count - 1);
              else take(event, 'observer');
            }
          }, OBSERVER_SETTLE_MS);
        },
        { types: ['csp-violation'], buffered: true },
      ).observe();
    } catch {
      // An old or tampered implementation: the listener still works.
    }
  }

  tripwire.start();
  // The canary, the popup and its verdict wait for the document to be parsed: nothing of theirs
  // blocks the parser, and the canary's batch (sent at once) carries the violations of parsing,
  // so a verdict made final by the canary knows them.
  const afterParse = () => setTimeout(() => (canary.fire(schedule), popup?.start(), feed?.start()), 0);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', afterParse, { once: true });
  else afterParse();
  setTimeout(() => void transport.retryLeftovers(), LEFTOVERS_DELAY_MS);
  window.addEventListener('pagehide', () => transport.flush(true));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') transport.flush(true);
  });
  return true;
}

import type { SdkViolationEvent } from '@csp-observer/core';
import { Canary } from './canary.js';
import { fromEvent, fromReportBody, violationKey, type CspReportBody } from './capture.js';
import { configFromScript } from './config.js';
import { Transport } from './transport.js';
import { Tripwire } from './tripwire.js';

/** Observer reports wait this long for the listener's event of the same violation. */
const OBSERVER_SETTLE_MS = 50;

interface ReportingObserverLike {
  observe(): void;
}
type ReportingObserverCtor = new (
  callback: (reports: Array<{ type: string; body: CspReportBody | null }>) => void,
  options: { types: string[]; buffered: boolean },
) => ReportingObserverLike;

/**
 * Entry of the script tag build. Runs synchronously while the tag is parsed, so the listener is
 * in place before any later violation is dispatched.
 */
function start(): void {
  const script = document.currentScript as HTMLScriptElement | null;
  const config = configFromScript(script);
  if (!config) return;
  // Taken now: a later script may replace them.
  const evaluate = window.eval;
  const transport = new Transport(config);
  const canary = new Canary((result) => transport.canary(result));
  // Violations the listener saw, by key: an observer report of one of them is not sent again.
  const heard = new Map<string, number>();

  const tripwire = new Tripwire(script?.nonce ?? '', (element) => transport.hidden(element));

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
  canary.fire(evaluate);
  window.addEventListener('pagehide', () => transport.flush(true));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') transport.flush(true);
  });
}

start();

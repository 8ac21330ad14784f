import { CANARY_PREFIX, type CanaryOutcome, type SdkCanary } from '@csp-observer/core';

/** How long the canary may take to be seen before it counts as missing (measured: 2-75 ms). */
const CANARY_TIMEOUT_MS = 1000;

/** Where the canary's code says that it ran: a symbol, not a global name. */
const RAN = Symbol.for('csp-observer.canary');

/**
 * The canary: a violation the SDK causes on purpose, a timer given a string of code that carries
 * a fresh token. Under a script policy without 'unsafe-eval' every engine reports it, in
 * report-only and enforced mode alike (WebKit reports no `eval()` under a report-only policy, but
 * it does report a string timer: docs/engines.md). With 'report-sample' the event's sample names
 * the token; native reports name it too (Chromium, Firefox) or come from the SDK's own script
 * (WebKit, whose report-uri bodies carry no sample), which is how the server recognizes them.
 * Nothing is fetched. Enforced, the code never runs: that tells the server the policy is in
 * force even when no event arrives. Its fate tells whether the policy is in force, whether
 * events are hidden and whether reports are blocked. (A policy that allows eval lets it run
 * silently: the server knows and ignores it.)
 */
export class Canary {
  readonly token: string;
  #seenBy: { listener: boolean; observer: boolean } = { listener: false, observer: false };
  #ran = false;
  #decided = false;

  readonly #report: (canary: SdkCanary) => void;

  constructor(report: (canary: SdkCanary) => void) {
    this.#report = report;
    const bytes = crypto.getRandomValues(new Uint8Array(9));
    this.token = Array.from(bytes, (b) => b.toString(36).padStart(2, '0'))
      .join('')
      .slice(0, 16);
  }

  /** Whether a violation's sample is this page's canary. */
  is(sample: string): boolean {
    return sample.includes(CANARY_PREFIX + this.token);
  }

  /**
   * Fires the canary with `schedule` (the page's `setTimeout`, taken before any other script could
   * replace it). The token comes first: samples keep 40 characters.
   */
  fire(schedule: (code: string, delay: number) => unknown): void {
    const marks = window as unknown as Record<symbol, (() => void) | undefined>;
    marks[RAN] = () => {
      this.#ran = true;
    };
    try {
      schedule(`'${CANARY_PREFIX}${this.token}';self[Symbol.for('csp-observer.canary')]?.()`, 0);
    } catch {
      // A policy with Trusted Types refuses the string outright: as blocked as it gets.
    }
    setTimeout(() => this.#decide(this.#seenBy.observer ? 'observer' : 'missing'), CANARY_TIMEOUT_MS);
  }

  seen(by: 'listener' | 'observer'): void {
    this.#seenBy[by] = true;
    if (by === 'listener') this.#decide('listener');
  }

  #decide(outcome: CanaryOutcome): void {
    if (this.#decided) return;
    this.#decided = true;
    // `threw` (the wire name): the policy stopped the canary's code, so it is enforced. Decided
    // on the listener's event, the timer has not necessarily run yet: only a missing canary,
    // decided after the timeout, says whether it was blocked.
    this.#report({ outcome, threw: outcome !== 'listener' && !this.#ran });
  }
}

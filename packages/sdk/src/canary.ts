import { CANARY_PREFIX, type CanaryOutcome, type SdkCanary } from '@csp-observer/core';

/** How long the canary may take to be seen before it counts as missing (measured: 2-75 ms). */
const CANARY_TIMEOUT_MS = 1000;

/**
 * The canary: a violation the SDK causes on purpose, an eval of a string carrying a fresh
 * token. Under a script policy without 'unsafe-eval' and with 'report-sample' the browser
 * reports it on every channel with the token in the sample; nothing is fetched. Its fate tells
 * the server whether the policy is in force, whether events are hidden and whether reports are
 * blocked. (A policy that allows eval lets it run silently: the server knows and ignores it.)
 */
export class Canary {
  readonly token: string;
  #seenBy: { listener: boolean; observer: boolean } = { listener: false, observer: false };
  #threw = false;
  #decided = false;

  readonly #report: (canary: SdkCanary) => void;

  constructor(report: (canary: SdkCanary) => void) {
    this.#report = report;
    const bytes = crypto.getRandomValues(new Uint8Array(9));
    this.token = Array.from(bytes, (b) => b.toString(36).padStart(2, '0')).join('').slice(0, 16);
  }

  /** Whether a violation's sample is this page's canary. */
  is(sample: string): boolean {
    return sample.includes(CANARY_PREFIX + this.token);
  }

  /** Fires from a task of its own: eval run synchronously inside some harnesses is not checked. */
  fire(evaluate: (code: string) => unknown): void {
    setTimeout(() => {
      try {
        evaluate(`'${CANARY_PREFIX}${this.token}'`);
      } catch (error) {
        this.#threw = error instanceof EvalError;
      }
      setTimeout(() => this.#decide(this.#seenBy.observer ? 'observer' : 'missing'), CANARY_TIMEOUT_MS);
    }, 0);
  }

  seen(by: 'listener' | 'observer'): void {
    this.#seenBy[by] = true;
    if (by === 'listener') this.#decide('listener');
  }

  #decide(outcome: CanaryOutcome): void {
    if (this.#decided) return;
    this.#decided = true;
    this.#report({ outcome, threw: this.#threw });
  }
}

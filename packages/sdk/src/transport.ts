import { MAX_EVENTS_PER_BATCH, MAX_HIDDEN_PER_BATCH, type SdkCanary, type SdkEventBatch, type SdkHiddenElement, type SdkViolationEvent } from '@csp-observer/core';
import type { SdkConfig } from './config.js';

/** Waits this long after the first event so that a burst leaves in one request. */
const BATCH_DELAY_MS = 100;

/**
 * Collects events and sends them in batches to `{endpoint}/events/{token}`: fetch with
 * keepalive while the page lives, sendBeacon when it is being hidden or closed. Failures are
 * swallowed: the page must never see an error of ours.
 */
export class Transport {
  private queue: SdkViolationEvent[] = [];
  private pendingCanary: SdkCanary | undefined;
  private pendingHidden: SdkHiddenElement[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly url: string;

  constructor(config: SdkConfig) {
    this.url = `${config.endpoint}/events/${encodeURIComponent(config.token)}`;
  }

  push(event: SdkViolationEvent): void {
    this.queue.push(event);
    this.schedule();
  }

  /** The canary's outcome leaves at once, with whatever is queued: the verdict waits for it. */
  canary(canary: SdkCanary): void {
    this.pendingCanary = canary;
    this.flush(false);
  }

  /** An element the tripwire found leaves with the next batch. */
  hidden(element: SdkHiddenElement): void {
    this.pendingHidden.push(element);
    this.schedule();
  }

  /** The first item waits BATCH_DELAY_MS for the ones that follow it. */
  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(false), BATCH_DELAY_MS);
  }

  /** Sends everything queued; `unloading` uses sendBeacon, which outlives the page. */
  flush(unloading: boolean): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0 || this.pendingCanary || this.pendingHidden.length > 0) {
      const batch: SdkEventBatch = { v: 1, events: this.queue.splice(0, MAX_EVENTS_PER_BATCH) };
      if (this.pendingCanary) batch.canary = this.pendingCanary;
      this.pendingCanary = undefined;
      if (this.pendingHidden.length) batch.hidden = this.pendingHidden.splice(0, MAX_HIDDEN_PER_BATCH);
      const body = JSON.stringify(batch);
      if (unloading && navigator.sendBeacon?.(this.url, new Blob([body], { type: 'application/json' }))) continue;
      try {
        fetch(this.url, {
          method: 'POST',
          body,
          keepalive: true,
          credentials: 'omit',
          headers: { 'Content-Type': 'application/json' },
        }).catch(() => undefined);
      } catch {
        // fetch itself may throw (keepalive quota); the event is lost for this page view.
      }
    }
  }
}

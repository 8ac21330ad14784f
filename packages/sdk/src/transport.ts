import {
  MAX_EVENTS_PER_BATCH,
  MAX_HIDDEN_PER_BATCH,
  type SdkCanary,
  type SdkEventBatch,
  type SdkHiddenElement,
  type SdkViolationEvent,
} from '@csp-observer/core';
import { LEASE_MS, type BatchQueue, type QueuedBatch } from './queue.js';

/** Waits this long after the first event so that a burst leaves in one request. */
const BATCH_DELAY_MS = 100;
/** A page view sends at most this many events and findings (the server keeps 500 by default). */
const MAX_ITEMS_PER_PAGE = 500;
const KEEPALIVE_MAX = 48 * 1024;

/** Whether an answer settles a batch: stored, or refused for good (retrying would not help). */
function settled(status: number): boolean {
  return (status >= 200 && status < 300) || (status >= 400 && status < 500 && status !== 408 && status !== 429);
}

/**
 * Collects events and sends them in batches to `{endpoint}/events/{token}`: each batch is
 * queued in IndexedDB first, sent with fetch keepalive while the page lives (sendBeacon when it
 * is being hidden or closed), and removed from the queue once the server answered. Every event
 * carries its number in the page view, so a batch sent twice is stored once. Failures are
 * swallowed: the page must never see an error of ours.
 */
export class Transport {
  #pending: SdkViolationEvent[] = [];
  #pendingCanary: SdkCanary | undefined;
  #pendingHidden: SdkHiddenElement[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #seq = 0;
  #batches = 0;
  readonly #url: string;
  readonly #type: string;
  readonly #queue: BatchQueue;
  readonly #onSent: () => void;

  constructor(
    endpoint: string,
    token: string,
    queue: BatchQueue,
    /** Called after each batch leaves (the verdict feed follows the new evidence). */
    onSent: () => void = () => undefined,
  ) {
    this.#queue = queue;
    this.#onSent = onSent;
    this.#url = `${endpoint}/events/${encodeURIComponent(token)}`;
    // To a collector on another origin: text/plain needs no preflight, and a beacon of any other
    // type is refused there.
    this.#type = new URL(this.#url, location.href).origin === location.origin ? 'application/json' : 'text/plain';
  }

  push(event: SdkViolationEvent): void {
    if (this.#seq >= MAX_ITEMS_PER_PAGE) return;
    this.#pending.push({ ...event, seq: this.#seq++ });
    this.#schedule();
  }

  /** The canary's outcome leaves at once, with whatever is queued: the verdict waits for it. */
  canary(canary: SdkCanary): void {
    this.#pendingCanary = canary;
    this.flush(false);
  }

  /** An element the tripwire found leaves with the next batch. */
  hidden(element: SdkHiddenElement): void {
    if (this.#seq >= MAX_ITEMS_PER_PAGE) return;
    this.#pendingHidden.push({ ...element, seq: this.#seq++ });
    this.#schedule();
  }

  /** The first item waits BATCH_DELAY_MS for the ones that follow it. */
  #schedule(): void {
    this.#timer ??= setTimeout(() => this.flush(false), BATCH_DELAY_MS);
  }

  /** Sends everything pending; `unloading` uses sendBeacon, which outlives the page. */
  flush(unloading: boolean): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#pending.length > 0 || this.#pendingCanary || this.#pendingHidden.length > 0) {
      const batch: SdkEventBatch = { v: 1, events: this.#pending.splice(0, MAX_EVENTS_PER_BATCH) };
      if (this.#pendingCanary) batch.canary = this.#pendingCanary;
      this.#pendingCanary = undefined;
      if (this.#pendingHidden.length) batch.hidden = this.#pendingHidden.splice(0, MAX_HIDDEN_PER_BATCH);
      const now = Date.now();
      // The URL holds the page view's token: unique across the site's page views.
      const queued: QueuedBatch = {
        id: `${this.#url}#${this.#batches++}`,
        url: this.#url,
        body: JSON.stringify(batch),
        at: now,
        lease: now + LEASE_MS,
      };
      void this.#queue.add(queued);
      // A beacon gets no answer: the batch stays queued and a later page view sends it again
      // after its lease (the server stores it once).
      if (unloading && navigator.sendBeacon?.(queued.url, new Blob([queued.body], { type: this.#type }))) continue;
      this.#send(queued);
    }
  }

  /** Sends the batches earlier page views of the site left behind. */
  async retryLeftovers(): Promise<void> {
    for (const batch of await this.#queue.takeLeftovers(Date.now())) this.#send(batch);
  }

  #send(batch: QueuedBatch): void {
    try {
      fetch(batch.url, {
        method: 'POST',
        body: batch.body,
        // Keepalive requests share a 64 KiB budget: a larger batch goes as a plain request.
        keepalive: batch.body.length < KEEPALIVE_MAX,
        credentials: 'omit',
        headers: { 'Content-Type': this.#type },
      }).then(
        (response) => {
          if (!settled(response.status)) return void this.#queue.release(batch.id);
          void this.#queue.remove(batch.id);
          if (response.ok && batch.url === this.#url) this.#onSent();
        },
        () => void this.#queue.release(batch.id),
      );
    } catch {
      // fetch itself may throw (keepalive quota): the batch stays queued for the next page view.
      void this.#queue.release(batch.id);
    }
  }
}

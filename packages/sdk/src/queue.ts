import { OUTBOX_DATABASE, OUTBOX_MAX_AGE_MS, OUTBOX_MAX_BATCHES, OUTBOX_STORE } from '@csp-observer/core';
import { createStore, del, promisifyRequest, set, type UseStore } from 'idb-keyval';

/** One batch waiting for the server's acknowledgement. */
export interface QueuedBatch {
  id: string;
  /** The events URL of the page view the batch belongs to (its token included). */
  url: string;
  body: string;
  /** When it was first queued (epoch ms): old entries expire. */
  at: number;
  /** No other page view retries it before this (epoch ms): it is being sent. */
  lease: number;
}

/** A batch being sent is left alone by other page views for this long. */
export const LEASE_MS = 15_000;

/**
 * The SDK's outbox in IndexedDB (through idb-keyval, the small key-value layer by idb's author):
 * every batch is written before it is sent and deleted once the server acknowledged it, so a
 * closing tab or a failed request leaves it for the next page view of the site to send. The
 * server stores a retried event once (by its number in the page view). Without IndexedDB
 * (blocked storage) the queue does nothing and batches are sent once.
 */
export class BatchQueue {
  #store: UseStore | null | undefined;

  #open(): UseStore | null {
    if (this.#store === undefined) {
      try {
        this.#store = createStore(OUTBOX_DATABASE, OUTBOX_STORE);
      } catch {
        this.#store = null;
      }
    }
    return this.#store;
  }

  /** Runs an operation on the store; storage failures never reach the page. */
  async #use(operation: (use: UseStore) => Promise<unknown>): Promise<void> {
    try {
      const use = this.#open();
      if (use) await operation(use);
    } catch {
      // Storage blocked or full: the batch is still sent, once.
    }
  }

  add(batch: QueuedBatch): Promise<void> {
    return this.#use((use) => set(batch.id, batch, use));
  }

  /** The server has it: forget it. */
  remove(id: string): Promise<void> {
    return this.#use((use) => del(id, use));
  }

  /**
   * Sending failed: any page view of the site may retry it now. A batch that is gone (another
   * page view delivered it meanwhile) stays gone: nothing is written for it.
   */
  release(id: string): Promise<void> {
    return this.#use((use) =>
      use('readwrite', async (store) => {
        const batch = (await promisifyRequest(store.get(id))) as QueuedBatch | undefined;
        if (batch) store.put({ ...batch, lease: 0 }, id);
        return promisifyRequest(store.transaction);
      }),
    );
  }

  /**
   * The batches left by earlier page views that nobody is sending, leased to the caller in one
   * transaction. Drops expired ones and the oldest beyond OUTBOX_MAX_BATCHES.
   */
  async takeLeftovers(now: number): Promise<QueuedBatch[]> {
    const taken: QueuedBatch[] = [];
    await this.#use((use) =>
      use('readwrite', async (store) => {
        const all = ((await promisifyRequest(store.getAll())) as QueuedBatch[]).sort((a, b) => a.at - b.at);
        const excess = all.length - OUTBOX_MAX_BATCHES;
        for (const [i, batch] of all.entries()) {
          if (i < excess || now - batch.at > OUTBOX_MAX_AGE_MS) store.delete(batch.id);
          else if (batch.lease <= now) {
            const leased = { ...batch, lease: now + LEASE_MS };
            store.put(leased, leased.id);
            taken.push(leased);
          }
        }
        return promisifyRequest(store.transaction);
      }),
    );
    return taken;
  }
}

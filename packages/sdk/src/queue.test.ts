import { IDBFactory } from 'fake-indexeddb';
import { createStore, values } from 'idb-keyval';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OUTBOX_MAX_AGE_MS as MAX_AGE_MS, OUTBOX_MAX_BATCHES as MAX_BATCHES } from '@csp-observer/core';
import { BatchQueue, LEASE_MS, type QueuedBatch } from './queue.js';

const NOW = Date.UTC(2026, 0, 15, 12);

const batch = (n: number, fields: Partial<QueuedBatch> = {}): QueuedBatch => ({
  id: `https://site.example/csp/events/tok#${n}`,
  url: 'https://site.example/csp/events/tok',
  body: `{"v":1,"events":[],"n":${n}}`,
  at: NOW - 60_000,
  lease: 0,
  ...fields,
});

/** What the outbox holds now, read through a store of its own (as another page view would). */
const stored = async () =>
  ((await values(createStore('csp-observer', 'outbox'))) as QueuedBatch[]).sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));

describe('BatchQueue', () => {
  beforeEach(() => {
    // A fresh, empty IndexedDB for each test: the queue opens its store on first use.
    vi.stubGlobal('indexedDB', new IDBFactory());
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('keeps an added batch until it is removed', async () => {
    const queue = new BatchQueue();
    await queue.add(batch(1));
    await queue.add(batch(2));
    expect((await stored()).map((b) => b.id)).toEqual([batch(1).id, batch(2).id]);
    await queue.remove(batch(1).id);
    expect(await stored()).toEqual([batch(2)]);
  });

  it('leases the leftovers it hands out: a second page view gets none of them until the lease ends', async () => {
    const queue = new BatchQueue();
    await queue.add(batch(1));
    const taken = await queue.takeLeftovers(NOW);
    expect(taken).toEqual([{ ...batch(1), lease: NOW + LEASE_MS }]);
    expect(await stored()).toEqual([{ ...batch(1), lease: NOW + LEASE_MS }]);

    const other = new BatchQueue();
    expect(await other.takeLeftovers(NOW + LEASE_MS - 1)).toEqual([]);
    // The lease ends at its time exactly.
    expect(await other.takeLeftovers(NOW + LEASE_MS)).toEqual([{ ...batch(1), lease: NOW + 2 * LEASE_MS }]);
  });

  it('leaves a batch being sent (leased by its page view) alone', async () => {
    const queue = new BatchQueue();
    await queue.add(batch(1, { at: NOW, lease: NOW + LEASE_MS }));
    expect(await queue.takeLeftovers(NOW + 1000)).toEqual([]);
    expect(await stored()).toHaveLength(1);
  });

  it('makes a released batch available again at once', async () => {
    const queue = new BatchQueue();
    await queue.add(batch(1, { at: NOW, lease: NOW + LEASE_MS }));
    await queue.release(batch(1).id);
    expect(await stored()).toEqual([batch(1, { at: NOW, lease: 0 })]);
    expect(await queue.takeLeftovers(NOW + 1)).toEqual([batch(1, { at: NOW, lease: NOW + 1 + LEASE_MS })]);
  });

  it('does not bring back a batch that was delivered meanwhile when it is released', async () => {
    const queue = new BatchQueue();
    await queue.add(batch(1));
    await queue.remove(batch(1).id);
    await queue.release(batch(1).id);
    expect(await stored()).toEqual([]);
  });

  it('drops batches older than MAX_AGE_MS unsent, and keeps one exactly that old', async () => {
    const queue = new BatchQueue();
    await queue.add(batch(1, { at: NOW - MAX_AGE_MS - 1 }));
    await queue.add(batch(2, { at: NOW - MAX_AGE_MS }));
    const taken = await queue.takeLeftovers(NOW);
    expect(taken.map((b) => b.id)).toEqual([batch(2).id]);
    expect((await stored()).map((b) => b.id)).toEqual([batch(2).id]);
  });

  it(`keeps at most ${MAX_BATCHES} batches, dropping the oldest (also leased ones)`, async () => {
    const queue = new BatchQueue();
    const extra = 5;
    // Added newest first: the order kept is by `at`, not by insertion or key.
    for (let i = MAX_BATCHES + extra - 1; i >= 0; i--)
      await queue.add(batch(i, { at: NOW - 1000 * (MAX_BATCHES + extra - i), lease: i === 0 ? NOW + LEASE_MS : 0 }));
    const taken = await queue.takeLeftovers(NOW);
    const kept = Array.from({ length: MAX_BATCHES }, (_, i) => batch(i + extra).id);
    expect(taken.map((b) => b.id)).toEqual(kept);
    expect((await stored()).map((b) => b.id)).toEqual(kept);
  });

  it('hands out the leftovers oldest first', async () => {
    const queue = new BatchQueue();
    await queue.add(batch(1, { at: NOW - 1000 }));
    await queue.add(batch(2, { at: NOW - 3000 }));
    await queue.add(batch(3, { at: NOW - 2000 }));
    expect((await queue.takeLeftovers(NOW)).map((b) => b.id)).toEqual([batch(2).id, batch(3).id, batch(1).id]);
  });

  describe('without usable IndexedDB', () => {
    it('does nothing and never throws when IndexedDB is missing', async () => {
      vi.stubGlobal('indexedDB', undefined);
      const queue = new BatchQueue();
      await expect(queue.add(batch(1))).resolves.toBeUndefined();
      await expect(queue.release(batch(1).id)).resolves.toBeUndefined();
      await expect(queue.remove(batch(1).id)).resolves.toBeUndefined();
      await expect(queue.takeLeftovers(NOW)).resolves.toEqual([]);
    });

    it('swallows a database that fails to open', async () => {
      const failing = {
        open() {
          const request = {
            error: new Error('blocked'),
            onerror: null as null | (() => void),
            onsuccess: null,
            onupgradeneeded: null,
            result: undefined,
          };
          queueMicrotask(() => request.onerror?.());
          return request;
        },
      };
      vi.stubGlobal('indexedDB', failing);
      const queue = new BatchQueue();
      await expect(queue.add(batch(1))).resolves.toBeUndefined();
      await expect(queue.takeLeftovers(NOW)).resolves.toEqual([]);
    });
  });
});

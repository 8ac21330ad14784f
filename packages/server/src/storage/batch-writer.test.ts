import { describe, expect, it, vi } from 'vitest';
import { BatchWriter } from './batch-writer.js';
import { DatabaseTimeoutError } from './deadline.js';
import type { ReportRecord } from '../report/report-record.js';
import type { ReportStore } from './report-store.js';

/** A store whose commits finish when the test says so. */
function controlledStore() {
  const commits: Array<{ reports: readonly ReportRecord[]; finish: (error?: Error) => void }> = [];
  const store = {
    insert: (reports: readonly ReportRecord[]) =>
      new Promise<void>((resolve, reject) => commits.push({ reports, finish: (error) => (error ? reject(error) : resolve()) })),
  } as unknown as ReportStore;
  return { store, commits };
}

const report = (n: number) => ({ lineNumber: n }) as unknown as ReportRecord;
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('BatchWriter', () => {
  it('answers a write only once its commit is done, and groups the writes that arrive meanwhile', async () => {
    const { store, commits } = controlledStore();
    const writer = new BatchWriter(store);
    const answered: number[] = [];
    void writer.write([report(1)]).then(() => answered.push(1));
    await settle();
    void writer.write([report(2)]).then(() => answered.push(2));
    void writer.write([report(3)]).then(() => answered.push(3));
    await settle();
    expect(commits).toHaveLength(1);
    expect(answered).toEqual([]);
    commits[0]!.finish();
    await settle();
    expect(answered).toEqual([1]);
    expect(commits[1]!.reports.map((r) => r.lineNumber)).toEqual([2, 3]);
    commits[1]!.finish();
    await writer.flush();
    expect(answered).toEqual([1, 2, 3]);
  });

  it("starts the next commit before it answers the last one's writes", async () => {
    const { store, commits } = controlledStore();
    const writer = new BatchWriter(store);
    let commitsWhenAnswered = 0;
    void writer.write([report(1)]).then(() => (commitsWhenAnswered = commits.length));
    await settle();
    void writer.write([report(2)]);
    commits[0]!.finish();
    await settle();
    expect(commitsWhenAnswered).toBe(2);
    commits[1]!.finish();
    await writer.flush();
  });

  it('retries a failed group one write at a time, so only the bad write fails', async () => {
    const { store, commits } = controlledStore();
    const writer = new BatchWriter(store);
    void writer.write([report(0)]);
    await settle();
    const good = writer.write([report(1)]);
    const bad = writer.write([report(2)]);
    commits[0]!.finish();
    await settle();
    commits[1]!.finish(new Error('constraint'));
    await settle();
    // Retries, one by one: the good write, then the bad one.
    commits[2]!.finish();
    await settle();
    commits[3]!.finish(new Error('constraint'));
    await expect(good).resolves.toBeUndefined();
    await expect(bad).rejects.toThrow('constraint');
    expect(commits.map((c) => c.reports.map((r) => r.lineNumber))).toEqual([[0], [1, 2], [1], [2]]);
  });

  // Issue 21, item 5: a database that stops answering must not hold every request.
  it('answers a write that the database does not commit in time with DatabaseTimeoutError', async () => {
    vi.useFakeTimers();
    try {
      const { store, commits } = controlledStore();
      const writer = new BatchWriter(store, { timeoutMs: 1000 });
      const late = writer.write([report(1)]);
      const failure = expect(late).rejects.toThrow('storing the reports: no answer from the database within 1000 ms');
      await vi.advanceTimersByTimeAsync(1000);
      await failure;
      await expect(late).rejects.toBeInstanceOf(DatabaseTimeoutError);
      commits[0]!.finish();
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a write at once when too many are waiting', async () => {
    const { store, commits } = controlledStore();
    const writer = new BatchWriter(store, { maxQueued: 2 });
    void writer.write([report(1)]);
    await settle();
    // The first is being committed; two wait, the third is refused.
    void writer.write([report(2)]);
    void writer.write([report(3)]);
    await expect(writer.write([report(4)])).rejects.toThrow('2 writes are waiting for the database');
    commits[0]!.finish();
    await settle();
    commits[1]!.finish();
    await writer.flush();
  });

  // Issue 21, item 8: /health said ok while every write failed.
  it('says writes are failing from a failed commit until one succeeds', async () => {
    const { store, commits } = controlledStore();
    const writer = new BatchWriter(store);
    expect(writer.failing()).toBeNull();
    const bad = writer.write([report(1)]);
    await settle();
    commits[0]!.finish(new Error('disk full'));
    await expect(bad).rejects.toThrow('disk full');
    expect(writer.failing()).toBe('disk full');
    expect(writer.failing(Date.now() + 60_000)).toBeNull();
    const good = writer.write([report(2)]);
    await settle();
    commits[1]!.finish();
    await good;
    expect(writer.failing()).toBeNull();
  });
});

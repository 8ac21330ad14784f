/**
 * Wakes whoever waits on a session (a long-poll, a stream) when new evidence for it is
 * committed in this process. Unbounded itself: the verdict route admits a request that waits only
 * within the caps of its WaiterGate, and each admitted request waits here at most once at a time.
 * (A wait that ended at once past a cap made its caller read the database again in a loop.)
 */
export class SessionHub {
  private readonly waiters = new Map<string, Set<() => void>>();
  private count = 0;

  /**
   * Resolves on the next `notify(sessionId)` or when `signal` aborts (true), or after `ms`
   * (false: nothing happened meanwhile).
   */
  wait(sessionId: string, ms: number, signal?: AbortSignal): Promise<boolean> {
    if (ms <= 0 || signal?.aborted) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      let set = this.waiters.get(sessionId);
      if (!set) this.waiters.set(sessionId, (set = new Set()));
      let timedOut = false;
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        if (set.delete(done)) this.count--;
        if (set.size === 0 && this.waiters.get(sessionId) === set) this.waiters.delete(sessionId);
        resolve(!timedOut);
      };
      const timer = setTimeout(() => {
        timedOut = true;
        done();
      }, ms);
      signal?.addEventListener('abort', done, { once: true });
      set.add(done);
      this.count++;
    });
  }

  notify(sessionId: string): void {
    const set = this.waiters.get(sessionId);
    if (set) for (const done of [...set]) done();
  }

  /** Wakes every wait (after a gap in the notifications, so that each one checks again). */
  notifyAll(): void {
    for (const set of [...this.waiters.values()]) for (const done of [...set]) done();
  }

  /** Waits in progress (for the health endpoint and tests). */
  get size(): number {
    return this.count;
  }
}

/**
 * Counts per key in fixed windows, in memory and bounded: the oldest keys are forgotten first
 * when it is full. Per process: with several processes each enforces its own share.
 */
export class WindowCounter {
  private counts = new Map<string, { windowStart: number; count: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Adds `n` to the key's count if it stays within `limit`; returns whether it did. */
  tryAdd(key: string, n: number, limit: number, now = Date.now()): boolean {
    let entry = this.counts.get(key);
    if (!entry || now - entry.windowStart >= this.windowMs) {
      this.counts.delete(key);
      entry = { windowStart: now, count: 0 };
      if (this.counts.size >= this.maxKeys) this.evictOldest();
      this.counts.set(key, entry);
    }
    if (entry.count + n > limit) return false;
    entry.count += n;
    return true;
  }

  /** Seconds until the key's window ends (for Retry-After). */
  retryAfter(key: string, now = Date.now()): number {
    const entry = this.counts.get(key);
    return entry ? Math.max(1, Math.ceil((entry.windowStart + this.windowMs - now) / 1000)) : 1;
  }

  private evictOldest(): void {
    // Map iteration follows insertion order: the first keys are the stalest.
    const drop = Math.max(1, Math.floor(this.maxKeys / 10));
    let i = 0;
    for (const key of this.counts.keys()) {
      if (i++ >= drop) break;
      this.counts.delete(key);
    }
  }
}

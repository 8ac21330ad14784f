/**
 * Counts per key in fixed windows, in memory and bounded: the oldest keys are forgotten first
 * when it is full. Per process: with several processes each enforces its own share.
 */
export class WindowCounter {
  private counts = new Map<string, { windowStart: number; count: number }>();
  /**
   * The latest window start among the keys forgotten to make room (0: none yet). A key first
   * counted after it cannot have been forgotten: its count here is all there is.
   */
  forgottenUntil = 0;

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

  /** Whether the key has a count in the current window. */
  has(key: string, now = Date.now()): boolean {
    const entry = this.counts.get(key);
    return entry !== undefined && now - entry.windowStart < this.windowMs;
  }

  /** Sets a key's count from elsewhere (what a forgotten key had counted), unless it counts more already. */
  seed(key: string, count: number, now = Date.now()): void {
    const entry = this.counts.get(key);
    if (entry && now - entry.windowStart < this.windowMs) {
      entry.count = Math.max(entry.count, count);
      return;
    }
    this.counts.delete(key);
    if (this.counts.size >= this.maxKeys) this.evictOldest();
    this.counts.set(key, { windowStart: now, count });
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
    for (const [key, entry] of this.counts) {
      if (i++ >= drop) break;
      this.forgottenUntil = Math.max(this.forgottenUntil, entry.windowStart);
      this.counts.delete(key);
    }
  }
}

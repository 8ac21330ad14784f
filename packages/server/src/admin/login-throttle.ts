/** Failures a source may make before it has to wait. */
const FREE_FAILURES = 5;
/** The first wait; each further failure doubles it, up to MAX_WAIT_MS. */
const FIRST_WAIT_MS = 1000;
const MAX_WAIT_MS = 15 * 60_000;
const MAX_TRACKED = 10_000;

/**
 * Failed admin credentials (login form and bearer tokens), per source with exponential backoff:
 * a few free failures, then the source waits 1 s, 2 s, 4 s ... (at most 15 min) before its next
 * attempt is even checked. A source is a known browser (the admin's device cookie) or a client
 * address, and the address is the one proxies saw (see clientIp): an attacker slows down only
 * itself, never the admin at another address or in a browser that logged in before. A success
 * clears the source. Per process and in memory, bounded.
 */
export class LoginThrottle {
  private readonly sources = new Map<string, { failures: number; nextAt: number }>();

  /** Milliseconds the source must still wait before an attempt is checked; 0 when it may try. */
  wait(source: string, now = Date.now()): number {
    const entry = this.sources.get(source);
    if (!entry) return 0;
    if (now - entry.nextAt > MAX_WAIT_MS) {
      // Quiet for longer than the longest wait: start afresh.
      this.sources.delete(source);
      return 0;
    }
    return Math.max(0, entry.nextAt - now);
  }

  fail(source: string, now = Date.now()): void {
    let entry = this.sources.get(source);
    if (!entry) {
      if (this.sources.size >= MAX_TRACKED) this.evict(now);
      entry = { failures: 0, nextAt: now };
      this.sources.set(source, entry);
    }
    entry.failures++;
    const over = entry.failures - FREE_FAILURES;
    entry.nextAt = over <= 0 ? now : now + Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** Math.min(over - 1, 30));
  }

  succeed(source: string): void {
    this.sources.delete(source);
  }

  private evict(now: number): void {
    for (const [key, entry] of this.sources) if (now - entry.nextAt > MAX_WAIT_MS) this.sources.delete(key);
    // Still full: forget the oldest tenth (Map order is insertion order).
    if (this.sources.size >= MAX_TRACKED) {
      let drop = MAX_TRACKED / 10;
      for (const key of this.sources.keys()) {
        if (drop-- <= 0) break;
        this.sources.delete(key);
      }
    }
  }
}

import type { DropRecord, ReportRecord, SessionRecord } from '../report/report-record.js';
import { deadline, DatabaseTimeoutError } from './deadline.js';
import type { ReportStore } from './report-store.js';

/** How long a failed commit keeps /health answering 503 when no commit succeeds after it. */
const FAILURE_MEMORY_MS = 60_000;

export interface BatchWriterOptions {
  /** Rows in one commit at most. */
  maxRowsPerCommit?: number;
  /** A write not committed within this many ms is answered with DatabaseTimeoutError (default: none). */
  timeoutMs?: number;
  /** Writes waiting at most; one more is refused at once with DatabaseTimeoutError (default 10,000). */
  maxQueued?: number;
  /** Told the time of each commit, in seconds, and whether it succeeded (the metrics' histogram). */
  onCommit?: (seconds: number, ok: boolean) => void;
}

interface Pending {
  reports: readonly ReportRecord[];
  sessions: readonly SessionRecord[];
  drops: readonly DropRecord[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: requests that arrive while a transaction is being written wait for the next
 * one, so many reports share one durable commit. `write()` resolves only once its reports are
 * committed, which is when the endpoint may answer 2xx.
 */
export class BatchWriter {
  private queue: Pending[] = [];
  private running: Promise<void> | null = null;
  private readonly maxRowsPerCommit: number;
  private readonly timeoutMs: number | null;
  private readonly maxQueued: number;
  private readonly onCommit: (seconds: number, ok: boolean) => void;
  /** The last commit's outcome: /health reports writes failing while the last one failed. */
  private lastFailure: { at: number; message: string } | null = null;

  constructor(
    private readonly store: Pick<ReportStore, 'insert'>,
    { maxRowsPerCommit = 2000, timeoutMs, maxQueued = 10_000, onCommit = () => undefined }: BatchWriterOptions = {},
  ) {
    this.onCommit = onCommit;
    this.maxRowsPerCommit = maxRowsPerCommit;
    this.timeoutMs = timeoutMs ?? null;
    this.maxQueued = maxQueued;
  }

  write(reports: readonly ReportRecord[], sessions: readonly SessionRecord[] = [], drops: readonly DropRecord[] = []): Promise<void> {
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(new DatabaseTimeoutError(`${this.queue.length} writes are waiting for the database`));
    }
    const written = new Promise<void>((resolve, reject) => {
      this.queue.push({ reports, sessions, drops, resolve, reject });
      this.running ??= this.drain();
    });
    return this.timeoutMs === null ? written : deadline(written, this.timeoutMs, 'storing the reports');
  }

  /** Writes waiting for a commit now. */
  get depth(): number {
    return this.queue.length;
  }

  /** Why writes are failing (the last commit failed, recently), or null when they succeed. */
  failing(now = Date.now()): string | null {
    const failure = this.lastFailure;
    return failure && now - failure.at < FAILURE_MEMORY_MS ? failure.message : null;
  }

  /** Resolves once everything queued so far is committed (or failed). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    // Let the requests of this tick join the first commit.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      while (this.queue.length > 0) {
        const batch = this.take();
        try {
          await this.timed(() =>
            this.store.insert(
              batch.flatMap((p) => p.reports),
              batch.flatMap((p) => p.sessions),
              batch.flatMap((p) => p.drops),
            ),
          );
          this.lastFailure = null;
          for (const p of batch) p.resolve();
        } catch (error) {
          if (batch.length === 1) {
            this.failed(error);
            batch[0]!.reject(error);
          } else await this.isolate(batch);
        }
      }
    } finally {
      this.running = null;
    }
  }

  /** A failed group is retried one request at a time, so one bad request fails alone. */
  private async isolate(batch: Pending[]): Promise<void> {
    for (const p of batch) {
      try {
        await this.timed(() => this.store.insert(p.reports, p.sessions, p.drops));
        this.lastFailure = null;
        p.resolve();
      } catch (error) {
        this.failed(error);
        p.reject(error);
      }
    }
  }

  private async timed(commit: () => Promise<void>): Promise<void> {
    const start = process.hrtime.bigint();
    let ok = false;
    try {
      await commit();
      ok = true;
    } finally {
      this.onCommit(Number(process.hrtime.bigint() - start) / 1e9, ok);
    }
  }

  private failed(error: unknown): void {
    this.lastFailure = { at: Date.now(), message: error instanceof Error ? error.message : String(error) };
  }

  private take(): Pending[] {
    let rows = 0;
    let count = 0;
    while (count < this.queue.length && (count === 0 || rows + this.queue[count]!.reports.length <= this.maxRowsPerCommit)) {
      rows += this.queue[count]!.reports.length;
      count++;
    }
    return this.queue.splice(0, count);
  }
}

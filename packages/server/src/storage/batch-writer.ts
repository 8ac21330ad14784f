import type { DropRecord, ReportRecord, SessionRecord } from '../report/report-record.js';
import type { ReportStore } from './report-store.js';

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

  constructor(
    private readonly store: ReportStore,
    private readonly maxRowsPerCommit = 2000,
  ) {}

  write(reports: readonly ReportRecord[], sessions: readonly SessionRecord[] = [], drops: readonly DropRecord[] = []): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ reports, sessions, drops, resolve, reject });
      this.running ??= this.drain();
    });
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
          await this.store.insert(
            batch.flatMap((p) => p.reports),
            batch.flatMap((p) => p.sessions),
            batch.flatMap((p) => p.drops),
          );
          for (const p of batch) p.resolve();
        } catch (error) {
          if (batch.length === 1) batch[0]!.reject(error);
          else await this.isolate(batch);
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
        await this.store.insert(p.reports, p.sessions, p.drops);
        p.resolve();
      } catch (error) {
        p.reject(error);
      }
    }
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

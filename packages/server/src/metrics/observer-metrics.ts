import type { Verdict } from '@csp-observer/core';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Why a report was not stored, as the metrics label it: the pipeline's drop reasons and the 429s. */
export type DroppedReason = 'filter' | 'extension-filter' | 'rule' | 'invalid-body' | 'rate-limit';

/** Seconds a commit may take, as histogram buckets: a SQLite commit is ~1 ms, a slow disk 1 s. */
const COMMIT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/**
 * The Prometheus metrics of one cspObserver instance, in a registry of its own (two instances in
 * one process do not share counters). Counting costs a map look-up per call; nothing is counted
 * per report that is not already iterated.
 */
export class ObserverMetrics {
  readonly registry = new Registry();
  private readonly received: Counter<'channel'>;
  private readonly stored: Counter<'channel'>;
  private readonly dropped: Counter<'reason'>;
  private readonly verdicts: Counter<'status'>;
  private readonly anomalies: Counter<'kind'>;
  private readonly commits: Histogram<'outcome'>;

  constructor(
    /** Writes waiting for a commit, read at each scrape. */
    queueDepth: () => number = () => 0,
  ) {
    const registers = [this.registry];
    this.received = new Counter({
      name: 'csp_observer_reports_received_total',
      help: 'Reports received, by channel (report-uri, report-to, sdk), before limits and filters.',
      labelNames: ['channel'],
      registers,
    });
    this.stored = new Counter({
      name: 'csp_observer_reports_stored_total',
      help: 'Reports committed to the database, by channel.',
      labelNames: ['channel'],
      registers,
    });
    this.dropped = new Counter({
      name: 'csp_observer_reports_dropped_total',
      help: 'Reports not stored, by reason: filter, extension-filter, rule (an ignore rule), invalid-body, rate-limit (answered 429).',
      labelNames: ['reason'],
      registers,
    });
    this.verdicts = new Counter({
      name: 'csp_observer_verdicts_total',
      help: 'Verdicts sent to visitors, once per page view and version, by status.',
      labelNames: ['status'],
      registers,
    });
    this.anomalies = new Counter({
      name: 'csp_observer_anomalies_total',
      help: 'Anomalies in the verdicts sent to visitors, by kind (each counted once per page view and version).',
      labelNames: ['kind'],
      registers,
    });
    this.commits = new Histogram({
      name: 'csp_observer_commit_duration_seconds',
      help: 'Time of one group commit of reports, by outcome (ok, failed).',
      labelNames: ['outcome'],
      buckets: COMMIT_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'csp_observer_write_queue_depth',
      help: 'Writes waiting for the database now.',
      registers,
      collect() {
        this.set(queueDepth());
      },
    });
  }

  reportsReceived(channel: string, n: number): void {
    if (n > 0) this.received.inc({ channel }, n);
  }

  reportsStored(channel: string, n: number): void {
    if (n > 0) this.stored.inc({ channel }, n);
  }

  reportsDropped(reason: DroppedReason, n: number): void {
    if (n > 0) this.dropped.inc({ reason }, n);
  }

  verdictShown(verdict: Pick<Verdict, 'status' | 'anomalies'>): void {
    this.verdicts.inc({ status: verdict.status });
    for (const anomaly of verdict.anomalies) this.anomalies.inc({ kind: anomaly.kind });
  }

  commit(seconds: number, ok: boolean): void {
    this.commits.observe({ outcome: ok ? 'ok' : 'failed' }, seconds);
  }

  /** The text exposition format, for `GET {prefix}/admin/metrics`. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

import type { Logger } from '../logger.js';
import type { ResolvedIngestOptions } from '../options/ingest-options.js';
import type { ReceivedReport } from '../report/received-report.js';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from './webhook-signature.js';

type WebhookOptions = Exclude<ResolvedIngestOptions['webhook'], false>;

/** Rule ids this process remembers having alerted on; past it the oldest are forgotten. */
const MAX_KNOWN_PROBLEMS = 10_000;
/** Longest wait between two attempts. */
const MAX_BACKOFF_MS = 5 * 60_000;

interface Problem {
  ruleId: string;
  title: string;
  count: number;
  page: string;
}

/** The JSON body: Slack's `text` and `blocks`, and the same facts for programs under `cspObserver`. */
export interface WebhookPayload {
  text: string;
  blocks: Array<{ type: 'section'; text: { type: 'mrkdwn'; text: string } }>;
  cspObserver: {
    events: Array<'new-problem' | 'anomaly' | 'spike'>;
    windowSeconds: number;
    reports: number;
    newProblems: Problem[];
    anomalies: Array<{ kind: 'hidden-content'; count: number }>;
  };
}

/**
 * Alerts by signed webhook, on the events the e-mail sees (reports committed, gathered per
 * window), narrowed to what needs a person: a rule matched for the first time in this process
 * (a new problem), content that slipped past the policy (the tripwire's anomaly), and a spike
 * (at least `spikeReports` reports in one window). Never blocks ingestion: `add()` only counts;
 * deliveries wait in a bounded queue (the oldest dropped past `maxQueued`), one at a time, with
 * exponential backoff between `attempts`.
 */
export class WebhookNotifier {
  private readonly known = new Set<string>();
  private window = { reports: 0, hidden: 0, problems: new Map<string, Problem>() };
  private timer: NodeJS.Timeout | undefined;
  /** Alerts waiting; the one being delivered is not among them. */
  private readonly queue: string[] = [];
  private sending: Promise<void> | null = null;
  private retryTimer: { timer: NodeJS.Timeout; wake: () => void } | null = null;
  private closed = false;
  /** Deliveries given up on (queue full, or out of attempts): counted, logged. */
  dropped = 0;

  constructor(
    private readonly options: WebhookOptions,
    private readonly logger: Logger,
  ) {}

  /** Alerts waiting for delivery (not the one under way). */
  get waiting(): number {
    return this.queue.length;
  }

  /** Committed reports (the canary left out) and the tripwire's hidden elements of one request. */
  add(reports: readonly ReceivedReport[], hidden = 0): void {
    if (this.closed || (reports.length === 0 && hidden === 0)) return;
    const w = this.window;
    w.reports += reports.length;
    w.hidden += hidden;
    for (const report of reports) {
      const rule = report.rule;
      if (!rule || rule.ignore || this.known.has(rule.id)) continue;
      const seen = w.problems.get(rule.id);
      if (seen) seen.count++;
      else w.problems.set(rule.id, { ruleId: rule.id, title: rule.title, count: 1, page: report.violation?.documentUri || report.url });
    }
    this.timer ??= setTimeout(() => this.closeWindow(), this.options.windowSeconds * 1000);
    this.timer.unref?.();
  }

  /** Closes the window now, then waits for the queue to be delivered once more (no backoff wait). */
  async flush(): Promise<void> {
    this.closeWindow();
    this.retryTimer?.wake();
    while (this.sending) await this.sending;
  }

  /** Stops: what is pending gets one last attempt each, without retries. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private closeWindow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const w = this.window;
    this.window = { reports: 0, hidden: 0, problems: new Map() };
    const newProblems = [...w.problems.values()];
    for (const problem of newProblems) {
      if (this.known.size >= MAX_KNOWN_PROBLEMS) this.known.delete(this.known.values().next().value as string);
      this.known.add(problem.ruleId);
    }
    const events: WebhookPayload['cspObserver']['events'] = [];
    if (newProblems.length) events.push('new-problem');
    if (w.hidden) events.push('anomaly');
    if (w.reports >= this.options.spikeReports) events.push('spike');
    if (events.length === 0) return;
    this.enqueue(JSON.stringify(payloadOf(events, w.reports, w.hidden, newProblems, this.options.windowSeconds)));
  }

  private enqueue(body: string): void {
    if (this.queue.length >= this.options.maxQueued) {
      this.queue.shift();
      this.giveUp('the queue is full; the oldest alert was dropped');
    }
    this.queue.push(body);
    this.sending ??= this.drain().finally(() => {
      this.sending = null;
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const body = this.queue.shift()!;
      let delivered = false;
      for (let attempt = 1; !delivered; attempt++) {
        const failure = await this.deliver(body);
        if (failure === null) delivered = true;
        else if (attempt >= this.options.attempts || this.closed) {
          this.giveUp(`${failure} after ${attempt} attempt(s)`);
          break;
        } else await this.backoff(Math.min(this.options.backoffSeconds * 1000 * 2 ** (attempt - 1), MAX_BACKOFF_MS));
      }
    }
  }

  /** One POST; null when the receiver answered 2xx, else why not. */
  private async deliver(body: string): Promise<string | null> {
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [WEBHOOK_SIGNATURE_HEADER]: signWebhook(this.options.secret, body) },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutSeconds * 1000),
      });
      await response.body?.cancel();
      return response.ok ? null : `the receiver answered ${response.status}`;
    } catch (error) {
      return `the request failed (${(error as Error).message})`;
    }
  }

  private backoff(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.retryTimer = null;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref?.();
      this.retryTimer = { timer, wake };
    });
  }

  private giveUp(why: string): void {
    this.dropped++;
    this.logger.error(`webhook: could not deliver an alert to ${originOf(this.options.url)}: ${why} (${this.dropped} given up so far)`);
  }
}

/** The URL's origin only: a Slack webhook's path is its secret. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}

function payloadOf(
  events: WebhookPayload['cspObserver']['events'],
  reports: number,
  hidden: number,
  newProblems: Problem[],
  windowSeconds: number,
): WebhookPayload {
  const lines: string[] = [];
  if (newProblems.length) {
    lines.push(`*${newProblems.length} new problem(s)*`);
    for (const p of newProblems.slice(0, 10)) lines.push(`• ${p.title} (\`${p.ruleId}\`, ${p.count}×) on ${p.page}`);
  }
  if (hidden) lines.push(`*Anomaly*: ${hidden} element(s) slipped past the policy (hidden content)`);
  if (events.includes('spike')) lines.push(`*Spike*: ${reports} reports in ${windowSeconds} s`);
  const headline = [
    newProblems.length ? `${newProblems.length} new problem(s)` : '',
    hidden ? 'hidden content' : '',
    events.includes('spike') ? `a spike of ${reports} reports` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return {
    text: `csp-observer: ${headline}`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }],
    cspObserver: {
      events,
      windowSeconds,
      reports,
      newProblems,
      anomalies: hidden ? [{ kind: 'hidden-content', count: hidden }] : [],
    },
  };
}

import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from '../logger.js';
import type { ResolvedIngestOptions } from '../options/ingest-options.js';
import type { ReceivedReport } from '../report/received-report.js';

type EmailOptions = Exclude<ResolvedIngestOptions['emailAdmins'], false>;

/** Reports listed in full in one message; the rest are counted. */
const MAX_LISTED = 20;

/**
 * E-mails reports to the admins (django-csp-reports' CSP_REPORTS_EMAIL_ADMINS), without letting a flood
 * become a mail flood: reports of one window share a message, and messages are capped per hour.
 */
export class EmailNotifier {
  private readonly transport: Transporter;
  private pending: ReceivedReport[] = [];
  private pendingCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private sentAt: number[] = [];
  private sending: Promise<void> = Promise.resolve();
  private warnedCap = false;

  constructor(
    private readonly options: EmailOptions,
    private readonly logger: Logger,
  ) {
    this.transport = nodemailer.createTransport(options.transport as Parameters<typeof nodemailer.createTransport>[0]);
  }

  add(reports: readonly ReceivedReport[]): void {
    if (reports.length === 0) return;
    this.pendingCount += reports.length;
    for (const report of reports) if (this.pending.length < MAX_LISTED) this.pending.push(report);
    this.timer ??= setTimeout(() => void this.send(), this.options.windowSeconds * 1000);
    this.timer.unref?.();
  }

  /** Sends what is pending now (on shutdown) and waits for messages under way. */
  async flush(): Promise<void> {
    if (this.pendingCount > 0) await this.send();
    await this.sending;
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.transport.close();
  }

  private send(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const reports = this.pending;
    const total = this.pendingCount;
    this.pending = [];
    this.pendingCount = 0;
    const now = Date.now();
    this.sentAt = this.sentAt.filter((t) => now - t < 3600_000);
    if (this.sentAt.length >= this.options.maxPerHour) {
      if (!this.warnedCap)
        this.logger.warn(`emailAdmins: ${this.options.maxPerHour} messages this hour, not sending ${total} more report(s)`);
      this.warnedCap = true;
      return this.sending;
    }
    this.warnedCap = false;
    this.sentAt.push(now);
    const message = composeMessage(reports, total, this.options);
    this.sending = this.sending
      .then(() => this.transport.sendMail(message))
      .then(
        () => undefined,
        (error: unknown) => this.logger.error({ err: error }, `emailAdmins: could not send to ${this.options.to.join(', ')}`),
      );
    return this.sending;
  }
}

function composeMessage(reports: readonly ReceivedReport[], total: number, options: EmailOptions) {
  const first = reports[0]!;
  const headline = first.violation
    ? `${first.violation.effectiveDirective} blocked ${first.violation.blockedUri || '(empty)'} on ${first.violation.documentUri}`
    : `${first.type} report from ${first.url}`;
  const more = total > 1 ? ` and ${total - 1} more` : '';
  const sections = reports.map((report, i) => {
    const v = report.violation;
    const lines = [
      `#${i + 1} ${report.type} via ${report.channel}${report.valid ? '' : ` (invalid: ${report.problems.join('; ')})`}`,
      ...(v
        ? [
            `  page:      ${v.documentUri}`,
            `  directive: ${v.effectiveDirective}`,
            `  blocked:   ${v.blockedUri}`,
            `  source:    ${v.sourceFile}${v.lineNumber ? `:${v.lineNumber}:${v.columnNumber}` : ''}`,
            `  sample:    ${v.sample}`,
          ]
        : [`  url:       ${report.url}`]),
      `  received:  ${new Date(report.receivedAt).toISOString()} from ${report.ip || 'unknown'} (${report.userAgent})`,
      `  raw:       ${JSON.stringify(report.raw)}`,
    ];
    return lines.join('\n');
  });
  const unlisted = total - reports.length;
  return {
    from: options.from,
    to: options.to,
    subject: `${options.subjectPrefix} ${headline}${more}`.slice(0, 250),
    text: [
      `csp-observer received ${total} report(s).`,
      '',
      ...sections,
      ...(unlisted > 0 ? ['', `${unlisted} more report(s) not listed.`] : []),
    ].join('\n\n'),
  };
}

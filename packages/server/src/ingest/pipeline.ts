import { isExtensionUrl, type Channel, type NormalizedReport } from '@csp-observer/core';
import type { Context } from 'koa';
import { HttpError } from '../http-error.js';
import { anonymizeIp } from '../ip.js';
import type { Logger } from '../logger.js';
import type { ResolvedOptions } from '../options.js';
import type { SessionToken } from '../session-token.js';
import type { BatchWriter } from '../storage/batch-writer.js';
import type { DropRecord, SessionRecord } from '../storage/report-store.js';
import { EmailNotifier } from './email-notifier.js';
import type { ReceivedReport } from './received-report.js';
import { logReport } from './report-log.js';
import { WindowCounter } from './rate-limiter.js';
import { toRecord, withoutQueries } from './to-record.js';

const MAX_USER_AGENT = 512;

/** Why a report was dropped before storage; the summary counts each. */
export type DropReason = 'filter' | 'extension-filter';

/**
 * The one path every report takes: limits, filters, storage (acknowledged once committed),
 * then the log, e-mail and custom handlers.
 */
export class ReportPipeline {
  private readonly perIp: WindowCounter | null;
  private readonly perSession: WindowCounter;
  private readonly email: EmailNotifier | null;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly writer: BatchWriter,
    private readonly logger: Logger,
  ) {
    const { perIp } = options.limits;
    this.perIp = perIp ? new WindowCounter(perIp.windowSeconds * 1000) : null;
    // A session lives at most sessionKeepDays; its count need not outlive that.
    this.perSession = new WindowCounter(options.sessionKeepDays * 86400_000);
    this.email = options.emailAdmins ? new EmailNotifier(options.emailAdmins, logger) : null;
  }

  async receive(ctx: Context, channel: Channel, session: SessionToken | null, reports: readonly NormalizedReport[]): Promise<void> {
    const { limits } = this.options;
    if (reports.length > limits.maxReportsPerRequest) {
      throw new HttpError(413, `at most ${limits.maxReportsPerRequest} reports per request`);
    }
    if (reports.length === 0) return;
    this.checkRate(ctx.ip, session, reports.length);

    const now = Date.now();
    const ip = anonymizeIp(ctx.ip);
    const userAgent = ctx.get('User-Agent').slice(0, MAX_USER_AGENT);
    const received: ReceivedReport[] = reports.map((report) => ({
      type: report.type,
      channel,
      sessionId: session?.id ?? null,
      violation: report.violation,
      valid: report.valid,
      problems: report.problems,
      url: report.url,
      userAgent: report.userAgent || userAgent,
      ip,
      receivedAt: now,
      raw: report.raw,
    }));

    // Without filters (the default) every report is kept: no per-report await on the hot path.
    const filtering = this.options.filterBrowserExtensions || this.options.filter !== null;
    const kept: ReceivedReport[] = filtering ? [] : received;
    const drops = new Map<DropReason, number>();
    if (filtering) {
      for (const report of received) {
        const reason = await this.dropReason(report, ctx);
        if (reason) drops.set(reason, (drops.get(reason) ?? 0) + 1);
        else kept.push(report);
      }
    }

    if (this.options.save) {
      const records = kept.map((report) => toRecord(report, this.options.stripQuery, this.extraFields(report, ctx)));
      const sessions: SessionRecord[] =
        session && records.length
          ? [{ id: session.id, issuedAt: session.issuedAt * 1000, seenAt: now, documentUri: records[0]!.documentUri, ip, userAgent }]
          : [];
      const dropRecords: DropRecord[] = [...drops].map(([reason, count]) => ({ at: now, reason, cause: '', ruleId: '', count }));
      await this.writer.write(records, sessions, dropRecords);
    }
    this.afterCommit(kept, ctx);
  }

  /** Sends pending e-mail and releases the SMTP connection. */
  async close(): Promise<void> {
    if (!this.email) return;
    await this.email.flush();
    this.email.close();
  }

  private checkRate(ip: string, session: SessionToken | null, n: number): void {
    const perIp = this.options.limits.perIp;
    if (this.perIp && perIp && !this.perIp.tryAdd(ip, n, perIp.reports)) {
      throw new HttpError(429, `too many reports from this address; retry in ${this.perIp.retryAfter(ip)} s`);
    }
    if (session && !this.perSession.tryAdd(session.id, n, this.options.limits.maxReportsPerSession)) {
      throw new HttpError(429, `this session has sent its ${this.options.limits.maxReportsPerSession} reports`);
    }
  }

  private async dropReason(report: ReceivedReport, ctx: Context): Promise<DropReason | null> {
    const v = report.violation;
    if (this.options.filterBrowserExtensions && v && (isExtensionUrl(v.blockedUri) || isExtensionUrl(v.sourceFile))) {
      return 'extension-filter';
    }
    if (this.options.filter) {
      try {
        if (!(await this.options.filter(report, ctx))) return 'filter';
      } catch (error) {
        // A throwing filter must not lose reports: keep it, and say so.
        this.logger.error('filter threw; the report is kept', error);
      }
    }
    return null;
  }

  private extraFields(report: ReceivedReport, ctx: Context): Record<string, unknown> | undefined {
    if (!this.options.extraFields) return undefined;
    try {
      return this.options.extraFields(report, ctx);
    } catch (error) {
      this.logger.error('extraFields threw; the report is stored without extra fields', error);
      return undefined;
    }
  }

  private afterCommit(reports: readonly ReceivedReport[], ctx: Context): void {
    if (reports.length === 0) return;
    const { log, handlers } = this.options;
    if (log || this.email) {
      const shown = this.options.stripQuery ? reports.map(withoutQueries) : reports;
      if (log) for (const report of shown) logReport(this.logger, log.level, log.name, report);
      this.email?.add(shown);
    }
    for (const handler of handlers) {
      for (const report of reports) {
        try {
          void Promise.resolve(handler(report, ctx)).catch((error: unknown) => this.logger.error(`report handler ${handler.name || '(anonymous)'} failed`, error));
        } catch (error) {
          this.logger.error(`report handler ${handler.name || '(anonymous)'} failed`, error);
        }
      }
    }
  }
}

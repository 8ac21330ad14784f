import {
  engineOf,
  isCanaryViolation,
  isExtensionUrl,
  type Channel,
  type NormalizedReport,
  type SdkCanary,
  type SdkHiddenElement,
  type SdkSource,
} from '@csp-observer/core';
import type { Context } from 'koa';
import { HttpError } from '../http/http-error.js';
import { anonymizeIp, clientIp, limitKey } from '../http/ip.js';
import { ownOrigin } from '../http/own-origin.js';
import type { Logger } from '../logger.js';
import type { ResolvedOptions } from '../options/options.js';
import type { SessionToken } from '../session/session-token.js';
import type { BatchWriter } from '../storage/batch-writer.js';
import type { DropRecord, SessionRecord } from '../report/report-record.js';
import { EmailNotifier } from './email-notifier.js';
import { WebhookNotifier } from './webhook-notifier.js';
import type { ReceivedReport } from '../report/received-report.js';
import { logReport } from './report-log.js';
import type { RuleBook } from '../rules/rule-book.js';
import { CANARY_TYPE } from '../report/report-types.js';
import { WindowCounter } from '../http/window-counter.js';
import { hiddenElementRecord, toRecord, withoutQueries } from '../report/to-record.js';
import type { ObserverMetrics } from '../metrics/observer-metrics.js';

const MAX_USER_AGENT = 512;

/** Why a report was dropped before storage; the summary counts each. */
export type DropReason = 'filter' | 'extension-filter' | 'rule' | 'invalid-body';

/**
 * An invalid report no session token vouches for keeps this much of its raw body: enough to see
 * what was sent, too little to fill the disk with.
 */
export const MAX_UNVOUCHED_INVALID_RAW = 1024;

/** What an SDK batch carries besides violations. */
export interface SdkExtras {
  /** Per report: the listener or the ReportingObserver saw it. */
  via: readonly SdkSource[];
  /** Per report: its number in the page view, or null. */
  seq: readonly (number | null)[];
  canary?: SdkCanary;
  hidden?: readonly SdkHiddenElement[];
}

interface Drop {
  reason: DropReason;
  cause: string;
  ruleId: string;
}

/**
 * The one path every report takes: limits, filters, storage (acknowledged once committed),
 * then the log, e-mail and custom handlers.
 */
export class ReportPipeline {
  private readonly perIp: WindowCounter | null;
  private readonly perSession: WindowCounter;
  private readonly invalidPerIp: WindowCounter;
  private readonly email: EmailNotifier | null;
  private readonly webhook: WebhookNotifier | null;

  constructor(
    private readonly options: Pick<ResolvedOptions, 'ingest' | 'storage' | 'prefix'>,
    private readonly writer: BatchWriter,
    private readonly logger: Logger,
    private readonly rules: RuleBook,
    /** Called once a session's new evidence is committed (wakes its verdict watchers). */
    private readonly onCommitted: (sessionId: string) => void = () => undefined,
    /**
     * The reports stored for a session: asked only for a session the per-session counter may have
     * forgotten (it tracks 100,000 sessions, then forgets the oldest), so that forgetting never
     * resets a session's budget.
     */
    private readonly storedOfSession: (sessionId: string) => Promise<number> = async () => 0,
    private readonly metrics: Pick<ObserverMetrics, 'reportsReceived' | 'reportsStored' | 'reportsDropped'> | null = null,
  ) {
    const { perIp } = options.ingest.limits;
    this.perIp = perIp ? new WindowCounter(perIp.windowSeconds * 1000) : null;
    // A session lives at most sessionKeepDays; its count need not outlive that.
    this.perSession = new WindowCounter(options.storage.sessionKeepDays * 86400_000);
    // Page views from before this process started may have reported to its predecessor: their
    // counts come from the database too.
    this.perSession.forgottenUntil = Date.now();
    this.invalidPerIp = new WindowCounter(options.ingest.limits.invalidPerIp.windowSeconds * 1000);
    this.email = options.ingest.emailAdmins ? new EmailNotifier(options.ingest.emailAdmins, logger) : null;
    this.webhook = options.ingest.webhook ? new WebhookNotifier(options.ingest.webhook, logger) : null;
  }

  async receive(
    ctx: Context,
    channel: Channel,
    session: SessionToken | null,
    reports: readonly NormalizedReport[],
    sdk?: SdkExtras,
  ): Promise<void> {
    const { limits } = this.options.ingest;
    if (reports.length > limits.maxReportsPerRequest) {
      throw new HttpError(413, `at most ${limits.maxReportsPerRequest} reports per request`);
    }
    const hidden = session ? (sdk?.hidden ?? []) : [];
    const canary = session ? sdk?.canary : undefined;
    if (reports.length === 0 && hidden.length === 0 && !canary) return;
    this.metrics?.reportsReceived(channel, reports.length);
    const address = clientIp(ctx);
    const addressKey = limitKey(address, limits.ipv6Prefix);
    if (session) await this.recallSession(session);
    try {
      this.checkRate(addressKey, session, reports.length + hidden.length);
    } catch (error) {
      this.metrics?.reportsDropped('rate-limit', reports.length);
      throw error;
    }

    const now = Date.now();
    const site = session?.site ?? '';
    const ip = anonymizeIp(address);
    const userAgent = ctx.get('User-Agent').slice(0, MAX_USER_AGENT);
    const sdkPath = `${this.options.prefix}/sdk.js`;
    const ownSdk = `${ownOrigin(ctx)}${sdkPath}`;
    const engine = engineOf(userAgent);
    const received: ReceivedReport[] = reports.map((report, i) => {
      const v = report.violation;
      const canaryReport = session !== null && v !== null && isCanaryViolation(v, [ownSdk, sdkOnOriginOf(v.documentUri, sdkPath)]);
      return {
        type: canaryReport ? CANARY_TYPE : report.type,
        channel,
        sessionId: session?.id ?? null,
        site,
        violation: v,
        valid: report.valid,
        problems: report.problems,
        url: report.url,
        userAgent: report.userAgent || userAgent,
        ip,
        receivedAt: now,
        raw: session === null && !report.valid ? unvouchedRaw(report.raw) : report.raw,
        via: sdk ? (sdk.via[i] ?? 'listener') : null,
        sdkSeq: sdk?.seq[i] ?? null,
        // Rules see the full URLs, before stripQuery.
        rule: v && !canaryReport ? this.rules.match(v, site, report.userAgent ? engineOf(report.userAgent) : engine) : null,
      };
    });

    const kept: ReceivedReport[] = [];
    const drops = new Map<string, Drop & { count: number }>();
    // Without filters (the default) no report waits on a filter: no per-report await on the hot path.
    const filtering = this.options.ingest.filterBrowserExtensions || this.options.ingest.filter !== null;
    for (const report of received) {
      const overInvalid = session === null && !report.valid && !this.invalidPerIp.tryAdd(addressKey, 1, limits.invalidPerIp.reports, now);
      const drop = overInvalid
        ? { reason: 'invalid-body' as const, cause: '', ruleId: '' }
        : report.rule?.ignore
          ? { reason: 'rule' as const, cause: report.rule.cause, ruleId: report.rule.id }
          : filtering
            ? await this.filterDrop(report, ctx)
            : null;
      if (!drop) {
        kept.push(report);
        continue;
      }
      const key = `${drop.reason}\u0000${drop.ruleId}`;
      const known = drops.get(key);
      if (known) known.count++;
      else drops.set(key, { ...drop, count: 1 });
    }

    if (this.options.ingest.save) {
      const records = kept.map((report) => toRecord(report, this.options.ingest.stripQuery, this.extraFields(report, ctx)));
      for (const element of hidden)
        records.push(hiddenElementRecord(element, session!.id, now, ip, userAgent, this.options.ingest.stripQuery));
      const sessions: SessionRecord[] =
        session && (records.length || canary)
          ? [
              {
                id: session.id,
                site: session.site,
                policy: session.policy ?? null,
                issuedAt: session.issuedAt * 1000,
                seenAt: now,
                documentUri: records[0]?.documentUri ?? '',
                ip,
                userAgent,
                sdkSeenAt: channel === 'sdk' ? now : null,
                canary: canary ? { outcome: canary.outcome, threw: canary.threw, at: now } : null,
              },
            ]
          : [];
      const dropRecords: DropRecord[] = [...drops.values()].map((drop) => ({ at: now, ...drop }));
      await this.writer.write(records, sessions, dropRecords);
      if (session && sessions.length) this.onCommitted(session.id);
      this.metrics?.reportsStored(channel, kept.length);
    }
    for (const drop of drops.values()) this.metrics?.reportsDropped(drop.reason, drop.count);
    // The canary is the SDK's own test, not a violation of the page: no log line, mail or handler call.
    const shown = kept.filter((report) => report.type !== CANARY_TYPE);
    this.webhook?.add(shown, hidden.length);
    this.afterCommit(shown, ctx);
  }

  /** Sends pending e-mail and releases the SMTP connection. */
  async close(): Promise<void> {
    await this.webhook?.close();
    if (!this.email) return;
    await this.email.flush();
    this.email.close();
  }

  /**
   * A session issued before the counter last forgot one may be a forgotten one: its count comes
   * back from the database. Newer sessions (nearly all) cost no query.
   */
  private async recallSession(session: SessionToken): Promise<void> {
    if (session.issuedAt * 1000 > this.perSession.forgottenUntil || this.perSession.has(session.id)) return;
    this.perSession.seed(session.id, await this.storedOfSession(session.id));
  }

  private checkRate(ip: string, session: SessionToken | null, n: number): void {
    const perIp = this.options.ingest.limits.perIp;
    if (this.perIp && perIp && !this.perIp.tryAdd(ip, n, perIp.reports)) {
      const wait = this.perIp.retryAfter(ip);
      throw new HttpError(429, `too many reports from this address; retry in ${wait} s`, wait);
    }
    if (session && !this.perSession.tryAdd(session.id, n, this.options.ingest.limits.maxReportsPerSession)) {
      // The page view is over its budget for good: its later reports would be refused as well.
      throw new HttpError(
        429,
        `this session has sent its ${this.options.ingest.limits.maxReportsPerSession} reports`,
        this.perSession.retryAfter(session.id),
      );
    }
  }

  private async filterDrop(report: ReceivedReport, ctx: Context): Promise<Drop | null> {
    const v = report.violation;
    if (this.options.ingest.filterBrowserExtensions && v && (isExtensionUrl(v.blockedUri) || isExtensionUrl(v.sourceFile))) {
      return { reason: 'extension-filter', cause: '', ruleId: '' };
    }
    if (this.options.ingest.filter) {
      try {
        if (!(await this.options.ingest.filter(report, ctx))) return { reason: 'filter', cause: '', ruleId: '' };
      } catch (error) {
        // A throwing filter must not lose reports: keep it, and say so.
        this.logger.error({ err: error }, 'filter threw; the report is kept');
      }
    }
    return null;
  }

  private extraFields(report: ReceivedReport, ctx: Context): Record<string, unknown> | undefined {
    if (!this.options.ingest.extraFields) return undefined;
    try {
      return this.options.ingest.extraFields(report, ctx);
    } catch (error) {
      this.logger.error({ err: error }, 'extraFields threw; the report is stored without extra fields');
      return undefined;
    }
  }

  private afterCommit(reports: readonly ReceivedReport[], ctx: Context): void {
    if (reports.length === 0) return;
    const { log, handlers } = this.options.ingest;
    if (log || this.email) {
      const shown = this.options.ingest.stripQuery ? reports.map(withoutQueries) : reports;
      if (log) for (const report of shown) logReport(this.logger, log.level, log.name, report);
      this.email?.add(shown);
    }
    for (const handler of handlers) {
      for (const report of reports) {
        try {
          void Promise.resolve(handler(report, ctx)).catch((error: unknown) =>
            this.logger.error({ err: error }, `report handler ${handler.name || '(anonymous)'} failed`),
          );
        } catch (error) {
          this.logger.error({ err: error }, `report handler ${handler.name || '(anonymous)'} failed`);
        }
      }
    }
  }
}

/** At most MAX_UNVOUCHED_INVALID_RAW characters of a raw body. */
function unvouchedRaw(raw: unknown): unknown {
  const text = typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? '');
  return text.length > MAX_UNVOUCHED_INVALID_RAW ? text.slice(0, MAX_UNVOUCHED_INVALID_RAW) : raw;
}

/**
 * The SDK as a page on this server loads it: `{prefix}/sdk.js` on the page's own origin (the
 * canary's source file in WebKit). A collector's sites load it from the collector's origin: the
 * `ownSdk` beside it. Only local and collector mode have a pipeline, so the prefix is the endpoint.
 */
function sdkOnOriginOf(documentUri: string, sdkPath: string): string {
  const origin = /^https?:\/\/[^/?#]+/i.exec(documentUri)?.[0];
  return origin ? `${origin}${sdkPath}` : '';
}

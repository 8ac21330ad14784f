import {
  advisePolicy,
  CAUSES,
  CHANNELS,
  judgePopulation,
  NONCE_PLACEHOLDER,
  parsePolicy,
  policyWeaknesses,
  serializePolicy,
} from '@csp-observer/core';
import type {
  AdminOverview,
  AdminPage,
  AdminPolicy,
  AdminReport,
  AdminReportFilterValues,
  AdminReportListItem,
  AdminRule,
  AdminRulePreview,
  AdminRulesList,
  AdminRulesUpdateRequest,
  AdminRulesUpdateResult,
  AdminSavedRule,
  AdminSessionDetail,
  AdminSessionListItem,
  AdminSettings,
  AdminSites,
  Unchecked,
} from '@csp-observer/core';
import type Router from '@koa/router';
import { HttpError } from '../http/http-error.js';
import type { Knex } from 'knex';
import type { Logger } from '../logger.js';
import type { ObserverMetrics } from '../metrics/observer-metrics.js';
import type { ResolvedOptions } from '../options/options.js';
import type { RuleBook } from '../rules/rule-book.js';
import { sentPolicy } from '../page/csp-header.js';
import { updateRules, type UpdateRulesResult } from '../rules/update-rules.js';
import { STORED_SESSION_ID } from '../session/session-token.js';
import {
  DAY,
  filterValues,
  listReports,
  listSessions,
  MAX_HOURLY_DAYS,
  MAX_PAGE_SIZE,
  overview,
  reportById,
  reportedPolicies,
  ruleCounts,
  unexplainedViolations,
  type ReportFilters,
} from '../storage/admin-queries.js';
import { populationKey, populationOf } from '../storage/population-queries.js';
import { summarize } from '../storage/summary-queries.js';
import type { ReportStore } from '../storage/report-store.js';
import type { RuleStore } from '../storage/rule-store.js';
import type { VerdictService } from '../verdict/verdict-service.js';
import type { Guard } from './admin-auth.js';
import { customRuleFrom, previewRule, ruleView } from './custom-rules.js';
import { intParam, jsonBody, param, period } from './params.js';
import { effectiveSettings } from './settings.js';

/** Rule counts and previews look at this many days. */
export const RULE_WINDOW_DAYS = 7;
/** The page views a violation's population is counted among: the site's of the last days. */
export const POPULATION_WINDOW_DAYS = 7;

function oneOf(name: string, value: string, allowed: readonly string[]): string | undefined {
  if (!value) return undefined;
  if (!allowed.includes(value)) throw new HttpError(400, `${name} must be one of ${allowed.join(', ')}`);
  return value;
}

/**
 * What the dashboard's API needs: the database its queries read, the rules (stored and in
 * force), the verdicts it explains, and the options it shows.
 */
export interface AdminApiDeps {
  options: ResolvedOptions;
  logger: Logger;
  db: Knex;
  store: Pick<ReportStore, 'reportsOfSession'>;
  ruleStore: RuleStore;
  rules: RuleBook;
  verdicts: Pick<VerdictService, 'current'>;
  /** The Prometheus metrics served at `{prefix}/admin/metrics`. */
  metrics: Pick<ObserverMetrics, 'text'>;
}

/** The dashboard's JSON API under `{prefix}/admin/api`; every route is guarded. */
export function apiRoutes(router: Router, deps: AdminApiDeps, guard: Guard): void {
  const { db, options } = deps;
  const titleOf = (id: string) => deps.rules.rule(id)?.title ?? id;

  router.get(
    '/admin/api/overview',
    guard(async (ctx) => {
      const p = period(ctx);
      const bucket = oneOf('bucket', param(ctx, 'bucket'), ['hour', 'day']) === 'hour' ? 'hour' : 'day';
      if (bucket === 'hour' && p.to - p.from > MAX_HOURLY_DAYS * DAY)
        throw new HttpError(400, `bucket=hour covers a period of at most ${MAX_HOURLY_DAYS} days`);
      const [figures, summary] = await Promise.all([overview(db, p, bucket), summarize(db, new Date(p.from), new Date(p.to), 10, p.site)]);
      ctx.body = {
        from: new Date(p.from).toISOString(),
        to: new Date(p.to).toISOString(),
        total: summary.total,
        valid: summary.valid,
        invalid: summary.invalid,
        perDay: figures.perDay,
        ...(figures.perHour ? { perHour: figures.perHour } : {}),
        channels: summary.channels,
        sessions: figures.sessions,
        causes: summary.causes,
        rules: figures.rules.map((rule) => ({ ...rule, title: titleOf(rule.id) })),
        blocked: summary.blocked,
        pages: summary.sources,
        anomalies: figures.anomalies,
        dropped: {
          total: summary.dropped.total,
          byReason: summary.dropped.by_reason,
          byCause: summary.dropped.by_cause,
          byRule: summary.dropped.by_rule,
        },
      } satisfies AdminOverview;
    }),
  );

  router.get(
    '/admin/api/reports',
    guard(async (ctx) => {
      const valid = oneOf('valid', param(ctx, 'valid'), ['true', 'false']);
      const filters: ReportFilters = {
        ...period(ctx),
        directive: param(ctx, 'directive') || undefined,
        host: param(ctx, 'host') || undefined,
        page: param(ctx, 'pageUrl') || undefined,
        cause: oneOf('cause', param(ctx, 'cause'), [...CAUSES, 'unknown']),
        rule: param(ctx, 'rule') || undefined,
        channel: oneOf('channel', param(ctx, 'channel'), CHANNELS),
        valid: valid === undefined ? undefined : valid === 'true',
        session: param(ctx, 'session') || undefined,
        q: param(ctx, 'q').slice(0, 200) || undefined,
      };
      const page = intParam(ctx, 'page', 1, 100_000);
      const pageSize = intParam(ctx, 'pageSize', 25, MAX_PAGE_SIZE);
      const { items, total } = await listReports(db, filters, page, pageSize);
      ctx.body = {
        items: items.map((item) => ({ ...item, ruleTitle: item.ruleId ? titleOf(item.ruleId) : null })),
        total,
        page,
        pageSize,
      } satisfies AdminPage<AdminReportListItem>;
    }),
  );

  router.get(
    '/admin/api/reports/filters',
    guard(async (ctx) => {
      ctx.body = {
        ...(await filterValues(db, period(ctx))),
        causes: [...CAUSES, 'unknown'],
        allChannels: CHANNELS,
      } satisfies AdminReportFilterValues;
    }),
  );

  router.get(
    '/admin/api/reports/:id',
    guard(async (ctx) => {
      const id = Number(ctx.params.id);
      if (!Number.isSafeInteger(id) || id < 1) throw new HttpError(400, 'a report id is a positive whole number');
      const report = await reportById(db, id);
      if (!report) throw new HttpError(404, `no report ${id}`);
      ctx.body = { ...report, ruleTitle: report.ruleId ? titleOf(report.ruleId) : null } satisfies AdminReport;
    }),
  );

  router.get(
    '/admin/api/sessions',
    guard(async (ctx) => {
      const status = oneOf('status', param(ctx, 'status'), ['problems', 'clean', 'observing', 'none']);
      const page = intParam(ctx, 'page', 1, 100_000);
      const pageSize = intParam(ctx, 'pageSize', 25, MAX_PAGE_SIZE);
      const { items, total } = await listSessions(
        db,
        { ...period(ctx), status, q: param(ctx, 'q').slice(0, 200) || undefined },
        page,
        pageSize,
      );
      ctx.body = { items, total, page, pageSize } satisfies AdminPage<AdminSessionListItem>;
    }),
  );

  router.get(
    '/admin/api/sessions/:id',
    guard(async (ctx) => {
      const id = ctx.params.id ?? '';
      if (!STORED_SESSION_ID.test(id)) throw new HttpError(400, 'not a session id');
      const { verdict, unexplained, session } = await deps.verdicts.current(id);
      if (!session) throw new HttpError(404, `no session ${id}`);
      const since = Date.now() - POPULATION_WINDOW_DAYS * DAY;
      const [reports, counts] = await Promise.all([
        deps.store.reportsOfSession(id),
        populationOf(
          db,
          session.site,
          unexplained.map((u) => u.violation),
          since,
        ),
      ]);
      ctx.body = {
        session,
        shown: session.shownVerdict,
        current: verdict,
        // Whose each unexplained violation likely is, by the site's page views of the last days (the owner's view only).
        unexplained: unexplained.map(({ violation }) => {
          const population = {
            pageViewsWithIt: counts.withIt.get(populationKey(violation.effectiveDirective, violation.blockedUri)) ?? 1,
            pageViews: counts.pageViews,
          };
          return { violation, population: { ...population, days: POPULATION_WINDOW_DAYS, side: judgePopulation(population) } };
        }),
        reports: reports.map((report) => ({ ...report, ruleTitle: report.ruleId ? titleOf(report.ruleId) : null })),
      } satisfies AdminSessionDetail;
    }),
  );

  router.get(
    '/admin/api/rules',
    guard(async (ctx) => {
      const [stored, state, counts] = await Promise.all([
        deps.ruleStore.list(),
        deps.ruleStore.state(),
        ruleCounts(db, Date.now() - RULE_WINDOW_DAYS * DAY),
      ]);
      const inForce = new Set(deps.rules.rules.map((rule) => rule.id));
      const view = (rule: (typeof stored)[number]): AdminRule => ({
        ...ruleView(rule),
        count: counts.get(rule.id) ?? 0,
        inForce: inForce.has(rule.id),
      });
      ctx.body = {
        windowDays: RULE_WINDOW_DAYS,
        source: options.rules.source,
        autoUpdate: options.rules.autoUpdate,
        updateInterval: options.rules.updateInterval,
        state: {
          lastUpdated: state.lastUpdated ? new Date(state.lastUpdated * 1000).toISOString() : null,
          updatedAt: state.updatedAt ? new Date(state.updatedAt).toISOString() : null,
          source: state.source,
        },
        global: stored.filter((rule) => rule.origin === 'global').map(view),
        custom: stored.filter((rule) => rule.origin === 'custom').map(view),
      } satisfies AdminRulesList;
    }),
  );

  router.post(
    '/admin/api/rules/update',
    guard(async (ctx) => {
      const body: Unchecked<AdminRulesUpdateRequest> = await jsonBody(ctx).catch(() => ({}) as Record<string, unknown>);
      let result: UpdateRulesResult;
      try {
        result = await updateRules(deps.ruleStore, {
          source: options.rules.source,
          force: body.force !== false,
          updateInterval: options.rules.updateInterval,
          verify: options.rules,
        });
      } catch (error) {
        throw new HttpError(502, `could not read the rules from ${options.rules.source}: ${(error as Error).message}`);
      }
      if (result.status === 'updated') await deps.rules.load();
      deps.logger.info(`rules update from the dashboard: ${result.status}: ${result.message}`);
      ctx.body = result satisfies AdminRulesUpdateResult;
    }),
  );

  router.post(
    '/admin/api/rules/preview',
    guard(async (ctx) => {
      const body = await jsonBody(ctx);
      const rule = customRuleFrom({ ...body, id: typeof body.id === 'string' && body.id ? body.id : 'custom:preview' }, options.collector);
      ctx.body = (await previewRule(db, rule, RULE_WINDOW_DAYS)) satisfies AdminRulePreview;
    }),
  );

  router.post(
    '/admin/api/rules',
    guard(async (ctx) => {
      const rule = customRuleFrom(await jsonBody(ctx), options.collector);
      if (await deps.ruleStore.get(rule.id)) throw new HttpError(409, `a rule ${rule.id} exists already; edit it instead`);
      await deps.ruleStore.saveCustom(rule);
      await deps.rules.load();
      ctx.status = 201;
      ctx.body = ruleView(rule) satisfies AdminSavedRule;
    }),
  );

  router.put(
    '/admin/api/rules/:id',
    guard(async (ctx) => {
      const id = ctx.params.id ?? '';
      const existing = await deps.ruleStore.get(id);
      if (existing?.origin !== 'custom') throw new HttpError(404, `no custom rule ${id} (global rules change only with rule updates)`);
      const rule = customRuleFrom({ ...(await jsonBody(ctx)), id }, options.collector);
      await deps.ruleStore.saveCustom(rule);
      await deps.rules.load();
      ctx.body = ruleView(rule) satisfies AdminSavedRule;
    }),
  );

  router.delete(
    '/admin/api/rules/:id',
    guard(async (ctx) => {
      const id = ctx.params.id ?? '';
      if (!(await deps.ruleStore.deleteCustom(id))) throw new HttpError(404, `no custom rule ${id}`);
      await deps.rules.load();
      ctx.status = 204;
    }),
  );

  router.get(
    '/admin/api/policy',
    guard(async (ctx) => {
      const p = period(ctx);
      const [violations, reported] = await Promise.all([unexplainedViolations(db, p), reportedPolicies(db, p)]);
      // A collector site's policy is set by the site: the one its visitors' browsers reported most.
      const remote = Boolean(p.site);
      const configured = remote ? policyOfReports(reported[0]?.policy ?? '') : sentPolicy(options);
      const advice = advisePolicy(configured, violations);
      ctx.body = {
        from: new Date(p.from).toISOString(),
        to: new Date(p.to).toISOString(),
        reportOnly: remote ? null : options.page.reportOnly,
        configured: { policy: configured, header: serializePolicy(configured), from: remote ? 'reports' : 'options' },
        weaknesses: advice.weaknesses,
        proposals: advice.proposals,
        proposed: {
          policy: advice.proposed,
          header: serializePolicy(advice.proposed),
          options: withoutAdded(advice.proposed, remote ? configured : options.page.policy),
        },
        reported: reported.map((entry) => ({ ...entry, weaknesses: policyWeaknesses(parsePolicy(entry.policy)) })),
      } satisfies AdminPolicy;
    }),
  );

  router.get(
    '/admin/api/settings',
    guard((ctx) => {
      ctx.body = effectiveSettings(options) satisfies AdminSettings;
    }),
  );

  router.get(
    '/admin/api/sites',
    guard((ctx) => {
      const now = Date.now();
      ctx.body = {
        collector: options.collector !== null,
        sites: [...(options.collector?.values() ?? [])].map((site) => ({
          id: site.id,
          origins: [...site.origins],
          secrets: site.secrets.filter((s) => s.until === null || s.until > now).length,
          graceUntil: site.secrets.filter((s) => s.until !== null && s.until > now).map((s) => new Date(s.until!).toISOString()),
        })),
      } satisfies AdminSites;
    }),
  );
}

/**
 * A policy as browsers reported it, as the assistant reads a configured one: without the
 * reporting directives, each nonce as the placeholder.
 */
function policyOfReports(header: string): Record<string, string[]> {
  const policy: Record<string, string[]> = {};
  for (const [directive, sources] of Object.entries(parsePolicy(header))) {
    if (directive === 'report-uri' || directive === 'report-to') continue;
    policy[directive] = [...new Set(sources.map((s) => (/^'nonce-/i.test(s) ? NONCE_PLACEHOLDER : s)))];
  }
  return policy;
}

/**
 * The proposed policy as the `policy` option would be written: without the nonce and
 * 'report-sample' the middleware adds itself.
 */
function withoutAdded(proposed: Record<string, readonly string[]>, original: Record<string, readonly string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [directive, sources] of Object.entries(proposed)) {
    const kept = sources.filter((s) => s !== NONCE_PLACEHOLDER && (s !== "'report-sample'" || original[directive]?.includes(s)));
    if (kept.length || original[directive]) out[directive] = kept;
  }
  return out;
}

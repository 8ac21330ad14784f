import type { AllowlistProposal, PolicyWeakness } from '../policy-advice.js';
import type { Policy } from '../policy.js';
import type { Population, PopulationSide } from '../rules/population.js';
import type { Cause, RuleOrigin } from '../rules/rule.js';
import type { RejectedRule, RuleJson, RuleMatchJson } from '../rules/rules-file.js';
import type { CanaryOutcome, SdkSource } from '../sdk-protocol.js';
import type { Channel, Violation } from '../violation.js';
import type { VerdictStatus, Verdict, VersionedVerdict } from './verdict.js';

/**
 * The admin JSON API under `{prefix}/admin/api/` (docs/api.md): what each route takes and answers.
 * The server's route handlers (admin/api-routes.ts, admin/admin-routes.ts) are checked against
 * these types; the dashboard reads them. Type-only: nothing here reaches a bundle.
 *
 * Field names are camelCase, but for a rule's own (RuleJson: the rules file's names). Times are
 * epoch milliseconds, except the ISO 8601 strings of a period's `from` and `to`, the rules'
 * `state` and a site's `graceUntil`.
 */

/** Every error, of every endpoint: a 4xx (or 503) with a message. */
export interface ErrorBody {
  /** What was wrong, in words. */
  error: string;
}

// ---- Access -------------------------------------------------------------------------------

/** `GET session`: how this request got in. */
export interface AdminSessionInfo {
  /** `token` (Authorization: Bearer), `session` (the login cookie) or `hook` (the app's authorize). */
  via: 'hook' | 'token' | 'session';
  /** What state-changing calls must send as `X-CSRF-Token`; null for bearer-token calls. */
  csrfToken: string | null;
  /** The mount prefix, e.g. `/csp`. */
  prefix: string;
  /** Whether `POST logout` ends this access (only a login cookie can be ended). */
  canLogOut: boolean;
}

/** `POST login` (answers 204 and sets the cookie). */
export interface AdminLoginRequest {
  /** The admin password (or the admin token). */
  password?: string;
  /** The admin token, read when `password` is absent. */
  token?: string;
}

// ---- Query parameters ---------------------------------------------------------------------

/** The period and site of every view that covers one (query parameters). */
export interface AdminPeriodQuery {
  /** Start: `2026-11-20`, an ISO date-time or epoch ms; default `to` minus 7 days. */
  from?: string;
  /** End, exclusive (a bare date includes that day); default now. */
  to?: string;
  /** A collector site's id, or `local` for this server's own pages; absent: every site. */
  site?: string;
}

/** `GET overview` (query parameters). */
export interface AdminOverviewQuery extends AdminPeriodQuery {
  /** `hour` adds `perHour` (a period of at most 7 days); `day` (the default) counts per day only. */
  bucket?: 'hour' | 'day';
}

/** Paging (query parameters). */
export interface AdminPageQuery {
  /** The page, from 1. */
  page?: string | number;
  /** Rows per page, 1 to 100 (default 25). */
  pageSize?: string | number;
}

/** `GET reports` (query parameters): each filter narrows the list. */
export interface AdminReportQuery extends AdminPeriodQuery, AdminPageQuery {
  /** The effective directive, exactly. */
  directive?: string;
  /** The blocked URI's host (any scheme and port). */
  host?: string;
  /** The page's URL starts with this. */
  pageUrl?: string;
  /** A cause, or `unknown` for reports no rule explains. */
  cause?: string;
  /** The id of the rule that explains the report. */
  rule?: string;
  /** `sdk`, `report-uri` or `report-to`. */
  channel?: string;
  /** `true` or `false`. */
  valid?: string;
  /** A page view's id. */
  session?: string;
  /** Text anywhere in the blocked URI, page, source file, sample, violated directive or user agent. */
  q?: string;
}

/** `GET sessions` (query parameters). */
export interface AdminSessionQuery extends AdminPeriodQuery, AdminPageQuery {
  /** The verdict the visitor was sent: `problems`, `clean`, `observing`, or `none` (none was sent). */
  status?: string;
  /** Text in the page's URL. */
  q?: string;
}

// ---- Lists ---------------------------------------------------------------------------------

/** One page of a list. */
export interface AdminPage<T> {
  /** The rows of this page, newest first. */
  items: T[];
  /** Rows in the whole list. */
  total: number;
  /** This page, from 1. */
  page: number;
  /** Rows per page. */
  pageSize: number;
}

// ---- Overview ------------------------------------------------------------------------------

/** Reports of one day and channel. */
export interface AdminDayCount {
  /** The UTC day, `2026-11-20`. */
  day: string;
  /** The channel the reports came by. */
  channel: string;
  /** Reports. */
  count: number;
}

/** Reports of one UTC hour and channel. */
export interface AdminHourCount {
  /** The hour's start, an ISO date-time: `2026-11-20T14:00:00.000Z`. */
  hour: string;
  /** The channel the reports came by. */
  channel: string;
  /** Reports. */
  count: number;
}

/** A URL and how many reports name it (query and fragment removed). */
export interface AdminUriCount {
  /** The URL. */
  uri: string;
  /** Reports. */
  count: number;
}

/** Page views first seen in the period, by the verdict the visitor was sent. */
export interface AdminSessionCounts {
  /** Every page view. */
  total: number;
  /** Sent `problems`. */
  problems: number;
  /** Sent `clean`. */
  clean: number;
  /** Sent `observing` last. */
  observing: number;
  /** Sent no verdict (no SDK, or the popup is off). */
  unseen: number;
}

/** Reports dropped by filters and ignore rules (never stored). */
export interface AdminDropCounts {
  /** Every dropped report. */
  total: number;
  /** Per reason (`filter`, `rule`, `extension-filter`). */
  byReason: Record<string, number>;
  /** Per cause of the ignore rule. */
  byCause: Record<string, number>;
  /** Per ignore rule id. */
  byRule: Record<string, number>;
}

/** `GET overview` (AdminOverviewQuery): the figures of a period. The SDK's canary is never counted. */
export interface AdminOverview {
  /** The period's start. */
  from: string;
  /** The period's end (exclusive). */
  to: string;
  /** Reports received. */
  total: number;
  /** Valid reports. */
  valid: number;
  /** Invalid reports (stored with their raw body). */
  invalid: number;
  /** Reports per day and channel, oldest day first. */
  perDay: AdminDayCount[];
  /** Reports per hour and channel, oldest hour first: only when asked for with `bucket=hour`. */
  perHour?: AdminHourCount[];
  /** Reports per channel. */
  channels: Record<string, number>;
  /** Page views by verdict. */
  sessions: AdminSessionCounts;
  /** Valid reports per cause (`unknown`: no rule explains them). */
  causes: Record<Cause | 'unknown', number>;
  /** The ten rules that explained the most reports. */
  rules: Array<{ id: string; count: number; title: string }>;
  /** The most blocked URIs (valid reports). */
  blocked: AdminUriCount[];
  /** The pages with the most reports. */
  pages: AdminUriCount[];
  /** Page views per anomaly kind (AnomalyKind) in the verdict they were sent. */
  anomalies: Record<string, number>;
  /** Reports dropped before storage. */
  dropped: AdminDropCounts;
}

// ---- Reports -------------------------------------------------------------------------------

/** A report as the list shows it: the violation's fields (Violation) but its policy, and where it came from. */
export interface AdminReportListItem extends Omit<Violation, 'originalPolicy'> {
  /** The report's id. */
  id: number;
  /** Its page view; null for the plain collector (`POST {prefix}/report`). */
  sessionId: string | null;
  /** The collector site ("" for this server's own pages). */
  site: string;
  /** How it arrived. */
  channel: Channel;
  /** `csp-violation`, `csp-canary`, `hidden-element`, or another Reporting API type. */
  reportType: string;
  /** When it arrived. */
  receivedAt: number;
  /** The correlation fingerprint (both channels' sightings share it); null when invalid. */
  fingerprint: string | null;
  /** Whether it is a well-formed CSP violation. */
  isValid: boolean;
  /** Why it is invalid; empty when valid. */
  problems: string[];
  /** The browser's User-Agent. */
  userAgent: string;
  /** The anonymized IP (IPv4 /16, IPv6 /48). */
  ip: string;
  /** The cause of the rule that explains it; null when none does. */
  cause: Cause | null;
  /** The rule that explains it; null when none does. */
  ruleId: string | null;
  /** That rule's title (today's); null when none. */
  ruleTitle: string | null;
  /** SDK reports: the page's listener or its ReportingObserver saw it; null for native reports. */
  via: SdkSource | null;
  /** What the extraFields hook returned, as JSON; null without one. */
  extra: string | null;
  /** SDK reports: the event's number in its page view; else null. */
  sdkSeq: number | null;
}

/** `GET reports/:id`: a report in full. */
export interface AdminReport extends AdminReportListItem {
  /** The policy the browser reported being under. */
  originalPolicy: string;
  /** The body as received (JSON text, or the body's text when it was not JSON). */
  raw: string;
}

/** `GET reports/filters` (AdminPeriodQuery): the values the report filters offer. */
export interface AdminReportFilterValues {
  /** Effective directives seen in the period. */
  directives: string[];
  /** Channels seen in the period. */
  channels: string[];
  /** Rule ids seen in the period. */
  rules: string[];
  /** Every cause, and `unknown`. */
  causes: Array<Cause | 'unknown'>;
  /** Every channel. */
  allChannels: readonly Channel[];
}

// ---- Page views (sessions) -------------------------------------------------------------------

/** The verdict a visitor's page was last sent. */
export interface AdminShownVerdict {
  /** Its status. */
  status: VerdictStatus;
  /** The verdict, as the server that sent it wrote it (without its version). */
  verdict: Verdict;
  /** When it was sent. */
  at: number;
}

/** A page view as stored (written on its first report, never per page view served). */
export interface AdminSession {
  /** Its id (`<site>.<random>` for a collector site's page views). */
  id: string;
  /** The collector site ("" for this server's own pages). */
  site: string;
  /** What the site's policy lets the verdict expect (a site's token says); null: this server's options say. */
  policy: { canary: boolean; reportingApi: boolean } | null;
  /** When the page's token was minted. */
  issuedAt: number;
  /** Its first report. */
  firstSeenAt: number;
  /** Its latest report. */
  lastSeenAt: number;
  /** The page of its first report. */
  documentUri: string;
  /** The anonymized IP. */
  ip: string;
  /** The browser's User-Agent. */
  userAgent: string;
  /** When the SDK was first heard from; null: never (blocked, or not on the page). */
  sdkSeenAt: number | null;
  /** What the SDK said of its canary, and when; null: nothing yet. */
  canary: { outcome: CanaryOutcome; threw: boolean; at: number } | null;
  /** When the visitor shared its unknown reports; null: never. */
  sharedAt: number | null;
  /** The verdict the visitor's page was last sent; null: none was. */
  shownVerdict: AdminShownVerdict | null;
}

/** A row of `GET sessions`. */
export interface AdminSessionListItem extends AdminSession {
  /** Its reports (the canary left out). */
  reports: number;
}

/** How common a violation is among the site's page views. */
export interface AdminPopulation extends Population {
  /** The window counted, in days. */
  days: number;
  /** Whose it likely is: the site's own, the visitor's side, or too few page views to tell. */
  side: PopulationSide;
}

/** A violation no rule explains, with whose it likely is. */
export interface AdminUnexplainedViolation {
  /** The violation (once, whichever channels saw it). */
  violation: Violation;
  /** Among the site's page views of the last days. */
  population: AdminPopulation;
}

/** `GET sessions/:id`: a page view, both verdicts and its reports side by side. */
export interface AdminSessionDetail {
  /** The page view. */
  session: AdminSession;
  /** The verdict the visitor was sent (as `session.shownVerdict`); null: none was. */
  shown: AdminShownVerdict | null;
  /** The verdict with today's rules. */
  current: VersionedVerdict;
  /** The violations no rule explains today. */
  unexplained: AdminUnexplainedViolation[];
  /** Its reports, oldest first, in full. */
  reports: AdminReport[];
}

// ---- Rules ---------------------------------------------------------------------------------

/**
 * A rule as `POST rules` and `PUT rules/:id` answer it: the rule as a rules file writes it
 * (RuleJson, with the file's field names), and where it comes from.
 */
export interface AdminSavedRule extends RuleJson {
  /** `global` (the rules file) or `custom` (the site owner's). */
  origin: RuleOrigin;
  /** The collector site a custom rule is limited to; null: every site. */
  site: string | null;
}

/** A rule as `GET rules` lists it. */
export interface AdminRule extends AdminSavedRule {
  /** Reports it explained (or dropped, for an ignore rule) in the last `windowDays` days. */
  count: number;
  /** Whether the rules in force hold it (a rule whose patterns fail to compile is left out). */
  inForce: boolean;
}

/** When and from where the global rules were last taken. */
export interface AdminRulesState {
  /** The rules file's own date (its `last_updated`); null before any update. */
  lastUpdated: string | null;
  /** When this database took it; null before any update. */
  updatedAt: string | null;
  /** Where it came from (a URL, a path or `bundled`). */
  source: string;
}

/** `GET rules`. */
export interface AdminRulesList {
  /** The days each rule's `count` covers. */
  windowDays: number;
  /** The configured `rules.source`. */
  source: string;
  /** Whether this process updates the rules on a schedule. */
  autoUpdate: boolean;
  /** Seconds between two updates. */
  updateInterval: number;
  /** The last update. */
  state: AdminRulesState;
  /** The global rules, in the order they are tried. */
  global: AdminRule[];
  /** The custom rules (tried first). */
  custom: AdminRule[];
}

/**
 * The body of `POST rules`, `PUT rules/:id` and `POST rules/preview`: a rule as a rules file
 * writes it (docs/rules.md), plus the collector site it is for.
 */
export interface AdminRuleRequest {
  /** `custom:` is prefixed when missing; made from the title when absent; `PUT` takes the URL's. */
  id?: string;
  /** What on the visitor's side causes it. */
  cause: Cause;
  /** Short name of the cause, shown to the visitor. */
  title: string;
  /** One sentence for the popup and lists. */
  short_description?: string;
  /** Markdown for the scan report page. */
  long_description?: string;
  /** Drop matching reports as noise. */
  ignore?: boolean;
  /** One or more matchers (at least one pattern each). */
  match: Array<Partial<RuleMatchJson>>;
  /** Public sources that document the cause. */
  references?: string[];
  /** A collector's site the rule is limited to; absent, null or "": every site. */
  site?: string | null;
}

/** A report a previewed rule would explain. */
export interface AdminRulePreviewExample {
  /** The report's id. */
  id: number;
  /** Its blocked URI. */
  blockedUri: string;
  /** Its effective directive. */
  effectiveDirective: string;
  /** Its page. */
  documentUri: string;
  /** Its source file. */
  sourceFile: string;
  /** Its sample. */
  sample: string;
  /** The rule that explains it today; null: none. */
  ruleId: string | null;
}

/** `POST rules/preview`: what the rule would explain among the recent reports. */
export interface AdminRulePreview {
  /** Reports it matches. */
  matched: number;
  /** Reports looked at (the newest of the last `days` days). */
  scanned: number;
  /** Whether `scanned` hit the bound (older reports were not looked at). */
  limited: boolean;
  /** The days looked at. */
  days: number;
  /** Matched reports no rule explains today. */
  unexplainedNow: number;
  /** A few of the matched reports. */
  examples: AdminRulePreviewExample[];
}

/** The body of `POST rules/update`. */
export interface AdminRulesUpdateRequest {
  /** Ignore the update interval (default true). */
  force?: boolean;
}

/** The answer of `POST rules/update`. */
export interface AdminRulesUpdateResult {
  /** `updated`; `skipped` (too soon, or already up to date); `refused` (the file failed a sanity check). */
  status: 'updated' | 'skipped' | 'refused';
  /** What happened, in words. */
  message: string;
  /** Where the rules were read from. */
  source: string;
  /** Ids of global rules added. */
  added: string[];
  /** Ids of global rules removed. */
  removed: string[];
  /** Ids of global rules changed. */
  changed: string[];
  /** Global rules unchanged. */
  unchanged: number;
  /** Rules of the file that were not taken, with the reason. */
  rejected: RejectedRule[];
  /** Global rules in force afterwards. */
  total: number;
  /** The file's `last_updated`, Unix seconds (0 if it was not read). */
  lastUpdated: number;
}

// ---- Policy assistant ----------------------------------------------------------------------

/** A policy browsers reported being under. */
export interface AdminReportedPolicy {
  /** The policy as reported. */
  policy: string;
  /** Reports that carried it. */
  count: number;
  /** Its weak points. */
  weaknesses: PolicyWeakness[];
}

/** `GET policy` (AdminPeriodQuery): the policy's weak points and the allowlist changes the violations suggest. */
export interface AdminPolicy {
  /** The period's start. */
  from: string;
  /** The period's end (exclusive). */
  to: string;
  /** Whether the policy is sent report-only; null for a collector site (the site sends it). */
  reportOnly: boolean | null;
  /** The policy looked at. */
  configured: {
    /** As directives and sources (each nonce as `'nonce-…'`). */
    policy: Policy;
    /** As a header value. */
    header: string;
    /** `options`: this server's; `reports`: the one a site's visitors' browsers reported most. */
    from: 'options' | 'reports';
  };
  /** Its weak points. */
  weaknesses: PolicyWeakness[];
  /** Sources to add, and advice where no source would be right. */
  proposals: AllowlistProposal[];
  /** The policy with every `add` proposal applied. */
  proposed: {
    /** As directives and sources. */
    policy: Policy;
    /** As a header value. */
    header: string;
    /** As the `policy` option would be written (without the nonce and 'report-sample' the middleware adds). */
    options: Policy;
  };
  /** The policies browsers reported, most frequent first. */
  reported: AdminReportedPolicy[];
}

// ---- Settings and sites ----------------------------------------------------------------------

/**
 * `GET settings`: the effective options, keyed by their names in `cspObserver()` options
 * (docs/configuration.md), secrets masked and functions named.
 */
export type AdminSettings = Record<string, unknown>;

/** A site of a central collector. */
export interface AdminSite {
  /** The site's id. */
  id: string;
  /** The origins its pages are served from. */
  origins: string[];
  /** Secrets that verify its tokens now. */
  secrets: number;
  /** When each retired secret stops being accepted. */
  graceUntil: string[];
}

/** `GET sites`. */
export interface AdminSites {
  /** Whether this server is a central collector. */
  collector: boolean;
  /** Its sites; empty when it is not a collector. */
  sites: AdminSite[];
}

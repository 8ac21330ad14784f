// The product: what an application imports. Everything here is covered by semantic versioning;
// the project's own benches and tests reach further through `@csp-observer/server/internals`.

// The middleware and the standalone server.
export { cspObserver } from './observer.js';
export type { CspObserverMiddleware, CspObserverSiteMiddleware } from './observer.js';
export type { CspObserverState } from './page/page-middleware.js';
export { createStandaloneApp, createStandaloneServer } from './standalone.js';
export type { ServerLimitsOptions } from './http/server-limits.js';
export type { StandaloneOptions } from './standalone.js';

// Options.
export { OptionsError } from './options/option-checks.js';
export { DEFAULT_POLICY } from './options/page-options.js';
export type { CspObserverOptions, RemoteSiteOptions } from './options/options.js';
export type { EnabledPaths, PageOptions } from './options/page-options.js';
export type {
  EmailAdminsOptions,
  IngestOptions,
  LimitsOptions,
  LogLevel,
  ReportFilter,
  ReportHandler,
  WebhookOptions,
} from './options/ingest-options.js';
export { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from './ingest/webhook-signature.js';
export type { WebhookPayload } from './ingest/webhook-notifier.js';
export type { StorageOptions } from './options/storage-options.js';
export type { VisitorOptions } from './options/visitor-options.js';
export type { AdminOptions } from './options/admin-options.js';
export type { RulesOptions } from './options/rules-options.js';
export type { CollectorOptions, CollectorSite, RemoteOptions } from './options/site-options.js';
export type { DatabaseOption } from './storage/database.js';
export type { LogFields, Logger, LogMethod } from './logger.js';

// What handlers, filters and the middleware's store hand to the application.
export type { ReceivedReport } from './report/received-report.js';
export type { StoredReport, StoredSession } from './report/report-record.js';
// What `GET {prefix}/verdict/:token` answers (defined in core, the SDK reads the same type).
export type { Verdict, VersionedVerdict } from '@csp-observer/core';

// Operations from code (the CLI does the same).
export { migrateLatest, migrateRollback } from './storage/migrations.js';
export { updateRules } from './rules/update-rules.js';
export type { UpdateRulesOptions, UpdateRulesResult } from './rules/update-rules.js';

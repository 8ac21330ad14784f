import type { Knex } from 'knex';
import type { ReportPipeline } from './ingest/pipeline.js';
import type { Logger } from './logger.js';
import type { ResolvedOptions } from './options.js';
import type { BatchWriter } from './storage/batch-writer.js';
import type { RuleBook } from './rules/rule-book.js';
import type { ReportStore } from './storage/report-store.js';
import type { RuleStore } from './storage/rule-store.js';
import type { TokenVerifier } from './routes/token-verifier.js';
import type { VerdictService } from './verdict/verdict-service.js';

/** What every route of one cspObserver instance shares. */
export interface ObserverContext {
  options: ResolvedOptions;
  logger: Logger;
  db: Knex;
  store: ReportStore;
  writer: BatchWriter;
  pipeline: ReportPipeline;
  ruleStore: RuleStore;
  rules: RuleBook;
  verdicts: VerdictService;
  /** Verifies (and remembers) the session tokens of report, event and verdict routes. */
  tokens: TokenVerifier;
}

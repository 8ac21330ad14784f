import type { Knex } from 'knex';
import type { ReportPipeline } from './ingest/pipeline.js';
import type { Logger } from './logger.js';
import type { ResolvedOptions } from './options.js';
import type { BatchWriter } from './storage/batch-writer.js';
import type { ReportStore } from './storage/report-store.js';

/** What every route of one cspObserver instance shares. */
export interface ObserverContext {
  options: ResolvedOptions;
  logger: Logger;
  db: Knex;
  store: ReportStore;
  writer: BatchWriter;
  pipeline: ReportPipeline;
}

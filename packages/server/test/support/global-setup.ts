import type { TestProject } from 'vitest/node';
import { startThrowawayCluster } from './postgres-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PostgreSQL server URL for the tests, or "" when they must skip. */
    postgresUrl: string;
    /** Why the PostgreSQL tests skip ("" when they run). */
    postgresSkipReason: string;
  }
}

/**
 * Provides a PostgreSQL server to the integration tests: CSP_OBSERVER_TEST_POSTGRES_URL when
 * set, else a throwaway cluster stopped after the run. Where none can be had the PostgreSQL
 * tests skip with the reason, except under CI=true, where that is a failure.
 */
export default async function setup(project: TestProject) {
  const given = process.env.CSP_OBSERVER_TEST_POSTGRES_URL;
  if (given) {
    project.provide('postgresUrl', given);
    project.provide('postgresSkipReason', '');
    return;
  }
  const cluster = await startThrowawayCluster();
  if (typeof cluster === 'string') {
    if (process.env.CI === 'true') throw new Error(`CI=true and the PostgreSQL tests cannot run: ${cluster}`);
    console.warn(`\n[csp-observer tests] PostgreSQL tests SKIPPED: ${cluster}\n`);
    project.provide('postgresUrl', '');
    project.provide('postgresSkipReason', cluster);
    return;
  }
  console.info(`[csp-observer tests] throwaway PostgreSQL cluster at ${cluster.url}`);
  project.provide('postgresUrl', cluster.url);
  project.provide('postgresSkipReason', '');
  return () => cluster.stop();
}

import type { Knex } from 'knex';

/** The most recent reports of a site that a population count reads: bounded work per request. */
export const POPULATION_SCAN_LIMIT = 50_000;
/** The most violations one count covers (a page view's unexplained ones, most first). */
export const POPULATION_MAX_VIOLATIONS = 50;

export interface PopulationCounts {
  /** Page views of the site since `since`. */
  pageViews: number;
  /** Per `directive blocked-uri`: page views of the site since `since` that had it. */
  withIt: Map<string, number>;
}

export const populationKey = (directive: string, blockedUri: string) => `${directive} ${blockedUri}`;

/**
 * How many of a site's page views since `since` had each of these violations, among its newest
 * POPULATION_SCAN_LIMIT reports (an old site's history is read no further than that).
 */
export async function populationOf(
  db: Knex,
  site: string,
  violations: ReadonlyArray<{ effectiveDirective: string; blockedUri: string }>,
  since: number,
): Promise<PopulationCounts> {
  const wanted = violations.slice(0, POPULATION_MAX_VIOLATIONS);
  const [sessions, rows] = await Promise.all([
    db('cspo_sessions').where('site', site).andWhere('last_seen_at', '>=', since).count({ n: '*' }).first() as Promise<
      { n: number | string } | undefined
    >,
    wanted.length === 0
      ? Promise.resolve([] as Array<Record<string, unknown>>)
      : (db
          // The site's newest reports first (the (site, received_at) index, at most the limit), then the ones asked about.
          .from(
            db('cspo_reports')
              .select('session_id', 'report_type', 'effective_directive', 'blocked_uri')
              .where('site', site)
              .andWhere('received_at', '>=', since)
              .orderBy('received_at', 'desc')
              .limit(POPULATION_SCAN_LIMIT)
              .as('recent'),
          )
          .where('report_type', 'csp-violation')
          .whereIn('blocked_uri', [...new Set(wanted.map((v) => v.blockedUri))])
          .select('effective_directive', 'blocked_uri')
          .countDistinct({ n: 'session_id' })
          .groupBy('effective_directive', 'blocked_uri') as Promise<Array<Record<string, unknown>>>),
  ]);
  const withIt = new Map<string, number>();
  for (const row of rows) withIt.set(populationKey(String(row.effective_directive), String(row.blocked_uri)), Number(row.n));
  return { pageViews: Number(sessions?.n ?? 0), withIt };
}

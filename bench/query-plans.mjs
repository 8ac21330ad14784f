// Prints PostgreSQL's plans (EXPLAIN ANALYZE) for the queries the dashboard, the verdicts and
// retention run, on a throwaway cluster filled with ROWS reports over 30 days and three sites.
// The queries are the real ones: captured from the built functions as they run.
// Run `pnpm build` first, then `pnpm bench query-plans`; docs/query-plans.md shows a run.
import { migrateLatest } from '@csp-observer/server';
import { openDatabase, ReportStore } from '@csp-observer/server/internals';
import { listReports, listSessions, overview } from '../packages/server/dist/storage/admin-queries.js';
import { summarize } from '../packages/server/dist/storage/summary-queries.js';
import { deleteOlderThan } from '../packages/server/dist/storage/retention.js';
import { startThrowawayCluster } from '../scripts/throwaway-postgres.mjs';

const ROWS = Number(process.env.PLAN_ROWS ?? 300_000);
const DAY = 86400_000;

const cluster = await startThrowawayCluster();
if (typeof cluster === 'string') {
  console.error(`query-plans: ${cluster}`);
  process.exit(1);
}
const { db } = openDatabase(cluster.url);
try {
  await migrateLatest(db);
  const now = Date.now();
  const sessions = Math.ceil(ROWS / 5);
  // Reports spread evenly over 30 days, three sites ('' is the server's own pages), five per page view.
  await db.raw(
    `INSERT INTO cspo_reports (session_id, site, channel, report_type, received_at, document_uri, blocked_uri, effective_directive, violated_directive, original_policy, is_valid, raw, cause, rule_id)
     SELECT s.site || (CASE WHEN s.site = '' THEN '' ELSE '.' END) || 'S' || (i % ${sessions}), s.site, (ARRAY['report-uri','sdk'])[1 + i % 2], 'csp-violation',
            ? - ((${ROWS} - i)::bigint * ${Math.floor((30 * DAY) / ROWS)}), 'https://' || coalesce(nullif(s.site, ''), 'www') || '.test/p/' || (i % 400),
            (ARRAY['inline','eval','https://cdn.test/x.js','https://www.superfish.com/ws/sf_main.js'])[1 + i % 4],
            (ARRAY['script-src-elem','script-src','style-src-attr','img-src'])[1 + i % 4], 'script-src-elem', 'default-src ''self''', true, '{}',
            CASE WHEN i % 4 = 3 THEN 'malware' END, CASE WHEN i % 4 = 3 THEN 'malware.superfish' END
     FROM generate_series(1, ?) AS i, LATERAL (SELECT (ARRAY['', 'shop', 'blog'])[1 + i % 3] AS site) AS s`,
    [now, ROWS],
  );
  await db.raw(
    `INSERT INTO cspo_sessions (id, site, issued_at, first_seen_at, last_seen_at, document_uri, verdict_status)
     SELECT s.site || (CASE WHEN s.site = '' THEN '' ELSE '.' END) || 'S' || i, s.site, t, t, t, 'https://shop.test/', (ARRAY['clean','problems',NULL])[1 + i % 3]
     FROM generate_series(1, ?) AS i, LATERAL (SELECT (ARRAY['', 'shop', 'blog'])[1 + i % 3] AS site, ? - ((${sessions} - i)::bigint * ${Math.floor((30 * DAY) / sessions)}) AS t) AS s`,
    [sessions, now],
  );
  // A fourth, small site: 1% as many reports.
  await db.raw(
    `INSERT INTO cspo_reports (session_id, site, channel, report_type, received_at, document_uri, blocked_uri, effective_directive, violated_directive, original_policy, is_valid, raw)
     SELECT 'news.S' || (i % 100), 'news', 'report-uri', 'csp-violation', ? - ((${ROWS / 100} - i)::bigint * ${Math.floor((30 * DAY) / (ROWS / 100))}), 'https://news.test/', 'inline', 'script-src-elem', 'script-src-elem', '', true, '{}'
     FROM generate_series(1, ${ROWS / 100}) AS i`,
    [now],
  );
  await db.raw('ANALYZE');

  const week = { from: now - 7 * DAY, to: now + 1 };
  const cases = [
    ['Report list, one site, last 7 days (page 1 and its count)', (q) => listReports(q, { ...week, site: 'shop' }, 1, 25)],
    [
      'Report list filtered by directive and cause, every site',
      (q) => listReports(q, { ...week, directive: 'script-src', cause: 'malware' }, 1, 25),
    ],
    [
      'Report list and overview of a small site (1% of the reports)',
      async (q) => [await listReports(q, { ...week, site: 'news' }, 1, 25), await overview(q, { ...week, site: 'news' })],
    ],
    ['Page-view list, one site, last 7 days', (q) => listSessions(q, { ...week, site: 'blog' }, 1, 25)],
    ['Overview figures, one site, last 7 days', (q) => overview(q, { ...week, site: 'shop' })],
    [
      'Summary (overview causes, channels, top pages), every site, last 7 days',
      (q) => summarize(q, new Date(week.from), new Date(week.to), 10),
    ],
    ["A page view's evidence (every verdict)", (q) => new ReportStore(q).evidenceOfSession('shop.S42')],
    ['Retention: deleting the oldest 2 days in batches (each statement once)', (q) => deleteOlderThan(q, now - 28 * DAY)],
  ];
  console.log(
    `PostgreSQL query plans: ${ROWS} reports and ${sessions} page views over 30 days, 3 sites, and a fourth site with ${ROWS / 100} reports\n`,
  );
  const rollback = new Error('rollback');
  /** Runs `work` in a transaction that is then rolled back: nothing the plans run is kept. */
  const rolledBack = async (work) => {
    let result;
    await db
      .transaction(async (trx) => {
        result = await work(trx);
        throw rollback;
      })
      .catch((error) => {
        if (error !== rollback) throw error;
      });
    return result;
  };
  for (const [title, run] of cases) {
    const captured = [];
    const listener = (query) => captured.push(query);
    db.on('query', listener);
    await rolledBack(run);
    db.off('query', listener);
    console.log(`## ${title}\n`);
    const distinct = [...new Map(captured.filter((q) => /^(select|delete)/i.test(q.sql)).map((q) => [q.sql, q])).values()];
    for (const query of distinct) {
      const sql = query.sql.replace(/\$\d+/g, '?');
      const plan = await rolledBack((trx) => trx.raw(`EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) ${sql}`, query.bindings ?? []));
      console.log('```');
      console.log(query.sql);
      console.log('--');
      console.log(plan.rows.map((row) => row['QUERY PLAN']).join('\n'));
      console.log('```\n');
    }
  }
} finally {
  await db.destroy();
  cluster.stop();
}

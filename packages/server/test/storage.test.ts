import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/storage/database.js';
import { BatchWriter } from '../src/storage/batch-writer.js';
import { migrateLatest, migrateRollback } from '../src/storage/migrations.js';
import { ReportStore } from '../src/storage/report-store.js';
import { testDatabases } from './support/databases.js';
import { reportRecord } from './support/records.js';

const record = reportRecord;

const ALL_MIGRATIONS = [
  '0001_sessions_and_reports',
  '0002_rules_and_detection',
  '0003_sdk_queue_and_sharing',
  '0004_shown_verdicts',
  '0005_collector_sites',
];

describe.each(testDatabases())('storage on $name', (database) => {
  afterAll(() => database.cleanup());

  it.skipIf(Boolean(database.skip))('migrates up and down, using its own migrations table', async () => {
    const { db } = openDatabase(await database.create());
    try {
      expect(await migrateLatest(db)).toEqual(ALL_MIGRATIONS);
      expect(await db.schema.hasTable('cspo_reports')).toBe(true);
      expect(await db.schema.hasTable('cspo_migrations')).toBe(true);
      expect(await db.schema.hasTable('knex_migrations')).toBe(false);
      expect(await db.schema.hasTable('cspo_rules')).toBe(true);
      expect(await migrateRollback(db)).toEqual([...ALL_MIGRATIONS].reverse());
      expect(await db.schema.hasTable('cspo_reports')).toBe(false);
      expect(await db.schema.hasTable('cspo_rules')).toBe(false);
    } finally {
      await db.destroy();
    }
  });

  it.skipIf(Boolean(database.skip))('groups concurrent writes into few commits and fails a bad request alone', async () => {
    const { db } = openDatabase(await database.create());
    try {
      await migrateLatest(db);
      const store = new ReportStore(db);
      let commits = 0;
      const counting = Object.assign(Object.create(store) as ReportStore, {
        insert: (...args: Parameters<ReportStore['insert']>) => {
          commits++;
          return store.insert(...args);
        },
      });
      const writer = new BatchWriter(counting);
      // A NOT NULL violation fails the transaction it is in, on both databases.
      const bad = record({ raw: null as unknown as string });
      const results = await Promise.allSettled([
        ...Array.from({ length: 100 }, (_, i) => writer.write([record({ documentUri: `https://a.test/${i}` })])),
        writer.write([bad]),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(100);
      expect(results[100]!.status).toBe('rejected');
      expect(await store.countReports()).toBe(100);
      // One group commit plus the retry of its members one by one after the bad one failed it.
      expect(commits).toBeLessThanOrEqual(1 + 101);
      const clean = new BatchWriter(counting);
      commits = 0;
      await Promise.all(Array.from({ length: 100 }, () => clean.write([record()])));
      expect(commits).toBeLessThanOrEqual(2);
      expect(await store.countReports()).toBe(200);
    } finally {
      await db.destroy();
    }
  });

  it.skipIf(Boolean(database.skip))('stores hostile text exactly as sent (quotes, SQL, NUL, surrogates, long values)', async () => {
    const { db } = openDatabase(await database.create());
    try {
      await migrateLatest(db);
      const store = new ReportStore(db);
      const hostile = [
        "'); DROP TABLE cspo_reports; --",
        "it's ''quoted'' \\ back\\slash\n\r\t",
        'NUL\u0000inside',
        'emoji \u{1F600} and a lone surrogate \uD800 here',
        'x'.repeat(200_000),
      ];
      const sessionId = 'H'.repeat(22);
      await store.insert(
        hostile.map((text, i) => record({ sessionId, documentUri: text, raw: text, sample: text, lineNumber: i, fingerprint: null })),
        [],
      );
      const stored = await store.reportsOfSession(sessionId);
      const expected = hostile.map((text) => text.replace(/\u0000/g, '\uFFFD').replace(/\uD800(?![\uDC00-\uDFFF])/g, '\uFFFD'));
      expect(stored.map((r) => r.documentUri)).toEqual(expected);
      expect(stored.map((r) => r.raw)).toEqual(expected);
      expect(stored.map((r) => r.lineNumber)).toEqual([0, 1, 2, 3, 4]);
    } finally {
      await db.destroy();
    }
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { overview } from '../src/storage/admin-queries.js';
import { openDatabase } from '../src/storage/database.js';
import { migrateLatest } from '../src/storage/migrations.js';
import { ReportStore } from '../src/storage/report-store.js';
import { testDatabases } from './support/databases.js';
import { reportRecord } from './support/records.js';

const HOUR = 3600_000;
const T0 = Date.parse('2026-11-10T00:00:00Z');

describe.each(testDatabases())('the overview timeline on $name', (database) => {
  afterAll(() => database.cleanup());

  it.skipIf(Boolean(database.skip))('counts per UTC hour and channel when asked, per UTC day always', async () => {
    const { db } = openDatabase(await database.create());
    try {
      await migrateLatest(db);
      await new ReportStore(db).insert(
        [
          reportRecord({ receivedAt: T0 + 10 * 60_000 }),
          reportRecord({ receivedAt: T0 + HOUR - 1 }),
          reportRecord({ receivedAt: T0 + HOUR - 1, channel: 'sdk' }),
          reportRecord({ receivedAt: T0 + 5 * HOUR + 1 }),
          reportRecord({ receivedAt: T0 + 23 * HOUR + 59 * 60_000 }),
          reportRecord({ receivedAt: T0 + 24 * HOUR }),
          // Outside the period: never counted.
          reportRecord({ receivedAt: T0 - 1 }),
          reportRecord({ receivedAt: T0 + 30 * HOUR }),
        ],
        [],
      );
      const period = { from: T0, to: T0 + 30 * HOUR };
      const hourly = await overview(db, period, 'hour');
      expect(hourly.perHour).toEqual([
        { hour: '2026-11-10T00:00:00.000Z', channel: 'report-uri', count: 2 },
        { hour: '2026-11-10T00:00:00.000Z', channel: 'sdk', count: 1 },
        { hour: '2026-11-10T05:00:00.000Z', channel: 'report-uri', count: 1 },
        { hour: '2026-11-10T23:00:00.000Z', channel: 'report-uri', count: 1 },
        { hour: '2026-11-11T00:00:00.000Z', channel: 'report-uri', count: 1 },
      ]);
      expect(hourly.perDay).toEqual([
        { day: '2026-11-10', channel: 'report-uri', count: 4 },
        { day: '2026-11-10', channel: 'sdk', count: 1 },
        { day: '2026-11-11', channel: 'report-uri', count: 1 },
      ]);
      // Per day only unless asked: no hourly query.
      const daily = await overview(db, period);
      expect(daily.perHour).toBeUndefined();
      expect(daily.perDay).toEqual(hourly.perDay);
    } finally {
      await db.destroy();
    }
  });
});

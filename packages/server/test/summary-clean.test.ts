import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/storage/database.js';
import { migrateLatest } from '../src/storage/migrations.js';
import type { ReportRecord } from '../src/report/report-record.js';
import { ReportStore } from '../src/storage/report-store.js';
import { testDatabases } from './support/databases.js';
import { reportRecord } from './support/records.js';

const BIN = fileURLToPath(new URL('../bin/csp-observer.js', import.meta.url));
const DAY = 86400_000;
const T0 = Date.parse('2026-11-10T00:00:00Z');

function cli(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, CSP_OBSERVER_DB: '' } });
}

function record(overrides: Partial<ReportRecord>): ReportRecord {
  return reportRecord({
    sessionId: null,
    receivedAt: T0 + 3600_000,
    documentUri: 'https://shop.test/',
    blockedUri: 'inline',
    effectiveDirective: 'script-src-elem',
    violatedDirective: 'script-src-elem',
    originalPolicy: '',
    statusCode: 0,
    fingerprint: null,
    userAgent: '',
    ip: '',
    ...overrides,
  });
}

describe.each(testDatabases())('summary and clean on $name', (database) => {
  afterAll(() => database.cleanup());

  it.skipIf(Boolean(database.skip))('summarizes a period as stable JSON and text, then cleans in batches', async () => {
    const url = await database.create();
    const { db } = openDatabase(url);
    try {
      await migrateLatest(db);
      const store = new ReportStore(db);
      await store.insert(
        [
          ...Array.from({ length: 3 }, () => record({ documentUri: 'https://shop.test/cart', blockedUri: 'https://ads.test/a.js' })),
          record({ documentUri: 'https://shop.test/cart?x=1', channel: 'sdk', cause: 'extension', ruleId: 'ext-1' }),
          record({ documentUri: 'https://shop.test/', blockedUri: 'eval', cause: 'malware' }),
          record({ isValid: false, problems: ['documentUri is missing'], raw: '{"csp-report":{}}' }),
          // Outside the period: before and after.
          record({ receivedAt: T0 - 1, documentUri: 'https://old.test/' }),
          record({ receivedAt: T0 + DAY, documentUri: 'https://new.test/' }),
        ],
        [],
        [
          { at: T0 + 7200_000, reason: 'filter', cause: '', ruleId: '', count: 4 },
          { at: T0 + 7300_000, reason: 'rule', cause: 'browser', ruleId: 'noise-1', count: 2 },
          { at: T0 - DAY, reason: 'filter', cause: '', ruleId: '', count: 100 },
        ],
      );

      const json = cli([
        'summary',
        '--db',
        url,
        '--since',
        '2026-11-10T00:00:00Z',
        '--to',
        '2026-11-11T00:00:00Z',
        '--top',
        '2',
        '--format',
        'json',
      ]);
      expect(json.stderr).toBe('');
      const summary = JSON.parse(json.stdout);
      expect(summary).toEqual({
        since: '2026-11-10T00:00:00.000Z',
        to: '2026-11-11T00:00:00.000Z',
        total: 6,
        valid: 5,
        invalid: 1,
        sources: [
          { uri: 'https://shop.test/cart', count: 4 },
          { uri: 'https://shop.test/', count: 2 },
        ],
        blocked: [
          { uri: 'https://ads.test/a.js', count: 3 },
          { uri: 'eval', count: 1 },
        ],
        invalid_reports: [
          {
            id: expect.any(Number),
            received_at: '2026-11-10T01:00:00.000Z',
            problems: ['documentUri is missing'],
            raw: '{"csp-report":{}}',
          },
        ],
        causes: { extension: 1, browser: 0, malware: 1, other: 0, unknown: 3 },
        channels: { 'report-uri': 5, sdk: 1 },
        dropped: { total: 6, by_reason: { filter: 4, rule: 2 }, by_cause: { browser: 2 }, by_rule: { 'noise-1': 2 } },
      });

      const text = cli(['summary', '--db', url, '--since', '2026-11-10T00:00:00Z', '--to', '2026-11-11T00:00:00Z']);
      expect(text.stdout).toContain('Reports: 6 (valid 5, invalid 1)');
      expect(text.stdout).toMatch(/Top 10 blocked URIs\n\s+3 {2}https:\/\/ads\.test\/a\.js/);
      expect(text.stdout).toContain('Dropped: 6 (filter 4, rule 2)');

      const bad = cli(['summary', '--db', url, '--since', 'next tuesday']);
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toContain('must be a date or date-time');

      const clean = cli(['clean', '--db', url, '--before', '2026-11-10T00:30:00Z', '--yes']);
      expect(clean.status).toBe(0);
      expect(clean.stdout).toContain('deleted 1 report(s), 0 session(s), 1 drop count(s)');
      expect(clean.stdout).toContain('cspo_reports: 1 of 1 deleted (100%)');
      expect(await store.countReports()).toBe(7);
      const future = cli(['clean', '--db', url, '--before', '2999-01-01', '--yes']);
      expect(future.status).toBe(2);
    } finally {
      await db.destroy();
    }
  });
});

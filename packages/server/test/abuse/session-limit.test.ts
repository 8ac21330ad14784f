// Issue 21, item 8: the per-session limit reset once 100,000 other sessions had pushed a session
// out of memory (one session stored 1,000 reports against a limit of 500).
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { normalizeReportUriBody } from '@csp-observer/core';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError } from '../../src/http/http-error.js';
import { ReportPipeline } from '../../src/ingest/pipeline.js';
import { resolveOptions } from '../../src/options/options.js';
import type { RuleBook } from '../../src/rules/rule-book.js';
import { mintSessionToken } from '../../src/session/session-token.js';
import { BatchWriter } from '../../src/storage/batch-writer.js';
import { openDatabase } from '../../src/storage/database.js';
import { migrateLatest } from '../../src/storage/migrations.js';
import { ReportStore } from '../../src/storage/report-store.js';
import { reportUriBody } from '../fixtures/browser-reports.js';
import { testDatabases } from '../support/databases.js';
import { memoryLogger, SECRET } from '../support/test-server.js';

const database = testDatabases()[0]!;
/** How many sessions the per-session counter keeps in memory (pipeline.ts). */
const TRACKED = 100_000;

describe('the per-session limit outlives the sessions it forgets (issue 21, item 8)', () => {
  let store: ReportStore;
  let pipeline: ReportPipeline;
  let writer: BatchWriter;
  const app = new Koa();
  const ctx = () => {
    const req = new IncomingMessage(new Socket());
    req.headers = { 'user-agent': 'test' };
    return app.createContext(req, new ServerResponse(req));
  };
  const report = () => normalizeReportUriBody(JSON.parse(reportUriBody()));

  beforeAll(async () => {
    const options = resolveOptions({
      secret: SECRET,
      database: await database.create(),
      log: false,
      limits: { maxReportsPerSession: 3, perIp: false },
    });
    const { db } = openDatabase(options.storage.database);
    await migrateLatest(db);
    store = new ReportStore(db);
    writer = new BatchWriter(store);
    const rules = { match: () => null } as unknown as RuleBook;
    pipeline = new ReportPipeline(options, writer, memoryLogger(), rules, undefined, (id) => store.countReportsOfSession(id));
  });
  afterAll(async () => {
    await writer.flush();
    await store.close();
    await store.db.destroy();
    await database.cleanup();
  });

  it('still refuses a full session after 100,000 others', async () => {
    const victim = mintSessionToken(SECRET).session;
    const statusOf = (promise: Promise<void>) =>
      promise.then(
        () => 204,
        (error: unknown) => (error instanceof HttpError ? error.status : 500),
      );
    const first = [];
    for (let i = 0; i < 4; i++) first.push(await statusOf(pipeline.receive(ctx(), 'report-uri', victim, report())));
    expect(first).toEqual([204, 204, 204, 429]);

    // 100,000 other page views report once each (their counting alone: sending them through
    // receive() stores 100,000 rows, which takes longer than a test should).
    const counter = (pipeline as unknown as { perSession: { tryAdd(key: string, n: number, limit: number): boolean } }).perSession;
    for (let i = 0; i < TRACKED; i++) counter.tryAdd(`other-${i}`, 1, 3);

    const later = [];
    for (let i = 0; i < 3; i++) later.push(await statusOf(pipeline.receive(ctx(), 'report-uri', victim, report())));
    expect(later).toEqual([429, 429, 429]);
    expect(await store.countReportsOfSession(victim.id)).toBe(3);
  });
});

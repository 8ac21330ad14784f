// Seeded fuzzing of what issue 21 found by hand: bounded in count (same inputs on every run).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limitKey } from '../../src/http/ip.js';
import { logSafe } from '../../src/ingest/report-log.js';
import { mintSessionToken } from '../../src/session/session-token.js';
import { testDatabases } from '../support/databases.js';
import { SECRET, startTestServer, type TestServer } from '../support/test-server.js';

/** mulberry32: a small seeded generator, so a failure names inputs that come back on the next run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

describe('fuzz (issue 21)', () => {
  it('logSafe leaves no character that breaks or hides a log line, in 2,000 random strings', () => {
    const next = random(21);
    const unsafe: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({ length: 1 + Math.floor(next() * 40) }, () =>
        String.fromCodePoint(next() < 0.5 ? Math.floor(next() * 0xa0) : Math.floor(next() * 0x3000)),
      ).join('');
      if (LINE_BREAKING.test(logSafe(text))) unsafe.push(text);
    }
    expect(unsafe).toEqual([]);
  });

  it('limitKey gives every address of one /64 the same key, and 200 neighbouring /64s their own', () => {
    const next = random(64);
    const hex = () => Math.floor(next() * 0x10000).toString(16);
    const keys = new Set<string>();
    for (let i = 0; i < 500; i++) keys.add(limitKey(`2001:db8:77:1:${hex()}:${hex()}:${hex()}:${hex()}`));
    expect([...keys]).toEqual(['2001:db8:77:1:0:0:0:0/64']);
    const networks = new Set<string>();
    for (let i = 0; i < 200; i++) networks.add(limitKey(`2001:db8:77:${(i + 2).toString(16)}::1`));
    expect(networks.size).toBe(200);
  });
});

const database = testDatabases()[0]!;

describe('fuzzed report bodies (issue 21, items 4 and 8)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      database: await database.create(),
      limits: { perIp: false, invalidPerIp: { reports: 1000, windowSeconds: 60 } },
    });
  });
  afterAll(async () => {
    await server.close();
    await database.cleanup();
  });

  it('answers 300 random bodies with a 2xx or 4xx, keeps at most 1 KiB of each invalid tokenless one, logs no forged line', async () => {
    const next = random(300);
    const types = [
      'application/csp-report',
      'application/json',
      'application/reports+json',
      'text/plain',
      'application/x-www-form-urlencoded',
    ];
    const pieces = [
      '{',
      '}',
      '[',
      ']',
      '"',
      ':',
      ',',
      '\\',
      '\n',
      '\r',
      '\u2028',
      'csp-report',
      'document-uri',
      'https://a.test/?q=1',
      'null',
      '1e999',
      '\u0000',
      'x'.repeat(3000),
    ];
    const fifth: number[] = [];
    for (let i = 0; i < 300; i++) {
      const body = Array.from({ length: Math.floor(next() * 30) }, () => pieces[Math.floor(next() * pieces.length)]).join('');
      const path = next() < 0.5 ? '/csp/report' : `/csp/report/${mintSessionToken(SECRET).token}`;
      const response = await fetch(server.url + path, {
        method: 'POST',
        headers: { 'Content-Type': types[Math.floor(next() * types.length)]! },
        body,
      });
      if (response.status >= 500 || response.status < 200) fifth.push(i);
    }
    expect(fifth).toEqual([]);
    const rows = (await server.observer.store
      .db('cspo_reports')
      .whereNull('session_id')
      .where({ is_valid: false })
      .select('raw')) as Array<{
      raw: string;
    }>;
    expect(rows.filter((row) => row.raw.length > 1024)).toEqual([]);
    expect(server.logger.lines.filter((line) => LINE_BREAKING.test(line))).toEqual([]);
  });
});

import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import sqlite3 from 'sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { SqliteBatchInserter, sqlLiteral, transactionScripts } from './sqlite-batch-insert.js';

describe('sqlLiteral', () => {
  it('quotes strings with the quote doubled, the only escape SQLite literals have', () => {
    expect(sqlLiteral("it's")).toBe("'it''s'");
    expect(sqlLiteral("'); DROP TABLE cspo_reports; --")).toBe("'''); DROP TABLE cspo_reports; --'");
    // Backslashes and newlines are ordinary characters in SQLite literals.
    expect(sqlLiteral('a\\b\n')).toBe("'a\\b\n'");
    expect(sqlLiteral('')).toBe("''");
  });

  it('replaces NUL, which would end the script handed to SQLite as a C string', () => {
    expect(sqlLiteral('a\u0000b')).toBe("'a\uFFFDb'");
  });

  it('writes numbers, booleans and NULL as SQL', () => {
    expect(sqlLiteral(42)).toBe('42');
    expect(sqlLiteral(-1.5)).toBe('-1.5');
    expect(sqlLiteral(Number.NaN)).toBe('NULL');
    expect(sqlLiteral(Number.POSITIVE_INFINITY)).toBe('NULL');
    expect(sqlLiteral(true)).toBe('1');
    expect(sqlLiteral(false)).toBe('0');
    expect(sqlLiteral(null)).toBe('NULL');
    expect(sqlLiteral(undefined)).toBe('NULL');
    expect(sqlLiteral(12n)).toBe('12');
  });
});

describe('transactionScripts', () => {
  const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ a: i, b: `v${i}` }));

  it('is one script: BEGIN IMMEDIATE, one INSERT per table with its conflict clause, COMMIT', () => {
    const scripts = transactionScripts([
      { table: 't1', rows: rows(2), onConflict: 'ON CONFLICT DO NOTHING' },
      { table: 't2', rows: [] },
      { table: 't3', rows: rows(1) },
    ]);
    expect(scripts).toEqual([
      "BEGIN IMMEDIATE;INSERT OR ROLLBACK INTO t1 (a,b) VALUES (0,'v0'),(1,'v1') ON CONFLICT DO NOTHING;INSERT OR ROLLBACK INTO t3 (a,b) VALUES (0,'v0');COMMIT;",
    ]);
  });

  it('splits a long transaction into several scripts, each ending on a whole statement', () => {
    const scripts = transactionScripts([{ table: 't', rows: rows(50), onConflict: 'ON CONFLICT DO NOTHING' }], 200);
    expect(scripts.length).toBeGreaterThan(3);
    expect(scripts[0]!.startsWith('BEGIN IMMEDIATE;INSERT OR ROLLBACK INTO t (a,b) VALUES (0,')).toBe(true);
    expect(scripts.at(-1)!.endsWith('COMMIT;')).toBe(true);
    for (const script of scripts.slice(0, -1)) expect(script.endsWith(' ON CONFLICT DO NOTHING;')).toBe(true);
    // Every row once, in order.
    const tuples = scripts.join('').match(/\((\d+),'v\1'\)/g);
    expect(tuples).toHaveLength(50);
    expect(tuples!.map((t) => Number(/\d+/.exec(t)![0]))).toEqual([...Array(50).keys()]);
  });

  it('ends the whole transaction when a row breaks a constraint, with no statement to undo on its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cspo-scripts-'));
    const conn = await new Promise<sqlite3.Database>((resolve, reject) => {
      const opened = new sqlite3.Database(join(dir, 'x.sqlite'), (error) => (error ? reject(error) : resolve(opened)));
    });
    const run = (sql: string) => new Promise<void>((resolve, reject) => conn.exec(sql, (error) => (error ? reject(error) : resolve())));
    const rowsOf = (table: string) =>
      new Promise<unknown[]>((resolve, reject) =>
        conn.all(`SELECT * FROM ${table}`, (error, rows) => (error ? reject(error) : resolve(rows))),
      );
    try {
      await run('CREATE TABLE t1 (a INTEGER PRIMARY KEY, b TEXT NOT NULL); CREATE TABLE t2 (a INTEGER PRIMARY KEY, b TEXT NOT NULL);');
      const [script] = transactionScripts([
        { table: 't1', rows: rows(3) },
        {
          table: 't2',
          rows: [
            { a: 1, b: 'ok' },
            { a: 2, b: null },
          ],
        },
      ]);
      await expect(run(script!)).rejects.toThrow(/NOT NULL/);
      // Nothing is left open to commit by mistake, and nothing of the group was written.
      await expect(run('COMMIT')).rejects.toThrow(/no transaction is active/);
      expect(await rowsOf('t1')).toEqual([]);
      expect(await rowsOf('t2')).toEqual([]);
    } finally {
      await new Promise((resolve) => conn.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps a row longer than the limit whole', () => {
    const scripts = transactionScripts(
      [
        {
          table: 't',
          rows: [
            { a: 1, b: 'x'.repeat(500) },
            { a: 2, b: 'y' },
          ],
        },
      ],
      100,
    );
    expect(scripts.join('')).toContain(`(1,'${'x'.repeat(500)}')`);
    expect(scripts.join('')).toContain("(2,'y')");
  });
});

describe('SqliteBatchInserter', () => {
  let dir: string;
  let db: Knex;
  let inserter: SqliteBatchInserter;
  const write = (from: number, count: number) => [
    { table: 't', rows: Array.from({ length: count }, (_, i) => ({ a: from + i, b: `v${from + i}` })) },
  ];
  const count = async () => Number(((await db('t').count('* as n')) as Array<{ n: number }>)[0]!.n);
  const open = async (database: Parameters<typeof openDatabase>[0] | Knex) => {
    db = typeof database === 'function' ? database : openDatabase(database).db;
    await db.schema.createTable('t', (table) => {
      table.integer('a').primary();
      table.text('b');
    });
    inserter = new SqliteBatchInserter(db);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cspo-inserter-'));
  });
  afterEach(async () => {
    await inserter.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it("commits on a connection of its own: a transaction holding knex's only connection does not hold up the writes", async () => {
    await open(join(dir, 'x.sqlite'));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const reading = db.transaction(async (trx) => {
      await trx('t').count('* as n');
      await held;
    });
    const outcome = await Promise.race([
      inserter.insert(write(0, 3)).then(() => 'committed'),
      new Promise((resolve) => setTimeout(() => resolve('waited for the pool'), 3000)),
    ]);
    release();
    await reading;
    expect(outcome).toBe('committed');
    expect(await count()).toBe(3);
  });

  it('runs transactions asked for at once one after the other, all committed', async () => {
    await open(join(dir, 'x.sqlite'));
    await Promise.all(Array.from({ length: 10 }, (_, i) => inserter.insert(write(i * 5, 5))));
    expect(await count()).toBe(50);
  });

  it('rolls a failed transaction back, whole, and goes on committing the next ones', async () => {
    await open(join(dir, 'x.sqlite'));
    await expect(inserter.insert([...write(0, 2), { table: 'no_such_table', rows: [{ a: 1 }] }])).rejects.toThrow(/no_such_table/);
    expect(await count()).toBe(0);
    await inserter.insert(write(0, 2));
    expect(await count()).toBe(2);
  });

  it("uses the pool's connection where a second one would be another database (in memory)", async () => {
    await open(':memory:');
    await inserter.insert(write(0, 4));
    expect(await count()).toBe(4);
  });

  it('leaves a database that is not in WAL mode as it is, writing through the pool', async () => {
    await open(knexFactory({ client: 'sqlite3', connection: { filename: join(dir, 'y.sqlite') }, useNullAsDefault: true }));
    await inserter.insert(write(0, 4));
    expect(await count()).toBe(4);
    expect(((await db.raw('PRAGMA journal_mode')) as Array<{ journal_mode: string }>)[0]!.journal_mode).toBe('delete');
  });

  it.skipIf(process.platform !== 'linux')('closes the connection it opened, and only that one', async () => {
    const file = join(dir, 'x.sqlite');
    await open(file);
    const handles = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === file;
        } catch {
          return false;
        }
      }).length;
    await inserter.insert(write(0, 1));
    expect(await count()).toBe(1);
    await db.destroy();
    // The writer's connection is still open (SQLite may also keep knex's file open while it is).
    expect(handles()).toBeGreaterThan(0);
    await inserter.close();
    expect(handles()).toBe(0);
    db = openDatabase(file).db;
  });
});

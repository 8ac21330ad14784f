import { describe, expect, it } from 'vitest';
import { sqlLiteral, transactionScripts } from './sqlite-batch-insert.js';

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
      "BEGIN IMMEDIATE;INSERT INTO t1 (a,b) VALUES (0,'v0'),(1,'v1') ON CONFLICT DO NOTHING;INSERT INTO t3 (a,b) VALUES (0,'v0');COMMIT;",
    ]);
  });

  it('splits a long transaction into several scripts, each ending on a whole statement', () => {
    const scripts = transactionScripts([{ table: 't', rows: rows(50), onConflict: 'ON CONFLICT DO NOTHING' }], 200);
    expect(scripts.length).toBeGreaterThan(3);
    expect(scripts[0]!.startsWith('BEGIN IMMEDIATE;INSERT INTO t (a,b) VALUES (0,')).toBe(true);
    expect(scripts.at(-1)!.endsWith('COMMIT;')).toBe(true);
    for (const script of scripts.slice(0, -1)) expect(script.endsWith(' ON CONFLICT DO NOTHING;')).toBe(true);
    // Every row once, in order.
    const tuples = scripts.join('').match(/\((\d+),'v\1'\)/g);
    expect(tuples).toHaveLength(50);
    expect(tuples!.map((t) => Number(/\d+/.exec(t)![0]))).toEqual([...Array(50).keys()]);
  });

  it('keeps a row longer than the limit whole', () => {
    const scripts = transactionScripts([{ table: 't', rows: [{ a: 1, b: 'x'.repeat(500) }, { a: 2, b: 'y' }] }], 100);
    expect(scripts.join('')).toContain(`(1,'${'x'.repeat(500)}')`);
    expect(scripts.join('')).toContain("(2,'y')");
  });
});

import type { Knex } from 'knex';

/** Rows of one table, as column -> value objects with the same keys in the same order. */
export type Rows = ReadonlyArray<Record<string, unknown>>;

/** What one group commit writes: each table's rows and what to do when a key exists. */
export interface TableWrite {
  table: string;
  rows: Rows;
  /** `ON CONFLICT (...) DO UPDATE SET ...`, or none for a plain insert. */
  onConflict?: string;
}

interface SqliteConnection {
  exec(sql: string, callback: (error: Error | null) => void): void;
}

/**
 * A script longer than this is run in several calls inside the one transaction, so a huge
 * group commit does not build one huge string. A typical commit (tens of reports) is far below.
 */
const MAX_SCRIPT_CHARS = 4 * 1024 * 1024;

/**
 * A value as an SQLite literal. Strings are quoted with `'` doubled, the only escape SQLite's
 * string literals have; NUL becomes U+FFFD (the driver hands the script to SQLite as a C
 * string, which would end at a NUL). Numbers that are not finite are stored as NULL.
 */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NULL';
  if (typeof value === 'bigint') return String(value);
  let text = String(value);
  if (text.includes('\u0000')) text = text.replace(/\u0000/g, '\uFFFD');
  return `'${text.includes("'") ? text.replace(/'/g, "''") : text}'`;
}

const exec = (conn: SqliteConnection, sql: string) =>
  new Promise<void>((resolve, reject) => conn.exec(sql, (error) => (error ? reject(error) : resolve())));

/**
 * The transaction as SQL scripts: `BEGIN IMMEDIATE`, one multi-row INSERT per table (split only
 * when a script would pass MAX_SCRIPT_CHARS), `COMMIT`. Table names, columns and conflict
 * clauses are ours; every value goes through sqlLiteral.
 */
export function transactionScripts(writes: readonly TableWrite[], maxChars = MAX_SCRIPT_CHARS): string[] {
  const scripts: string[] = [];
  // IMMEDIATE takes the write lock up front: no deadlock with another writer (the CLI).
  let script = 'BEGIN IMMEDIATE;';
  for (const { table, rows, onConflict } of writes) {
    if (rows.length === 0) continue;
    const columns = Object.keys(rows[0]!);
    const head = `INSERT INTO ${table} (${columns.join(',')}) VALUES `;
    const tail = `${onConflict ? ` ${onConflict}` : ''};`;
    let open = false;
    for (const row of rows) {
      let tuple = '(';
      for (let i = 0; i < columns.length; i++) tuple += (i ? ',' : '') + sqlLiteral(row[columns[i]!]);
      tuple += ')';
      if (open && script.length + tuple.length > maxChars) {
        scripts.push(script + tail);
        script = '';
        open = false;
      }
      script += open ? `,${tuple}` : head + tuple;
      open = true;
    }
    script += tail;
  }
  scripts.push(`${script}COMMIT;`);
  return scripts;
}

/**
 * Writes several tables in one SQLite transaction through the driver's own connection, as one
 * script run by one call. Each driver call is a round trip through libuv's thread pool and
 * back through the event loop, which under load waits behind the requests being parsed: a
 * commit as BEGIN, prepared INSERTs and COMMIT took four of them, and several milliseconds.
 * Measured in docs/performance.md. The connection is held for the whole transaction, so
 * nothing here may go through knex.
 */
export async function sqliteBatchInsert(db: Knex, writes: readonly TableWrite[]): Promise<void> {
  const conn = (await db.client.acquireConnection()) as SqliteConnection;
  try {
    const scripts = transactionScripts(writes);
    try {
      for (const script of scripts) await exec(conn, script);
    } catch (error) {
      // A failed statement leaves the transaction open; when BEGIN itself failed there is none.
      await exec(conn, 'ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    await db.client.releaseConnection(conn);
  }
}

import type { Knex } from 'knex';
import { SQLITE_CONNECTION_PRAGMAS } from './database.js';

/** Rows of one table, as column -> value objects with the same keys in the same order. */
export type Rows = ReadonlyArray<Record<string, unknown>>;

/** What one group commit writes: each table's rows and what to do when a key exists. */
export interface TableWrite {
  table: string;
  rows: Rows;
  /** `ON CONFLICT (...) DO UPDATE SET ...`, or none for a plain insert. */
  onConflict?: string;
}

/** A node-sqlite3 connection: the driver knex's `sqlite3` client uses. */
interface SqliteConnection {
  exec(sql: string, callback: (error: Error | null) => void): void;
  get(sql: string, callback: (error: Error | null, row?: Record<string, unknown>) => void): void;
  close(callback: (error: Error | null) => void): void;
}

/** A better-sqlite3 connection (knex's `better-sqlite3` client): synchronous, throws on error. */
interface SyncSqliteConnection {
  exec(sql: string): unknown;
}

interface KnexSqliteClient {
  driverName?: string;
  driver?: { Database: new (filename: string, callback: (error: Error | null) => void) => SqliteConnection };
  config: { connection?: { filename?: unknown } };
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<unknown>;
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

const closeConnection = (conn: SqliteConnection) =>
  new Promise<void>((resolve, reject) => conn.close((error) => (error ? reject(error) : resolve())));

/**
 * The transaction as SQL scripts: `BEGIN IMMEDIATE`, one multi-row INSERT per table (split only
 * when a script would pass MAX_SCRIPT_CHARS), `COMMIT`. Table names, columns and conflict
 * clauses are ours; every value goes through sqlLiteral.
 *
 * `OR ROLLBACK`: a constraint that fails ends the whole transaction at once, which is what a
 * failed group commit does anyway (BatchWriter then retries its writes one by one). With the
 * default (ABORT), SQLite must be able to undo one statement inside the transaction, so every
 * multi-row INSERT kept a statement journal: a copy of each page before it changed, spilled to a
 * temporary file past 64 KiB (about one write(2) per report, measured with strace).
 */
export function transactionScripts(writes: readonly TableWrite[], maxChars = MAX_SCRIPT_CHARS): string[] {
  const scripts: string[] = [];
  // IMMEDIATE takes the write lock up front: no deadlock with another writer (the CLI).
  let script = 'BEGIN IMMEDIATE;';
  for (const { table, rows, onConflict } of writes) {
    if (rows.length === 0) continue;
    const columns = Object.keys(rows[0]!);
    const head = `INSERT OR ROLLBACK INTO ${table} (${columns.join(',')}) VALUES `;
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
 * Runs the scripts of one transaction; a failed script rolls the transaction back. A failed
 * statement leaves the transaction open; when BEGIN itself failed there is none to roll back.
 */
async function runTransaction(run: (sql: string) => Promise<void>, scripts: readonly string[]): Promise<void> {
  try {
    for (const script of scripts) await run(script);
  } catch (error) {
    await run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * A second connection to the same SQLite file, for the group commits only; null when the
 * database cannot have one that is safe: in memory (a second connection would be another
 * database), not in WAL mode (the writer would lock readers out), or another driver.
 */
async function openWriterConnection(client: KnexSqliteClient): Promise<SqliteConnection | null> {
  const filename = client.config.connection?.filename;
  if (client.driverName !== 'sqlite3' || !client.driver || typeof filename !== 'string') return null;
  if (filename === '' || filename === ':memory:' || /mode=memory/.test(filename)) return null;
  const Database = client.driver.Database;
  const conn = await new Promise<SqliteConnection>((resolve, reject) => {
    const opened: SqliteConnection = new Database(filename, (error) => (error ? reject(error) : resolve(opened)));
  });
  const close = () => closeConnection(conn).catch(() => undefined);
  try {
    const mode = await new Promise<unknown>((resolve, reject) =>
      conn.get('PRAGMA journal_mode', (error, row) => (error ? reject(error) : resolve(row?.journal_mode))),
    );
    if (String(mode).toLowerCase() !== 'wal') {
      await close();
      return null;
    }
    await exec(conn, SQLITE_CONNECTION_PRAGMAS);
    return conn;
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Writes group commits to SQLite: several tables in one transaction, as one script run by one
 * driver call. Each driver call is a round trip through libuv's thread pool and back through
 * the event loop, which under load waits behind the requests being parsed: a commit as BEGIN,
 * prepared INSERTs and COMMIT took four of them, and several milliseconds (docs/performance.md).
 *
 * The commits run on a connection of their own, opened on the first one: they never wait for
 * knex's pool (whose one connection the dashboard's reads use), and reads never wait for them
 * (WAL). Where a second connection is not safe, the pool's connection is held for the whole
 * transaction instead. Transactions run one at a time, in the order they were asked for.
 */
export class SqliteBatchInserter {
  private writer: Promise<SqliteConnection | null> | null = null;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: Knex) {}

  insert(writes: readonly TableWrite[]): Promise<void> {
    const scripts = transactionScripts(writes);
    const done = this.tail.then(() => this.run(scripts));
    this.tail = done.catch(() => undefined);
    return done;
  }

  /** Waits for the transactions asked for, then closes the writer's connection (if it opened one). */
  async close(): Promise<void> {
    await this.tail;
    const writer = await this.writer?.catch(() => null);
    this.writer = null;
    if (writer) await closeConnection(writer);
  }

  private async run(scripts: readonly string[]): Promise<void> {
    const client = this.db.client as KnexSqliteClient;
    // A failed open is not remembered: the next commit tries again (the file may be back).
    this.writer ??= openWriterConnection(client).catch((error: unknown) => {
      this.writer = null;
      throw error;
    });
    const writer = await this.writer;
    if (writer) return runTransaction((sql) => exec(writer, sql), scripts);
    const conn = await client.acquireConnection();
    try {
      const run =
        client.driverName === 'better-sqlite3'
          ? async (sql: string) => void (conn as SyncSqliteConnection).exec(sql)
          : (sql: string) => exec(conn as SqliteConnection, sql);
      await runTransaction(run, scripts);
    } finally {
      await client.releaseConnection(conn);
    }
  }
}

import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import knexFactory, { type Knex } from 'knex';

/** Where reports are stored: a SQLite file path, a `postgres://` URL, a knex config or instance. */
export type DatabaseOption = string | Knex.Config | Knex;

/** Which SQL dialect a knex instance speaks, for the few queries that differ. */
export type Dialect = 'sqlite' | 'postgres';

const PG_CLIENT = /^(pg|postgres|postgresql)$/;

export function dialectOf(db: Knex): Dialect {
  const client = String(db.client.config.client ?? '');
  return PG_CLIENT.test(client) ? 'postgres' : 'sqlite';
}

/**
 * `pg` is an optional peer dependency (SQLite users never load it): a PostgreSQL database without
 * it is a start-up error that names the install command, not knex's error at the first query.
 */
function requirePgDriver(): void {
  try {
    createRequire(import.meta.url).resolve('pg');
  } catch {
    throw new Error(
      'database: PostgreSQL needs its driver, the package pg, which is not installed: run `npm install pg` (or `pnpm add pg`, `yarn add pg`)',
    );
  }
}

function isKnex(value: unknown): value is Knex {
  return typeof value === 'function' && 'schema' in (value as object) && 'migrate' in (value as object);
}

/**
 * What every csp-observer SQLite connection is set to: FULL keeps a 2xx durable, the busy
 * timeout waits for another writer, foreign keys are enforced. (WAL is the file's mode.)
 */
export const SQLITE_CONNECTION_PRAGMAS = 'PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;';

/** A SQLite connection tuned for many small durable writes from one process. */
function sqliteConfig(filename: string): Knex.Config {
  if (filename !== ':memory:') mkdirSync(dirname(resolve(filename)), { recursive: true });
  return {
    client: 'sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate(
        conn: { exec: (sql: string, cb: (err: Error | null) => void) => void },
        done: (err: Error | null, conn: unknown) => void,
      ) {
        // WAL lets readers (CLI, dashboard) work beside the writer.
        conn.exec(`PRAGMA journal_mode = WAL; ${SQLITE_CONNECTION_PRAGMAS}`, (err) => done(err, conn));
      },
    },
  };
}

/**
 * Bounds on every call to a PostgreSQL URL's pool, in ms: waiting for a pooled connection,
 * opening one, and each query's answer (the client gives up on a server that stopped answering,
 * which a server-side statement_timeout cannot do). A knex config or instance keeps its own.
 */
function pgConfig(url: string, timeoutMs: number | undefined): Knex.Config {
  const connection = timeoutMs ? { connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs } : url;
  return {
    client: 'pg',
    connection,
    pool: { min: 0, max: 10 },
    ...(timeoutMs ? { acquireConnectionTimeout: timeoutMs } : {}),
  };
}

/** The schemes a database URL may have; anything else with `://` is refused, not taken for a file name. */
const SUPPORTED_SCHEMES = 'postgres://, postgresql:// (PostgreSQL) or sqlite:// and a file path (SQLite)';

/** The SQLite file a `database` string names, or null for a PostgreSQL URL; throws for an unsupported scheme. */
export function sqliteFilename(location: string): string | null {
  if (/^postgres(ql)?:\/\//i.test(location)) return null;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(location);
  if (scheme && !/^sqlite$/i.test(scheme[1] ?? '')) {
    throw new Error(`database: ${scheme[1]}:// is not supported; use ${SUPPORTED_SCHEMES}`);
  }
  return location.replace(/^sqlite:(\/\/)?/i, '');
}

/** The text with the password of every URL in it masked: `postgres://user:***@host/db`. */
export function redactUrls(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*):[^\s@/]*@/gi, '$1:***@');
}

/**
 * Opens the database named by the `database` option: a `postgres://` URL, a SQLite file path,
 * a knex config object, or a knex instance (which the caller keeps owning). `timeoutMs` bounds
 * each call to a PostgreSQL URL's database (none for the CLI's long maintenance queries).
 */
export function openDatabase(option: DatabaseOption, { timeoutMs }: { timeoutMs?: number } = {}): { db: Knex; owned: boolean } {
  if (isKnex(option)) return { db: option, owned: false };
  if (typeof option === 'string') {
    const filename = sqliteFilename(option);
    if (filename === null) {
      requirePgDriver();
      return { db: knexFactory(pgConfig(option, timeoutMs)), owned: true };
    }
    if (!filename) throw new Error('database: empty SQLite path');
    return { db: knexFactory(sqliteConfig(filename)), owned: true };
  }
  if (option && typeof option === 'object') {
    if (PG_CLIENT.test(String(option.client ?? ''))) requirePgDriver();
    return { db: knexFactory(option as Knex.Config), owned: true };
  }
  throw new Error('database must be a SQLite path, a postgres:// URL, a knex config or a knex instance');
}

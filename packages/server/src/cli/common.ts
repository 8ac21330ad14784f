import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { InvalidArgumentError, Option } from 'commander';
import type { Knex } from 'knex';
import { openDatabase, redactUrls, sqliteFilename } from '../storage/database.js';
import { migrateLatest } from '../storage/migrations.js';

export const DEFAULT_DB = 'csp-observer.sqlite';

/** Exit codes: 0 done, 1 failed at run time (database, port), 2 bad usage or configuration. */
export const EXIT = { failed: 1, usage: 2 } as const;

/** The exit codes every command shares, for its `--help`. */
export const EXIT_CODES_HELP = '\nExit codes: 0 done, 1 failed at run time (database, network, port), 2 bad usage or configuration.';

/** Prints the message (passwords in URLs masked) and exits. */
export function fail(message: string, code: number = EXIT.failed): never {
  console.error(`csp-observer: ${redactUrls(message)}`);
  process.exit(code);
}

/**
 * Asks before a command that deletes data: `--yes` answers for the user; on a terminal the
 * question is asked (y/N, no by default); without a terminal (cron, CI) and without `--yes` the
 * command refuses, exit 2, saying how to run it unattended.
 */
export async function confirm(question: string, { yes, flag }: { yes: boolean | undefined; flag: string }): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) {
    fail(`${question}: refused without confirmation (no terminal to ask on); add --yes to ${flag} unattended`, EXIT.usage);
  }
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await terminal.question(`${redactUrls(question)}? [y/N] `);
  terminal.close();
  if (!/^y(es)?$/i.test(answer.trim())) fail('cancelled: nothing was changed', EXIT.failed);
}

export const dbOption = () =>
  new Option('--db <path|url>', 'SQLite file path or postgres:// URL').env('CSP_OBSERVER_DB').default(DEFAULT_DB);

export function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

/** `--proxy [hops]` and CSP_OBSERVER_PROXY: a number of trusted proxies; true, yes or on mean one, false, no or off none. */
export function proxyHops(value: string): number {
  const word = value.trim().toLowerCase();
  if (['true', 'yes', 'on'].includes(word)) return 1;
  if (['false', 'no', 'off', ''].includes(word)) return 0;
  const n = Number(word);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a number of proxy hops (1 for one reverse proxy)');
  return n;
}

/** Any string `Date` understands: `2026-11-20`, `2026-11-20T08:00`, an ISO timestamp. */
export function dateTime(value: string): Date {
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00` : value);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError('must be a date or date-time such as 2026-11-20 or 2026-11-20T08:00');
  return date;
}

/** The SQLite file of a --db value (null for PostgreSQL); exit 2 for a scheme csp-observer does not speak. */
function checkedLocation(location: string): string | null {
  try {
    return sqliteFilename(location);
  } catch (error) {
    fail((error as Error).message, EXIT.usage);
  }
}

/**
 * Exits 2 unless the SQLite file exists: reading, cleaning or rolling back a database that is
 * not there would create an empty one and report nothing; a mistyped path must say so instead.
 * (A PostgreSQL database that does not exist fails to connect.)
 */
export function requireDatabase(location: string): void {
  const file = checkedLocation(location);
  if (file !== null && file !== ':memory:' && !existsSync(file)) {
    fail(`no database at ${file}: check --db (or CSP_OBSERVER_DB); \`csp-observer migrate --db ${file}\` creates one`, EXIT.usage);
  }
}

/**
 * Opens the database for a command (migrated first unless `migrate: false`), closing it
 * afterwards whatever happens; failures exit with a message naming the database.
 */
export async function withDatabase<T>(
  location: string,
  work: (db: Knex) => Promise<T>,
  { migrate = true, mustExist = false } = {},
): Promise<T> {
  if (mustExist) requireDatabase(location);
  else checkedLocation(location);
  let db: Knex;
  try {
    db = openDatabase(location).db;
  } catch (error) {
    fail(`database ${location}: ${(error as Error).message}`, EXIT.usage);
  }
  try {
    if (migrate) await migrateLatest(db);
    return await work(db);
  } catch (error) {
    fail(`database ${location}: ${(error as Error).message}`);
  } finally {
    await db.destroy();
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import { dialectOf } from './database.js';

/**
 * Rows deleted per statement: short transactions, so ingestion never waits long on a lock.
 * SQLite has one writer for the whole file: smaller batches with a pause between them, in
 * which the server's waiting commits get the lock (measured in `pnpm bench scale-out`).
 */
export const DELETE_BATCH = { postgres: 5000, sqlite: 1000 } as const;
const SQLITE_PAUSE_MS = 15;

export interface CleanProgress {
  table: string;
  deleted: number;
  /** Rows of the table older than the limit when it started (more may age meanwhile). */
  total: number;
}

export interface CleanResult {
  reports: number;
  sessions: number;
  drops: number;
}

async function deleteInBatches(
  db: Knex,
  table: string,
  key: string,
  column: string,
  before: number,
  onProgress: (progress: CleanProgress) => void,
): Promise<number> {
  const counted = (await db(table).where(column, '<', before).count({ n: '*' }).first()) as { n: number | string } | undefined;
  const total = Number(counted?.n ?? 0);
  let deleted = 0;
  if (total === 0) return 0;
  const dialect = dialectOf(db);
  const batch = DELETE_BATCH[dialect];
  for (;;) {
    const oldest = db(table).select(key).where(column, '<', before).limit(batch);
    // PostgreSQL plans `IN (subquery)` as a hash join over the whole table (checked with EXPLAIN:
    // every batch would read it all); `= any(array(subquery))` looks each key up in the index.
    const n = await (dialect === 'postgres'
      ? db(table).whereRaw('?? = any(array(?))', [key, oldest])
      : db(table).whereIn(key, oldest)
    ).delete();
    deleted += n;
    if (n > 0) onProgress({ table, deleted, total: Math.max(total, deleted) });
    if (n < batch) return deleted;
    if (dialect === 'sqlite') await sleep(SQLITE_PAUSE_MS);
  }
}

/**
 * Deletes reports received, sessions last seen and drop counts bucketed before `before`
 * (epoch ms), in batches of DELETE_BATCH rows.
 */
export async function deleteOlderThan(
  db: Knex,
  before: number,
  onProgress: (progress: CleanProgress) => void = () => {},
): Promise<CleanResult> {
  const reports = await deleteInBatches(db, 'cspo_reports', 'id', 'received_at', before, onProgress);
  const sessions = await deleteInBatches(db, 'cspo_sessions', 'id', 'last_seen_at', before, onProgress);
  // cspo_drops has a composite key: its rows are few (one per hour and reason), one statement suffices.
  const drops = await db('cspo_drops').where('bucket_at', '<', before).delete();
  return { reports, sessions, drops };
}

/** What `deleteOlderThan` would delete now, counted without deleting (`clean --dry-run`). */
export async function countOlderThan(db: Knex, before: number): Promise<CleanResult> {
  const count = async (table: string, column: string) => {
    const row = (await db(table).where(column, '<', before).count({ n: '*' }).first()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  };
  return {
    reports: await count('cspo_reports', 'received_at'),
    sessions: await count('cspo_sessions', 'last_seen_at'),
    drops: await count('cspo_drops', 'bucket_at'),
  };
}

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory from 'knex';
import { inject } from 'vitest';

/** One database the integration suite runs against. */
export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  /** Why this database's tests skip, or "" when they run. */
  skip: string;
  /** A fresh, empty database: a SQLite path or a postgres:// URL. */
  create(): Promise<string>;
  /** Removes everything create() made. */
  cleanup(): Promise<void>;
}

function sqlite(): TestDatabase {
  const dirs: string[] = [];
  return {
    name: 'sqlite',
    skip: '',
    async create() {
      const dir = mkdtempSync(join(tmpdir(), 'cspo-sqlite-'));
      dirs.push(dir);
      return join(dir, 'test.sqlite');
    },
    async cleanup() {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgres(): TestDatabase {
  const serverUrl = inject('postgresUrl');
  const created: string[] = [];
  const admin = () => knexFactory({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } });
  return {
    name: 'postgres',
    skip: serverUrl ? '' : `PostgreSQL unavailable: ${inject('postgresSkipReason')}`,
    async create() {
      const name = `cspo_test_${randomBytes(6).toString('hex')}`;
      const db = admin();
      try {
        await db.raw(`CREATE DATABASE ${name}`);
      } finally {
        await db.destroy();
      }
      created.push(name);
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
    async cleanup() {
      const db = admin();
      try {
        for (const name of created.splice(0)) await db.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await db.destroy();
      }
    },
  };
}

/** Both databases, for `describe.each`: every storage test runs on SQLite and PostgreSQL. */
export function testDatabases(): TestDatabase[] {
  return [sqlite(), postgres()];
}

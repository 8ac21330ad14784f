import { Command } from 'commander';
import { openDatabase } from '../storage/database.js';
import { migrateLatest, migrateRollback } from '../storage/migrations.js';
import { dbOption, EXIT, fail } from './common.js';

export const migrateCommand = new Command('migrate')
  .description('apply pending database migrations (or roll back the last batch)')
  .addOption(dbOption())
  .option('--rollback', 'roll back the last batch of migrations')
  .action(async (opts: { db: string; rollback?: boolean }) => {
    let db;
    try {
      db = openDatabase(opts.db).db;
    } catch (error) {
      fail(`database ${opts.db}: ${(error as Error).message}`, EXIT.usage);
    }
    try {
      const names = opts.rollback ? await migrateRollback(db) : await migrateLatest(db);
      const verb = opts.rollback ? 'rolled back' : 'applied';
      console.log(names.length ? `${verb}: ${names.join(', ')}` : 'nothing to do: the database is up to date');
    } catch (error) {
      fail(`database ${opts.db}: ${(error as Error).message}`);
    } finally {
      await db.destroy();
    }
  });

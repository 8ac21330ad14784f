import { Command } from 'commander';
import { migrateLatest, migrateRollback } from '../storage/migrations.js';
import { dbOption, withDatabase, EXIT_CODES_HELP } from './common.js';

export const migrateCommand = new Command('migrate')
  .description('apply pending database migrations (or roll back the last batch)')
  .addOption(dbOption())
  .addHelpText('after', EXIT_CODES_HELP)
  .option('--rollback', 'roll back the last batch of migrations')
  .action(async (opts: { db: string; rollback?: boolean }) => {
    const names = await withDatabase(opts.db, (db) => (opts.rollback ? migrateRollback(db) : migrateLatest(db)), { migrate: false });
    const verb = opts.rollback ? 'rolled back' : 'applied';
    console.log(names.length ? `${verb}: ${names.join(', ')}` : 'nothing to do: the database is up to date');
  });

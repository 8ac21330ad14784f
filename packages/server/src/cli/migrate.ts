import { Command } from 'commander';
import { migrateLatest, migrateRollback } from '../storage/migrations.js';
import { confirm, dbOption, requireDatabase, withDatabase, EXIT_CODES_HELP } from './common.js';
import { redactUrls } from '../storage/database.js';

export const migrateCommand = new Command('migrate')
  .description('apply pending database migrations (or roll back the last batch)')
  .addOption(dbOption())
  .addHelpText('after', EXIT_CODES_HELP)
  .option('--rollback', 'roll back the last batch of migrations: drops their tables and every row in them (asks first)')
  .option('-y, --yes', 'roll back without asking (for scripts)')
  .action(async (opts: { db: string; rollback?: boolean; yes?: boolean }) => {
    if (opts.rollback) {
      requireDatabase(opts.db);
      await confirm(`roll back the last migrations of ${redactUrls(opts.db)}, dropping their tables and all their data`, {
        yes: opts.yes,
        flag: 'migrate --rollback',
      });
    }
    const names = await withDatabase(opts.db, (db) => (opts.rollback ? migrateRollback(db) : migrateLatest(db)), {
      migrate: false,
      mustExist: opts.rollback,
    });
    const verb = opts.rollback ? 'rolled back' : 'applied';
    console.log(names.length ? `${verb}: ${names.join(', ')}` : 'nothing to do: the database is up to date');
  });

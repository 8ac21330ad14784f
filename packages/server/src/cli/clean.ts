import { Command, Option } from 'commander';
import { DEFAULT_SESSION_KEEP_DAYS } from '../options/storage-options.js';
import { redactUrls } from '../storage/database.js';
import { countOlderThan, deleteOlderThan } from '../storage/retention.js';
import { confirm, dbOption, dateTime, EXIT, fail, positiveInteger, requireDatabase, withDatabase, EXIT_CODES_HELP } from './common.js';

export const cleanCommand = new Command('clean')
  .description('delete sessions and reports older than a limit, in batches')
  .addOption(dbOption())
  .addHelpText('after', EXIT_CODES_HELP)
  .addOption(
    new Option('--days <n>', `keep this many days (default: sessionKeepDays, ${DEFAULT_SESSION_KEEP_DAYS})`)
      .env('CSP_OBSERVER_SESSION_KEEP_DAYS')
      .argParser(positiveInteger)
      .conflicts('before'),
  )
  .addOption(new Option('--before <date>', 'delete everything received before this date').argParser(dateTime))
  .option('--quiet', 'print only the totals')
  .option('--dry-run', 'count what would be deleted, delete nothing')
  .option('-y, --yes', 'delete without asking (for cron and scripts)')
  .action(async (opts: { db: string; days?: number; before?: Date; quiet?: boolean; dryRun?: boolean; yes?: boolean }) => {
    const before = opts.before ?? new Date(Date.now() - (opts.days ?? DEFAULT_SESSION_KEEP_DAYS) * 86400_000);
    if (before.getTime() > Date.now()) fail('--before is in the future: that would delete everything', EXIT.usage);
    const shown = redactUrls(opts.db);
    requireDatabase(opts.db);
    if (opts.dryRun) {
      const counted = await withDatabase(opts.db, (db) => countOlderThan(db, before.getTime()), { migrate: false, mustExist: true });
      console.log(
        `dry run: would delete ${counted.reports} report(s), ${counted.sessions} session(s), ${counted.drops} drop count(s) older than ${before.toISOString()} from ${shown}`,
      );
      return;
    }
    await confirm(`delete every report and page view older than ${before.toISOString()} from ${shown}`, { yes: opts.yes, flag: 'clean' });
    console.log(`deleting what is older than ${before.toISOString()} from ${shown}`);
    const result = await withDatabase(
      opts.db,
      (db) =>
        deleteOlderThan(db, before.getTime(), ({ table, deleted, total }) => {
          if (!opts.quiet) console.log(`  ${table}: ${deleted} of ${total} deleted (${Math.floor((deleted / total) * 100)}%)`);
        }),
      { mustExist: true },
    );
    console.log(`deleted ${result.reports} report(s), ${result.sessions} session(s), ${result.drops} drop count(s)`);
  });

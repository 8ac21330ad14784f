import { Command, Option } from 'commander';
import { DEFAULT_SESSION_KEEP_DAYS } from '../options/storage-options.js';
import { deleteOlderThan } from '../storage/retention.js';
import { dbOption, dateTime, EXIT, fail, positiveInteger, withDatabase, EXIT_CODES_HELP } from './common.js';

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
  .action(async (opts: { db: string; days?: number; before?: Date; quiet?: boolean }) => {
    const before = opts.before ?? new Date(Date.now() - (opts.days ?? DEFAULT_SESSION_KEEP_DAYS) * 86400_000);
    if (before.getTime() > Date.now()) fail('--before is in the future: that would delete everything', EXIT.usage);
    console.log(`deleting what is older than ${before.toISOString()} from ${opts.db}`);
    const result = await withDatabase(opts.db, (db) =>
      deleteOlderThan(db, before.getTime(), ({ table, deleted, total }) => {
        if (!opts.quiet) console.log(`  ${table}: ${deleted} of ${total} deleted (${Math.floor((deleted / total) * 100)}%)`);
      }),
    );
    console.log(`deleted ${result.reports} report(s), ${result.sessions} session(s), ${result.drops} drop count(s)`);
  });

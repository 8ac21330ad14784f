import { Command, Option } from 'commander';
import { RuleStore } from '../storage/rule-store.js';
import { BUNDLED } from '../rules/rules-source.js';
import { DEFAULT_RULES_UPDATE_INTERVAL, updateRules } from '../rules/update-rules.js';
import { redactUrls } from '../storage/database.js';
import { dbOption, fail, positiveInteger, withDatabase } from './common.js';

/** Exit code when the file was refused by a sanity check (older, or too few rules). */
const REFUSED = 3;

export const updateRulesCommand = new Command('update-rules')
  .description("replace the global rules with those of a rules file (ours or django-csp-observer's format); custom rules are kept")
  .addOption(dbOption())
  .addOption(
    new Option('--from <url|file>', `a rules file URL or path, or "${BUNDLED}" for the file shipped with csp-observer`)
      .env('CSP_OBSERVER_RULES_SOURCE')
      .default(BUNDLED),
  )
  .addOption(
    new Option('--interval <seconds>', 'refuse to update more often than this')
      .env('CSP_OBSERVER_RULES_UPDATE_INTERVAL')
      .argParser(positiveInteger)
      .default(DEFAULT_RULES_UPDATE_INTERVAL),
  )
  .addOption(
    new Option('--public-key <pem|base64>', "the feed publisher's Ed25519 public key: the file must come with a valid <file>.sig").env(
      'CSP_OBSERVER_RULES_PUBLIC_KEY',
    ),
  )
  .addOption(new Option('--sha256 <hex>', 'a pinned version: the SHA-256 the file must have').env('CSP_OBSERVER_RULES_SHA256'))
  .option('--force', 'update even if the last update is more recent than the interval')
  .option('--json', 'print the result as JSON')
  .addHelpText(
    'after',
    `\nExit codes: 0 updated or nothing to do, 1 failed (unreadable file, network, database), 2 bad usage, ${REFUSED} refused (the file is older than the rules in use, or has fewer than half as many rules).`,
  )
  .action(
    async (opts: { db: string; from: string; interval: number; force?: boolean; json?: boolean; publicKey?: string; sha256?: string }) => {
      if (!opts.json) console.log(`updating the rules of ${redactUrls(opts.db)} from ${redactUrls(opts.from)}`);
      const result = await withDatabase(opts.db, async (db) => {
        try {
          return await updateRules(new RuleStore(db), {
            source: opts.from,
            force: opts.force,
            updateInterval: opts.interval,
            verify: { publicKey: opts.publicKey, sha256: opts.sha256 },
            onProgress: opts.json ? undefined : (step) => console.log(`  ${step}`),
          });
        } catch (error) {
          fail((error as Error).message);
        }
      });
      if (opts.json) console.log(JSON.stringify(result, null, 2));
      else {
        console.log(`${result.status}: ${result.message}`);
        for (const [label, ids] of [
          ['added', result.added],
          ['changed', result.changed],
          ['removed', result.removed],
        ] as const) {
          if (ids.length) console.log(`  ${label}: ${ids.join(', ')}`);
        }
        for (const { id, reason } of result.rejected) console.log(`  not taken: ${id}: ${reason}`);
      }
      if (result.status === 'refused') process.exitCode = REFUSED;
    },
  );

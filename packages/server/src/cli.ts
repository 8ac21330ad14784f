import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { cleanCommand } from './cli/clean.js';
import { EXIT } from './cli/common.js';
import { migrateCommand } from './cli/migrate.js';
import { serveCommand } from './cli/serve.js';
import { summaryCommand } from './cli/summary.js';
import { updateRulesCommand } from './cli/update-rules.js';

const program = new Command('csp-observer')
  .description('Content Security Policy violation observer: collector, summaries and maintenance')
  .version((JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version)
  .showHelpAfterError()
  .addCommand(serveCommand)
  .addCommand(migrateCommand)
  .addCommand(cleanCommand)
  .addCommand(updateRulesCommand)
  .addCommand(summaryCommand);

// Commander exits 1 on a usage error; the documented code is 2 (docs/operations.md). It has
// printed the error (and the help) when it throws; help and --version are not errors.
for (const command of [program, ...program.commands]) command.exitOverride();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  process.exit(['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code) ? 0 : EXIT.usage);
}

import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { cleanCommand } from './cli/clean.js';
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

await program.parseAsync(process.argv);

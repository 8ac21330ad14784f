import { createServer, type Server } from 'node:http';
import { Command, InvalidArgumentError, Option } from 'commander';
import { OptionsError } from './options.js';
import { createStandaloneApp } from './standalone.js';
import { openDatabase } from './storage/database.js';
import { migrateLatest, migrateRollback } from './storage/migrations.js';

const DEFAULT_DB = 'csp-observer.sqlite';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

const dbOption = () =>
  new Option('--db <path|url>', 'SQLite file path or postgres:// URL').env('CSP_OBSERVER_DB').default(DEFAULT_DB);

/** Exit codes: 0 done, 1 failed at run time (database, port), 2 bad usage or configuration. */
function fail(message: string, code = 1): never {
  console.error(`csp-observer: ${message}`);
  process.exit(code);
}

const program = new Command('csp-observer')
  .description('Content Security Policy violation observer: collector, verdicts and admin')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

program
  .command('serve')
  .description('run the standalone server (report endpoints under the prefix)')
  .addOption(new Option('--port <n>', 'port to listen on').env('CSP_OBSERVER_PORT').default(8080).argParser(port))
  .addOption(new Option('--host <addr>', 'address to listen on').env('CSP_OBSERVER_HOST').default('127.0.0.1'))
  .addOption(dbOption())
  .addOption(new Option('--secret <secret>', 'secret that signs session tokens (>= 16 chars)').env('CSP_OBSERVER_SECRET'))
  .addOption(new Option('--prefix <path>', 'mount prefix').env('CSP_OBSERVER_PREFIX').default('/csp'))
  .addOption(new Option('--proxy', 'trust X-Forwarded-For from a reverse proxy').env('CSP_OBSERVER_PROXY'))
  .action(async (opts: { port: number; host: string; db: string; secret?: string; prefix: string; proxy?: boolean }) => {
    if (!opts.secret) fail('a secret is required: pass --secret or set CSP_OBSERVER_SECRET (at least 16 characters)', 2);
    let started;
    try {
      started = createStandaloneApp({ secret: opts.secret, database: opts.db, prefix: opts.prefix, proxy: Boolean(opts.proxy) });
    } catch (error) {
      fail((error as Error).message, error instanceof OptionsError ? 2 : 1);
    }
    const { app, observer } = started;
    try {
      await observer.ready;
    } catch (error) {
      fail(`database ${opts.db}: ${(error as Error).message}`);
    }
    const server: Server = createServer(app.callback());
    server.on('error', (error) => fail(`cannot listen on ${opts.host}:${opts.port}: ${error.message}`));
    server.listen(opts.port, opts.host, () => {
      const address = server.address();
      const actual = typeof address === 'object' && address ? address.port : opts.port;
      console.log(`csp-observer listening on http://${opts.host}:${actual}${opts.prefix} (database: ${opts.db})`);
    });
    const stop = () => {
      server.close();
      server.closeIdleConnections();
      void observer.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

program
  .command('migrate')
  .description('apply pending database migrations (or roll back the last batch)')
  .addOption(dbOption())
  .option('--rollback', 'roll back the last batch of migrations')
  .action(async (opts: { db: string; rollback?: boolean }) => {
    const { db } = openDatabase(opts.db);
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

await program.parseAsync(process.argv);

import { readFileSync } from 'node:fs';
import { redactUrls } from '../storage/database.js';
import { Command, Option } from 'commander';
import { OptionsError } from '../options/option-checks.js';
import type { CollectorOptions } from '../options/site-options.js';
import { SERVER_LIMIT_DEFAULTS } from '../http/server-limits.js';
import { createStandaloneServer } from '../standalone.js';
import { dbOption, EXIT, EXIT_CODES_HELP, fail, portNumber, positiveInteger, positiveNumber, proxyHops } from './common.js';

export const serveCommand = new Command('serve')
  .description('run the standalone server: the report endpoints, visitor pages and admin dashboard under the prefix')
  .addOption(new Option('--port <n>', 'port to listen on').env('CSP_OBSERVER_PORT').default(8080).argParser(portNumber))
  .addOption(new Option('--host <addr>', 'address to listen on').env('CSP_OBSERVER_HOST').default('127.0.0.1'))
  .addOption(dbOption())
  .addOption(
    new Option('--secret <secret>', 'secret that signs session tokens (>= 16 chars); prefer CSP_OBSERVER_SECRET or --secret-file').env(
      'CSP_OBSERVER_SECRET',
    ),
  )
  .addOption(new Option('--secret-file <path>', 'read the secret from this file (its first line)').env('CSP_OBSERVER_SECRET_FILE'))
  .addOption(new Option('--prefix <path>', 'mount prefix').env('CSP_OBSERVER_PREFIX').default('/csp'))
  .addOption(
    new Option('--proxy [hops]', 'trust X-Forwarded-* from this many reverse proxies in front (1 without a number)')
      .env('CSP_OBSERVER_PROXY')
      .argParser(proxyHops),
  )
  .addOption(
    new Option('--max-connections <n>', 'open connections served at once; more get a 503')
      .env('CSP_OBSERVER_MAX_CONNECTIONS')
      .default(SERVER_LIMIT_DEFAULTS.maxConnections)
      .argParser(positiveInteger),
  )
  .addOption(
    new Option('--headers-timeout <s>', 'seconds a client may take to send its request headers')
      .env('CSP_OBSERVER_HEADERS_TIMEOUT')
      .default(SERVER_LIMIT_DEFAULTS.headersTimeoutSeconds)
      .argParser(positiveNumber),
  )
  .addOption(
    new Option('--request-timeout <s>', 'seconds a client may take to send its whole request')
      .env('CSP_OBSERVER_REQUEST_TIMEOUT')
      .default(SERVER_LIMIT_DEFAULTS.requestTimeoutSeconds)
      .argParser(positiveNumber),
  )
  .addOption(new Option('--collector', 'be the central collector of the sites in --sites').env('CSP_OBSERVER_COLLECTOR'))
  .addOption(
    new Option(
      '--sites <file|json>',
      'the collector\'s sites: a JSON file, or the JSON itself, [{"id","secrets":[...],"origins":[...]}]',
    ).env('CSP_OBSERVER_SITES'),
  )
  .addHelpText(
    'after',
    `\nThe admin dashboard ({prefix}/admin/) opens with CSP_OBSERVER_ADMIN_PASSWORD (the login form, at least 10 characters)
or CSP_OBSERVER_ADMIN_TOKEN (Authorization: Bearer, at least 16 characters); it is closed without either.
Secrets belong in the environment, not on the command line.

As a collector (--collector), each site's pages report here with tokens signed by the site's own
secret (cspObserver({ remote: { url, site, secret } }) on the site). A site's secrets rotate: list
the new one first and keep the old one as {"secret": "...", "until": "2026-12-31T00:00:00Z"} for
as long as its page views need verdicts and scan pages. See docs/operations.md.${EXIT_CODES_HELP}`,
  )
  .action(
    async (opts: {
      port: number;
      host: string;
      db: string;
      secret?: string;
      secretFile?: string;
      prefix: string;
      proxy?: number | true;
      maxConnections: number;
      headersTimeout: number;
      requestTimeout: number;
      collector?: boolean;
      sites?: string;
    }) => {
      if (opts.secretFile && opts.secret) {
        fail(
          'the secret is given twice: keep either --secret-file (CSP_OBSERVER_SECRET_FILE) or --secret (CSP_OBSERVER_SECRET)',
          EXIT.usage,
        );
      }
      const secret = opts.secretFile ? secretFromFile(opts.secretFile) : opts.secret;
      if (!secret) fail('a secret is required: set CSP_OBSERVER_SECRET or pass --secret-file PATH (at least 16 characters)', EXIT.usage);
      if (!opts.secretFile && serveCommand.getOptionValueSource('secret') === 'cli') {
        console.error(
          'csp-observer: warning: --secret is visible to every user of this machine in the process list (ps) and stays in your shell history; set CSP_OBSERVER_SECRET or use --secret-file PATH instead',
        );
      }
      const collector = opts.collector ? collectorSites(opts.sites) : undefined;
      if (!opts.collector && opts.sites) fail('--sites is for a collector: add --collector', EXIT.usage);
      let started: ReturnType<typeof createStandaloneServer>;
      try {
        started = createStandaloneServer({
          secret,
          database: opts.db,
          prefix: opts.prefix,
          proxy: opts.proxy === true ? 1 : (opts.proxy ?? 0),
          server: {
            maxConnections: opts.maxConnections,
            headersTimeoutSeconds: opts.headersTimeout,
            requestTimeoutSeconds: opts.requestTimeout,
          },
          ...(collector ? { collector } : {}),
        });
      } catch (error) {
        fail((error as Error).message, error instanceof OptionsError ? EXIT.usage : EXIT.failed);
      }
      const { server, observer } = started;
      try {
        await observer.ready;
      } catch (error) {
        fail(`database ${opts.db}: ${(error as Error).message}`);
      }
      server.on('error', (error) => fail(`cannot listen on ${opts.host}:${opts.port}: ${error.message}`));
      server.listen(opts.port, opts.host, () => {
        const address = server.address();
        const actual = typeof address === 'object' && address ? address.port : opts.port;
        console.log(`csp-observer listening on http://${opts.host}:${actual}${opts.prefix} (database: ${redactUrls(opts.db)})`);
        if (collector) console.log(`collector for ${collector.sites.map((site) => `${site.id} (${site.origins.join(', ')})`).join('; ')}`);
        console.log(
          observer.adminEnabled
            ? `admin dashboard: http://${opts.host}:${actual}${opts.prefix}/admin/`
            : 'admin dashboard closed: set CSP_OBSERVER_ADMIN_PASSWORD or CSP_OBSERVER_ADMIN_TOKEN to open it',
        );
      });
      const stop = () => {
        server.close();
        server.closeIdleConnections();
        void observer.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
  );

/** The secret in a file (as a container's or systemd's secrets are mounted): its first line, without the line end. */
function secretFromFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').split(/\r?\n/)[0] ?? '';
  } catch (error) {
    fail(`cannot read the secret file ${path}: ${(error as Error).message}`, EXIT.usage);
  }
}

/** The sites of `--sites`: a JSON file or the JSON itself, an array of sites or `{ "sites": [...] }`. */
function collectorSites(value: string | undefined): CollectorOptions {
  if (!value) fail('a collector needs its sites: pass --sites FILE or set CSP_OBSERVER_SITES (see csp-observer serve --help)', EXIT.usage);
  let text = value;
  if (!value.trim().startsWith('[') && !value.trim().startsWith('{')) {
    try {
      text = readFileSync(value, 'utf8');
    } catch (error) {
      fail(`cannot read the sites file ${value}: ${(error as Error).message}`, EXIT.usage);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    fail(`the sites are not valid JSON: ${(error as Error).message}`, EXIT.usage);
  }
  const sites = Array.isArray(parsed) ? parsed : (parsed as { sites?: unknown } | null)?.sites;
  if (!Array.isArray(sites)) fail('the sites must be a JSON array of {"id", "secrets", "origins"} (or {"sites": [...]})', EXIT.usage);
  return { sites };
}

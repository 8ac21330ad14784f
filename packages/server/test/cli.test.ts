import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { mintSiteToken } from '../src/session/session-token.js';
import { openDatabase } from '../src/storage/database.js';
import { reportUriBody } from './fixtures/browser-reports.js';
import { testDatabases } from './support/databases.js';

// The CLI as users run it: the built bin (the test command builds first).
const BIN = fileURLToPath(new URL('../bin/csp-observer.js', import.meta.url));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  CSP_OBSERVER_SECRET: '',
  CSP_OBSERVER_DB: '',
  CSP_OBSERVER_PORT: '',
  CSP_OBSERVER_SITES: '',
};
// A boolean flag's variable turns it on whatever its value: leave it out.
delete env.CSP_OBSERVER_COLLECTOR;

function cli(args: string[], extraEnv: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...env, ...extraEnv }, timeout: 20_000 });
}

describe.each(testDatabases())('csp-observer CLI on $name', (database) => {
  afterAll(() => database.cleanup());

  it.skipIf(Boolean(database.skip))('migrates, reports when up to date, and rolls back', async () => {
    const db = await database.create();
    const first = cli(['migrate', '--db', db]);
    expect(first.stderr).toBe('');
    expect(first.stdout.trim()).toBe(
      'applied: 0001_sessions_and_reports, 0002_rules_and_detection, 0003_sdk_queue_and_sharing, 0004_shown_verdicts, 0005_collector_sites',
    );
    expect(cli(['migrate'], { CSP_OBSERVER_DB: db }).stdout.trim()).toBe('nothing to do: the database is up to date');
    // Issue 22: a rollback drops every table; without a terminal to ask on it needs --yes.
    const unasked = cli(['migrate', '--db', db, '--rollback']);
    expect([unasked.status, unasked.stdout]).toEqual([2, '']);
    expect(unasked.stderr).toContain('refused without confirmation (no terminal to ask on); add --yes to migrate --rollback unattended');
    expect(cli(['migrate'], { CSP_OBSERVER_DB: db }).stdout.trim()).toBe('nothing to do: the database is up to date');
    expect(cli(['migrate', '--db', db, '--rollback', '--yes']).stdout.trim()).toBe(
      'rolled back: 0005_collector_sites, 0004_shown_verdicts, 0003_sdk_queue_and_sharing, 0002_rules_and_detection, 0001_sessions_and_reports',
    );
  });

  it.skipIf(Boolean(database.skip))('serves until stopped, on the port and host it was given', async () => {
    const db = await database.create();
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', db], {
      env: { ...env, CSP_OBSERVER_SECRET: 'cli-test-secret-0123456789' },
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+\/csp)/.exec(out);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
      });
      const health = await fetch(`${url}/health`);
      expect(await health.json()).toEqual({ status: 'ok', database: database.name });
      const page = await fetch(url.replace(/\/csp$/, '/'));
      expect(page.status).toBe(404);
      expect(page.headers.get('content-security-policy-report-only')).toBeNull();
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
  });
});

/** Starts `csp-observer serve`, resolving with its URL and everything it printed so far. */
function serve(args: string[], extraEnv: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { env: { ...env, ...extraEnv } });
  const started = new Promise<{ url: string; out: string }>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+\/csp)[^\n]*\n(?:[^\n]*\n){2}/.exec(out);
      if (match) resolve({ url: match[1]!, out });
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
  return { child, started };
}

describe('csp-observer serve --collector', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cspo-collector-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const SITE_SECRET = 'cli-site-secret-0123456789';
  const sites = JSON.stringify([{ id: 'shop', secrets: [SITE_SECRET], origins: ['https://shop.test'] }]);

  it("takes its sites from CSP_OBSERVER_SITES and accepts their pages' reports", async () => {
    const { child, started } = serve(['--collector', '--db', join(dir, 'collector.sqlite')], {
      CSP_OBSERVER_SECRET: 'cli-test-secret-0123456789',
      CSP_OBSERVER_SITES: sites,
    });
    try {
      const { url, out } = await started;
      expect(out).toContain('collector for shop (https://shop.test)');
      const send = (secret: string) =>
        fetch(`${url}/report/${mintSiteToken('shop', secret, { canary: true, reportingApi: false }).token}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/csp-report', Origin: 'https://shop.test' },
          body: reportUriBody(),
        });
      expect((await send(SITE_SECRET)).status).toBe(204);
      expect((await send('not-the-site-secret-0123')).status).toBe(403);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
  });

  it('explains missing or malformed sites and exits 2', () => {
    const base = ['serve', '--port', '0', '--db', ':memory:', '--secret', 'cli-test-secret-0123456789'];
    const missing = cli([...base, '--collector']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('a collector needs its sites: pass --sites FILE or set CSP_OBSERVER_SITES');
    expect(cli([...base, '--collector', '--sites', join(dir, 'nowhere.json')]).stderr).toMatch(
      /cannot read the sites file .*nowhere\.json/,
    );
    expect(cli([...base, '--collector', '--sites', '[{"id":']).stderr).toMatch(/the sites are not valid JSON/);
    const badSite = cli([...base, '--collector', '--sites', '[{"id":"shop","secrets":["short"],"origins":["https://shop.test"]}]']);
    expect(badSite.status).toBe(2);
    expect(badSite.stderr).toContain('collector.sites[shop].secrets: each secret must be at least 16 characters');
    expect(cli([...base, '--sites', sites]).stderr).toContain('--sites is for a collector: add --collector');
  });
});

describe('csp-observer serve against hostile traffic (issue 21, items 3 and 6)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cspo-serve-bounds-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the client address --proxy hops from the right, and caps connections at --max-connections', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--port', '0', '--db', join(dir, 'bounds.sqlite'), '--proxy', '2', '--max-connections', '1'],
      {
        env: { ...env, CSP_OBSERVER_SECRET: 'cli-test-secret-0123456789' },
      },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+\/csp)/.exec(out);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
      });
      // The client wrote the first entry, the CDN the second (the client as it saw it), the load balancer the third.
      const sent = await fetch(`${url}/report`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/csp-report',
          'X-Forwarded-For': '10.0.0.1, 198.51.100.23, 203.0.113.9',
          Connection: 'close',
        },
        body: reportUriBody(),
      });
      expect(sent.status).toBe(204);
      const { db } = openDatabase(join(dir, 'bounds.sqlite'));
      try {
        expect(await db('cspo_reports').pluck('ip')).toEqual(['198.51.0.0']);
      } finally {
        await db.destroy();
      }
      // One connection held: the next is answered 503.
      const { port } = new URL(url);
      const held = connect(Number(port), '127.0.0.1');
      await new Promise((resolve) => held.once('connect', resolve));
      try {
        await expect
          .poll(async () => {
            const answer = await fetch(`${url}/health`, { headers: { Connection: 'close' } });
            return [answer.status, answer.headers.get('Retry-After')];
          })
          .toEqual([503, '5']);
      } finally {
        held.destroy();
      }
    } finally {
      child.kill('SIGTERM');
    }
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
  });
});

describe('csp-observer CLI usage errors', () => {
  it('explains a missing secret and exits 2', () => {
    const result = cli(['serve', '--port', '0', '--db', ':memory:']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('a secret is required: set CSP_OBSERVER_SECRET or pass --secret-file PATH');
  });

  it('rejects a bad port with the usage, exit 2', () => {
    const result = cli(['serve', '--port', 'eighty']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("option '--port <n>' argument 'eighty' is invalid. must be a port number");
  });

  it('documents every command and its exit codes in --help, and prints its version', () => {
    for (const command of ['serve', 'migrate', 'clean', 'update-rules', 'summary']) {
      const result = cli([command, '--help']);
      expect(result.status, command).toBe(0);
      expect(result.stdout, command).toContain(`Usage: csp-observer ${command}`);
      expect(result.stdout, command).toMatch(/Exit codes: 0 /);
      expect(result.stdout, command).toContain('--db <path|url>');
    }
    expect(cli(['serve', '--help']).stdout).toContain('CSP_OBSERVER_ADMIN_PASSWORD');
    expect(cli(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('shows the steps of a rules update', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cspo-cli-'));
    try {
      const result = cli(['update-rules', '--db', join(dir, 'rules.sqlite')]);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(
        /reading bundled\n\s+checking \d+ rules \(0 malformed\)\n\s+writing \d+ rules in one transaction\nupdated: /,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names an unknown command, exit 2', () => {
    const result = cli(['frobnicate']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });

  // Issue 22: commander exited 1 where docs/operations.md says 2.
  it('exits 2 for an unknown flag and a missing value, 0 for --help and --version', () => {
    const flag = cli(['summary', '--sinse', '2026-11-01']);
    expect([flag.status, flag.stderr.split('\n')[0]]).toEqual([2, "error: unknown option '--sinse'"]);
    const value = cli(['summary', '--since']);
    expect([value.status, value.stderr.split('\n')[0]]).toEqual([2, "error: option '--since <date>' argument missing"]);
    expect(cli(['summary', '--help']).status).toBe(0);
    expect(cli(['--version']).status).toBe(0);
  });
});

describe('csp-observer CLI safety (issue 22)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cspo-cli-safety-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const SECRET = 'cli-test-secret-0123456789';

  it('never creates a database to read, clean or roll back: a mistyped path is an error, exit 2', () => {
    const missing = join(dir, 'typo', 'reprots.sqlite');
    for (const args of [['summary'], ['clean', '--dry-run'], ['clean', '--yes'], ['migrate', '--rollback', '--yes']]) {
      const result = cli([...args, '--db', missing]);
      expect([result.status, result.stdout], args.join(' ')).toEqual([2, '']);
      expect(result.stderr.trim(), args.join(' ')).toBe(
        `csp-observer: no database at ${missing}: check --db (or CSP_OBSERVER_DB); \`csp-observer migrate --db ${missing}\` creates one`,
      );
    }
    expect(existsSync(join(dir, 'typo'))).toBe(false);
  });

  it('cleans only when confirmed: --yes, or y on a terminal; --dry-run only counts', () => {
    const db = join(dir, 'clean.sqlite');
    expect(cli(['migrate', '--db', db]).status).toBe(0);
    const unasked = cli(['clean', '--db', db]);
    expect(unasked.status).toBe(2);
    expect(unasked.stderr).toContain('refused without confirmation (no terminal to ask on); add --yes to clean unattended');
    const dry = cli(['clean', '--db', db, '--dry-run', '--before', '2026-11-01']);
    expect([dry.status, dry.stdout.trim()]).toEqual([
      0,
      `dry run: would delete 0 report(s), 0 session(s), 0 drop count(s) older than ${new Date('2026-11-01T00:00').toISOString()} from ${db}`,
    ]);
    // A terminal (script(1) gives the command one): "n" cancels, "y" goes ahead.
    const onTerminal = (answer: string) =>
      spawnSync('script', ['-qec', `${process.execPath} ${BIN} clean --db ${db}`, '/dev/null'], {
        input: `${answer}\n`,
        encoding: 'utf8',
        env,
        timeout: 20_000,
      });
    const no = onTerminal('n');
    expect(no.status).toBe(1);
    expect(no.stdout).toContain('? [y/N] ');
    expect(no.stdout).toContain('cancelled: nothing was changed');
    const yes = onTerminal('y');
    expect(yes.status).toBe(0);
    expect(yes.stdout).toContain('deleted 0 report(s), 0 session(s), 0 drop count(s)');
  });

  it('summarizes from --since to now when --to is not given', () => {
    const db = join(dir, 'summary.sqlite');
    expect(cli(['migrate', '--db', db]).status).toBe(0);
    const today = new Date();
    const since = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
    const result = cli(['summary', '--db', db, '--since', since, '--format', 'json']);
    expect([result.status, result.stderr]).toEqual([0, '']);
    expect(JSON.parse(result.stdout)).toMatchObject({ since: new Date(`${since}T00:00`).toISOString(), total: 0 });
  });

  it('refuses database schemes it does not speak, with the ones it does, exit 2', () => {
    for (const url of ['mysql://root:pw@localhost/app', 'mongodb://localhost/app']) {
      for (const args of [['summary'], ['migrate'], ['serve', '--port', '0']]) {
        const result = cli([...args, '--db', url], { CSP_OBSERVER_SECRET: SECRET });
        expect(result.status, `${args[0]} ${url}`).toBe(2);
        expect(result.stderr, `${args[0]} ${url}`).toContain(
          `:// is not supported; use postgres://, postgresql:// (PostgreSQL) or sqlite:// and a file path (SQLite)`,
        );
        expect(result.stderr).not.toContain(':pw@');
      }
    }
    expect(existsSync('mysql:')).toBe(false);
  });

  it('never prints the password of a database URL', () => {
    const url = 'postgres://app:hunter2-secret@127.0.0.1:1/reports';
    for (const args of [['summary'], ['migrate'], ['serve', '--port', '0']]) {
      const result = cli([...args, '--db', url], { CSP_OBSERVER_SECRET: SECRET });
      expect(result.status, args[0]).toBe(1);
      expect(result.stderr + result.stdout, args[0]).not.toContain('hunter2');
      expect(result.stderr, args[0]).toContain('postgres://app:***@127.0.0.1:1/reports');
    }
  });

  it('takes the secret from a file or the environment; on the command line it works with a warning', async () => {
    const file = join(dir, 'secret.txt');
    writeFileSync(file, `${SECRET}\n`);
    const warning = 'warning: --secret is visible to every user of this machine in the process list (ps)';
    for (const [args, extraEnv, warned] of [
      [['--secret-file', file], {}, false],
      [[], { CSP_OBSERVER_SECRET_FILE: file }, false],
      [[], { CSP_OBSERVER_SECRET: SECRET }, false],
      [['--secret', SECRET], {}, true],
    ] as const) {
      const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', ':memory:', ...args], { env: { ...env, ...extraEnv } });
      let err = '';
      child.stderr.on('data', (chunk: Buffer) => {
        err += chunk.toString();
      });
      try {
        await new Promise<void>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            if (out.includes('listening on')) resolve();
          });
          child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}${err}`)));
        });
      } finally {
        child.kill('SIGTERM');
      }
      await new Promise((resolve) => child.once('exit', resolve));
      expect(err.includes(warning), JSON.stringify(args)).toBe(warned);
    }
    const unreadable = cli(['serve', '--port', '0', '--db', ':memory:', '--secret-file', join(dir, 'nowhere.txt')]);
    expect(unreadable.status).toBe(2);
    expect(unreadable.stderr).toContain(`cannot read the secret file ${join(dir, 'nowhere.txt')}`);
    // Four servers started one after another: on a busy machine that outlasts the default 20 s.
  }, 90_000);
});

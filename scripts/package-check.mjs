#!/usr/bin/env node
// The package check: csp-observer as a new user gets it from npm, outside this workspace.
//
// 1. Packs the four packages with `pnpm pack` (which rewrites the workspace:* ranges) and reads
//    each tarball: metadata (license, LICENSE text, README, repository, engines), no tests, no
//    source map without its source, every entry point present, koa a peer, pg an optional peer.
// 2. Installs the tarballs with npm, beside packages from the npm registry, into fresh apps in a
//    temporary folder: one on Koa 3 (ESM JavaScript, CommonJS, strict TypeScript with nothing
//    installed by hand), one on Koa 2 (ESM JavaScript, strict TypeScript on @types/koa 2).
// 3. Type-checks the README's TypeScript snippet with tsc under strict (the packages' .d.ts files
//    included), runs its JavaScript snippet (and in the Koa 3 app the same from CommonJS, and on
//    Node 22.18+ the TypeScript one as it is), on Node 20 and each major in PACKAGE_CHECK_NODES:
//    loads a page, sends a real CSP report to its report-uri over HTTP and finds it stored (the
//    admin API); checks the SDK and the dashboard are served, the CLI starts, and a postgres://
//    URL without pg says which command installs it.
//
// sqlite3 compiles from source here (about 2 minutes a time: no prebuilt binary can be
// downloaded), so by default the apps install without install scripts and get the workspace's
// compiled sqlite3 binary (N-API: the same build loads on Node 20, 22 and 24); the check fails if
// any other package in the apps needed an install script. PACKAGE_CHECK_SQLITE=compile builds
// sqlite3 in each app instead, as a first install does.
//
// Usage: node scripts/package-check.mjs (after scripts/setup.sh). Env: PACKAGE_CHECK_PORT (first
// port to use; default: ports the system picks), PACKAGE_CHECK_KEEP=1 (keep the temporary folder),
// PACKAGE_CHECK_SQLITE=compile, PACKAGE_CHECK_NODES=22,24 (run the apps on these Node majors too, from
// the npm registry's node-<platform>-<arch> packages; scripts/test.sh sets it).
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
const PACKAGES = ['core', 'sdk', 'dashboard', 'server'];
const SECRET = 'package-check-secret-0123456789';
const ADMIN_TOKEN = 'package-check-admin-token-0123456789';
const BLOCKED = 'https://package-check.example/injected.js';
let nextPort = Number(process.env.PACKAGE_CHECK_PORT || 0);

const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
const log = (message) => console.log(`\x1b[1m[package-check]\x1b[0m ${message} (${elapsed()})`);

class CheckFailure extends Error {}
function fail(message) {
  throw new CheckFailure(message);
}

/** Runs a command; resolves with its output, or fails with the command, its exit and its output. */
function run(command, args, { cwd, env = process.env, heartbeat, allowFailure = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const since = Date.now();
    const timer = heartbeat
      ? setInterval(() => log(`  ... ${heartbeat}: ${Math.round((Date.now() - since) / 1000)} s so far`), 20_000)
      : null;
    child.on('error', (error) => {
      if (timer) clearInterval(timer);
      reject(new CheckFailure(`could not run ${command}: ${error.message}`));
    });
    child.on('close', (code) => {
      if (timer) clearInterval(timer);
      if (code === 0 || allowFailure) resolvePromise({ code, output });
      else reject(new CheckFailure(`\`${[command, ...args].join(' ')}\` in ${cwd ?? root} exited with ${code}:\n${output.trim()}`));
    });
  });
}

function pnpmCommand() {
  const local = join(root, '.tools', 'bin', 'pnpm');
  return existsSync(local) ? local : 'pnpm';
}

// ---------------------------------------------------------------------------------------------
// 1. The tarballs.

/** Unpacks a tarball into `into`; lists its files (without the leading `package/`) and reads its package.json. */
async function readTarball(file, into) {
  mkdirSync(into, { recursive: true });
  await run('tar', ['-xzf', file, '-C', into]);
  const dir = join(into, 'package');
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'));
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return { files, manifest, read: (path) => readFileSync(join(dir, path), 'utf8') };
}

/** Every path an entry point names (exports, main, types, module, bin), without the leading `./`. */
function entryPoints(manifest) {
  const paths = [];
  const walk = (value) => {
    if (typeof value === 'string') paths.push(value);
    else if (value && typeof value === 'object') for (const inner of Object.values(value)) walk(inner);
  };
  walk(manifest.exports);
  walk(manifest.bin);
  for (const key of ['main', 'module', 'types']) walk(manifest[key]);
  return [...new Set(paths.map((path) => posix.normalize(path)))];
}

async function checkTarball(dir, file, versions, into) {
  const { files, manifest, read } = await readTarball(file, into);
  const problems = [];
  const has = new Set(files);
  const name = manifest.name;
  const text = JSON.stringify(manifest);
  if (text.includes('workspace:'))
    problems.push(`its package.json still has a workspace: range: ${text.match(/"[^"]*":"workspace:[^"]*"/)?.[0]}`);
  if (manifest.private) problems.push('it is "private": true, so a publish would skip it');
  if (manifest.license !== 'MIT') problems.push(`license is ${JSON.stringify(manifest.license)}, not "MIT"`);
  if (!has.has('LICENSE')) problems.push('no LICENSE file');
  else if (read('LICENSE') !== readFileSync(join(root, 'LICENSE'), 'utf8')) {
    problems.push(`its LICENSE differs from the repository's (copy LICENSE to packages/${dir}/LICENSE)`);
  }
  if (!has.has('README.md')) problems.push('no README.md');
  if (!manifest.repository?.url || manifest.repository?.directory !== `packages/${dir}`) {
    problems.push('no repository { url, directory } naming its folder');
  }
  if ((dir === 'core' || dir === 'server') && manifest.engines?.node !== '>=20.19.0') {
    problems.push(`engines.node is ${JSON.stringify(manifest.engines?.node)}, not ">=20.19.0"`);
  }
  for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) {
    if (manifest.scripts?.[script]) problems.push(`it has a "${script}" script, which would run on the user's machine`);
  }
  const tests = files.filter((path) => /(^|\/)(test|tests|__tests__)\/|\.(test|spec)\.[cm]?[jt]sx?$/.test(path));
  if (tests.length)
    problems.push(`it ships tests: ${tests.slice(0, 5).join(', ')}${tests.length > 5 ? ` and ${tests.length - 5} more` : ''}`);
  for (const entry of entryPoints(manifest)) {
    if (!has.has(entry)) problems.push(`an entry point is missing: ${entry} (build first: pnpm run build)`);
  }
  // A map whose source is not shipped points debuggers and editors at nothing.
  const maps = files.filter((path) => path.endsWith('.map'));
  const missing = new Set();
  for (const map of maps) {
    for (const source of JSON.parse(read(map)).sources ?? []) {
      const path = posix.normalize(posix.join(posix.dirname(map), source));
      if (!has.has(path)) missing.add(`${map} -> ${path}`);
    }
  }
  if (missing.size) problems.push(`${missing.size} source maps point at sources not shipped, e.g. ${[...missing].slice(0, 3).join('; ')}`);
  for (const [dependency, range] of Object.entries(manifest.dependencies ?? {})) {
    if (dependency in versions && range !== versions[dependency]) {
      problems.push(`it depends on ${dependency}@${range}, but the packed version is ${versions[dependency]}`);
    }
  }
  if (dir === 'server') {
    const peers = manifest.peerDependencies ?? {};
    if (manifest.dependencies?.koa) problems.push('koa is a dependency: a Koa 2 app would get a second Koa; it must be a peer dependency');
    if (peers.koa !== '^2.13.0 || ^3.0.0') problems.push(`peerDependencies.koa is ${JSON.stringify(peers.koa)}, not "^2.13.0 || ^3.0.0"`);
    if (manifest.dependencies?.pg) problems.push('pg is a dependency: only PostgreSQL users need it (an optional peer dependency)');
    if (!peers.pg || manifest.peerDependenciesMeta?.pg?.optional !== true) problems.push('pg is not an optional peer dependency');
    if (!manifest.dependencies?.sqlite3) problems.push('sqlite3 is not a dependency: SQLite must work out of the box');
    if (manifest.dependencies?.['@types/node'] !== '*') {
      problems.push('@types/node is not a dependency on "*": its types name Node\'s, and "*" shares the app\'s own @types/node');
    }
    if (!manifest.dependencies?.['@types/koa'])
      problems.push("@types/koa is not a dependency: a strict TypeScript app cannot read the package's types without it");
  }
  if (problems.length) fail(`${name} (${basename(file)}):\n  - ${problems.join('\n  - ')}`);
  const size = (await run('gzip', ['-l', file])).output.trim().split('\n')[1]?.trim().split(/\s+/) ?? [];
  return { name, files: files.length, packed: Number(size[0]), unpacked: Number(size[1]) };
}

// ---------------------------------------------------------------------------------------------
// 2. The apps.

/** The README's snippets under "Use it in your Koa app": the first ```js and ```ts blocks. */
function readmeSnippets() {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.split(/^## Use it in your Koa app$/m)[1]?.split(/^## /m)[0];
  if (!section) fail('README.md has no section "## Use it in your Koa app"');
  const block = (lang) => section.match(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``))?.[1];
  const js = block('js');
  const ts = block('ts');
  if (!js || !ts) fail('README.md\'s "Use it in your Koa app" lacks its ```js or ```ts snippet');
  const install = section.match(/^npm install .*$/m)?.[0];
  if (!install) fail('README.md\'s "Use it in your Koa app" has no `npm install ...` line');
  return { js, ts, install };
}

/** The snippet as it runs here: on 127.0.0.1 and the port given, not on every address's 3000. */
function listenHere(snippet, where) {
  const listen = 'app.listen(3000);';
  if (!snippet.includes(listen))
    fail(`the README's ${where} snippet no longer ends with \`${listen}\`: teach scripts/package-check.mjs its new form`);
  return snippet.replace(listen, "app.listen(Number(process.env.PORT), '127.0.0.1');");
}

const STRICT_TSCONFIG = {
  compilerOptions: {
    strict: true,
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    noEmit: true,
    // Stricter than `tsc --init`: the packages' own .d.ts files are checked too.
    skipLibCheck: false,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
  },
  include: ['*.ts'],
};

/** What a TypeScript user writes beyond the snippet: the exported types in use. */
const TYPES_TS = `import Koa from 'koa';
import { cspObserver, OptionsError, type CspObserverOptions, type Logger, type ReceivedReport } from '@csp-observer/server';

const logger: Logger = console;
const options: CspObserverOptions = {
  secret: 'a secret of 16 characters or more',
  database: 'data/types.sqlite',
  logger,
  handlers: [(report: ReceivedReport) => void report],
};
const app = new Koa();
app.use(cspObserver(options));
app.use((ctx) => {
  ctx.body = String(ctx.state.cspNonce);
});
export const isOptionsError = (error: unknown): boolean => error instanceof OptionsError;
`;

const CJS_APP = `// CommonJS: require() of the ES module package (Node 20.19+, 22.12+).
const Koa = require('koa');
const { cspObserver } = require('@csp-observer/server');

const app = new Koa();
app.use(cspObserver({ secret: process.env.CSP_OBSERVER_SECRET, database: 'data/cjs.sqlite' }));
app.use((ctx) => {
  ctx.type = 'html';
  ctx.body = '<!doctype html><html><head><title>CommonJS</title></head><body>hi</body></html>';
});
app.listen(Number(process.env.PORT), '127.0.0.1');
`;

const PG_MISSING = `import { cspObserver } from '@csp-observer/server';
try {
  cspObserver({ secret: 'a secret of 16 characters or more', database: 'postgres://nobody@127.0.0.1:1/none' });
  console.log('no error');
} catch (error) {
  console.log(String(error.message));
}
`;

/** Packages in node_modules that have an install step npm would have run (scripts or binding.gyp). */
function packagesWithInstallSteps(app) {
  const found = [];
  const visit = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir)) {
      if (entry.startsWith('.')) continue;
      const path = join(dir, entry);
      if (entry.startsWith('@')) {
        visit(path);
        continue;
      }
      const manifestPath = join(path, 'package.json');
      if (!existsSync(manifestPath)) continue;
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
      const scripts = manifest.scripts ?? {};
      if (scripts.preinstall || scripts.install || scripts.postinstall || existsSync(join(path, 'binding.gyp'))) found.push(manifest.name);
      visit(join(path, 'node_modules'));
    }
  };
  visit(join(app, 'node_modules'));
  return [...new Set(found)].sort();
}

/** The workspace's compiled sqlite3, to be copied into an app installed without scripts. */
function workspaceSqlite() {
  const require = createRequire(join(root, 'packages', 'server', 'package.json'));
  const dir = dirname(require.resolve('sqlite3/package.json'));
  const binary = join(dir, 'build', 'Release', 'node_sqlite3.node');
  if (!existsSync(binary)) fail(`the workspace's sqlite3 has no compiled binary at ${binary}: run scripts/setup.sh`);
  return { version: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version, binary };
}

async function installApp(app, { label, tarballs, extra, compileSqlite }) {
  mkdirSync(join(app, 'data'), { recursive: true });
  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify({ name: `package-check-${label}`, private: true, type: 'module' }, null, 2)}\n`,
  );
  const args = [
    'install',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    '--prefer-offline',
    ...(compileSqlite ? [] : ['--ignore-scripts']),
  ];
  // Nothing of this workspace's npm or pnpm settings (pnpm run passes its own npm_config_* on).
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  env.npm_config_update_notifier = 'false';
  // As scripts/setup.sh: node-gyp builds against Debian's Node headers where they are.
  const nodedir = process.env.npm_config_nodedir || (existsSync('/usr/include/node/node_version.h') ? '/usr' : '');
  if (compileSqlite && nodedir) env.npm_config_nodedir = nodedir;
  await run('npm', [...args, ...tarballs, ...extra], {
    cwd: app,
    env,
    heartbeat: compileSqlite ? 'npm install (sqlite3 compiles from source: about 2 minutes)' : 'npm install',
  });
  const installed = (name) => {
    const path = join(app, 'node_modules', name, 'package.json');
    return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')).version : null;
  };
  if (!compileSqlite) {
    const skipped = packagesWithInstallSteps(app).filter((name) => name !== 'sqlite3');
    if (skipped.length) {
      fail(
        `${label}: these packages have install steps the check skipped (--ignore-scripts): ${skipped.join(', ')}; run with PACKAGE_CHECK_SQLITE=compile, or teach the check`,
      );
    }
    const sqlite = workspaceSqlite();
    if (installed('sqlite3') !== sqlite.version) {
      fail(
        `${label}: npm installed sqlite3 ${installed('sqlite3')}, the workspace has ${sqlite.version}: its binary cannot be reused (PACKAGE_CHECK_SQLITE=compile builds it)`,
      );
    }
    const release = join(app, 'node_modules', 'sqlite3', 'build', 'Release');
    mkdirSync(release, { recursive: true });
    copyFileSync(sqlite.binary, join(release, 'node_sqlite3.node'));
  }
  return installed;
}

async function freePort() {
  if (nextPort) return nextPort++;
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePromise(port));
    });
  });
}

/** Starts `node <entry>` in the app; resolves once `/csp/health` answers. */
async function startApp(app, entry, label, node) {
  // A database of its own for each run: what it finds stored is what this run sent.
  rmSync(join(app, 'data'), { recursive: true, force: true });
  mkdirSync(join(app, 'data'));
  const port = await freePort();
  const child = spawn(node, [entry], {
    cwd: app,
    env: { ...process.env, PORT: String(port), CSP_OBSERVER_SECRET: SECRET, CSP_OBSERVER_ADMIN_TOKEN: ADMIN_TOKEN, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exited = null;
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  child.on('exit', (code, signal) => {
    exited = signal ?? code;
  });
  const base = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise((resolvePromise) => {
      if (exited !== null) return resolvePromise();
      child.once('exit', () => resolvePromise());
      child.kill('SIGTERM');
    });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited !== null) fail(`${label}: \`node ${entry}\` exited (${exited}) before it answered:\n${output.trim()}`);
    try {
      const response = await fetch(`${base}/csp/health`);
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      fail(`${label}: \`node ${entry}\` did not answer GET /csp/health within 30 s:\n${output.trim()}`);
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
  return { base, stop, output: () => output };
}

/** A page, its policy's report-uri, a real report POSTed there, found again through the admin API. */
async function exerciseApp(app, entry, label, node) {
  const server = await startApp(app, entry, label, node);
  const problem = (message) => fail(`${label} (node ${entry}): ${message}\n--- the app's output:\n${server.output().trim()}`);
  try {
    const page = await fetch(`${server.base}/`);
    const html = await page.text();
    const policy = page.headers.get('content-security-policy-report-only');
    if (page.status !== 200 || !policy) problem(`GET / answered ${page.status} without a Content-Security-Policy-Report-Only header`);
    if (!html.includes('/csp/sdk.js')) problem(`GET / has no SDK tag: ${html.slice(0, 300)}`);
    const reportUri = policy.match(/report-uri ([^;\s]+)/)?.[1];
    if (!reportUri) problem(`the policy has no report-uri: ${policy}`);

    const sdk = await fetch(`${server.base}/csp/sdk.js`);
    if (sdk.status !== 200 || !(await sdk.text()).length)
      problem(`GET /csp/sdk.js answered ${sdk.status} (is @csp-observer/sdk installed?)`);
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const dashboard = await fetch(`${server.base}/csp/admin/`, { headers: auth });
    const dashboardHtml = await dashboard.text();
    if (dashboard.status !== 200 || !dashboardHtml.includes('<script')) {
      problem(`GET /csp/admin/ answered ${dashboard.status} (is @csp-observer/dashboard installed?): ${dashboardHtml.slice(0, 200)}`);
    }

    const report = {
      'csp-report': {
        'document-uri': `${server.base}/`,
        referrer: '',
        'violated-directive': 'script-src-elem',
        'effective-directive': 'script-src-elem',
        'original-policy': policy,
        disposition: 'report',
        'blocked-uri': BLOCKED,
        'line-number': 1,
        'source-file': `${server.base}/`,
        'status-code': 200,
        'script-sample': '',
      },
    };
    const posted = await fetch(new URL(reportUri, server.base), {
      method: 'POST',
      headers: { 'content-type': 'application/csp-report' },
      body: JSON.stringify(report),
    });
    if (posted.status < 200 || posted.status > 299) problem(`POST ${reportUri} answered ${posted.status}: ${await posted.text()}`);

    const listed = await fetch(`${server.base}/csp/admin/api/reports?pageSize=100`, { headers: auth });
    const body = await listed.text();
    if (listed.status !== 200) problem(`GET /csp/admin/api/reports answered ${listed.status}: ${body}`);
    const items = JSON.parse(body).items ?? [];
    const stored = items.filter((item) => item.blockedUri === BLOCKED && item.channel === 'report-uri');
    if (stored.length !== 1)
      problem(`the report was not stored once: ${stored.length} of ${items.length} stored reports block ${BLOCKED}: ${body.slice(0, 500)}`);
  } finally {
    await server.stop();
  }
}

async function typecheck(app, label) {
  writeFileSync(join(app, 'tsconfig.json'), `${JSON.stringify(STRICT_TSCONFIG, null, 2)}\n`);
  const { code, output } = await run(join(app, 'node_modules', '.bin', 'tsc'), ['-p', '.'], { cwd: app, allowFailure: true });
  if (code !== 0)
    fail(
      `${label}: tsc --noEmit (strict, skipLibCheck false) failed on the README's TypeScript snippet or the package's types:\n${output.trim()}`,
    );
}

/**
 * Node.js of another major version, from the npm registry's node-<platform>-<arch> package (the
 * binary that `npm install node@22` would bring), for running the apps on it.
 */
async function fetchNode(major, work) {
  const dir = join(work, 'nodes', major);
  mkdirSync(dir, { recursive: true });
  const name = `node-${process.platform}-${process.arch}@${major}`;
  await run('npm', ['pack', '--silent', '--prefer-offline', '--pack-destination', dir, name], { cwd: dir, heartbeat: `npm pack ${name}` });
  const tarball = readdirSync(dir).find((file) => file.endsWith('.tgz'));
  if (!tarball) fail(`npm pack ${name} made no tarball`);
  await run('tar', ['-xzf', tarball], { cwd: dir });
  const path = join(dir, 'package', 'bin', 'node');
  const version = (await run(path, ['--version'], { cwd: dir })).output.trim();
  if (!version.startsWith(`v${major}.`)) fail(`${name} is Node ${version}`);
  return { path, version };
}

/** Whether this Node runs a .ts file as it is (type stripping: on by default from 22.18 and 23.6). */
function stripsTypes(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);
}

/** The README's snippets (and, for Koa 3, CommonJS and the CLI) on every Node of the check. */
async function runApps(app, label, nodes, { commonJs }) {
  for (const node of nodes) {
    const on = `${label} on Node ${node.version}`;
    log(`${on}: the README's JavaScript snippet: a page, a CSP report POSTed to its report-uri and found stored`);
    await exerciseApp(app, 'app.js', on, node.path);
    if (commonJs) {
      log(`${on}: the same from CommonJS (require)`);
      await exerciseApp(app, 'app.cjs', `${on}, CommonJS`, node.path);
    }
    if (stripsTypes(node.version)) {
      log(`${on}: the README's TypeScript snippet as it is (node app.ts)`);
      await exerciseApp(app, 'app.ts', `${on}, TypeScript`, node.path);
    }
    if (commonJs) {
      log(`${on}: the CLI (csp-observer --help), and a postgres:// URL without pg installed`);
      await run(node.path, [join(app, 'node_modules', '@csp-observer', 'server', 'bin', 'csp-observer.js'), '--help'], { cwd: app });
      const pgMessage = (await run(node.path, ['pg-missing.js'], { cwd: app })).output.trim();
      if (!pgMessage.includes('npm install pg')) {
        fail(`${on}: a postgres:// URL without pg installed said ${JSON.stringify(pgMessage)}, not the command that installs it`);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const work = realpathSync(mkdtempSync(join(tmpdir(), 'csp-observer-package-check-')));
  if (!relative(root, work).startsWith('..'))
    fail(`the temporary folder ${work} is inside the workspace: set TMPDIR to a folder outside it`);
  const compileSqlite = process.env.PACKAGE_CHECK_SQLITE === 'compile';
  const majors = (process.env.PACKAGE_CHECK_NODES ?? '').split(/[\s,]+/).filter(Boolean);
  log(`in ${work}; the apps run on Node ${[process.version, ...majors].join(', ')}`);
  try {
    const nodes = [{ path: process.execPath, version: process.version }];
    for (const major of majors) {
      if (!/^\d+$/.test(major)) fail(`PACKAGE_CHECK_NODES takes major versions (22,24), not ${JSON.stringify(major)}`);
      log(`Node ${major} from the npm registry (node-${process.platform}-${process.arch})`);
      nodes.push(await fetchNode(major, work));
    }
    const tarballDir = join(work, 'tarballs');
    mkdirSync(tarballDir);
    const versions = Object.fromEntries(
      PACKAGES.map((dir) => {
        const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
        return [manifest.name, manifest.version];
      }),
    );
    log('packing the packages (pnpm pack)');
    const tarballs = {};
    for (const dir of PACKAGES) {
      const before = new Set(readdirSync(tarballDir));
      await run(pnpmCommand(), ['pack', '--pack-destination', tarballDir], { cwd: join(root, 'packages', dir) });
      const made = readdirSync(tarballDir).filter((file) => !before.has(file));
      if (made.length !== 1) fail(`pnpm pack in packages/${dir} made ${made.length} files: ${made.join(', ')}`);
      tarballs[dir] = join(tarballDir, made[0]);
    }
    log('reading the tarballs');
    const badTarballs = [];
    for (const dir of PACKAGES) {
      try {
        const { name, files, packed, unpacked } = await checkTarball(dir, tarballs[dir], versions, join(work, 'unpacked', dir));
        log(`  ${name}: ${files} files, ${(packed / 1024).toFixed(0)} KiB packed, ${(unpacked / 1024).toFixed(0)} KiB unpacked`);
      } catch (error) {
        if (!(error instanceof CheckFailure)) throw error;
        badTarballs.push(error.message);
      }
    }
    if (badTarballs.length) fail(badTarballs.join('\n'));
    const { js, ts, install } = readmeSnippets();
    if (install !== 'npm install @csp-observer/server koa')
      fail(`README.md's install line is \`${install}\`, not \`npm install @csp-observer/server koa\``);
    const ours = PACKAGES.map((dir) => tarballs[dir]);
    const typescript = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies.typescript;

    // Koa 3: ESM JavaScript (the README's snippet), CommonJS, strict TypeScript with no @types installed by hand.
    const koa3 = join(work, 'app-koa3');
    log(`Koa 3 app: npm install of the 4 tarballs + koa@3 + typescript@${typescript}${compileSqlite ? ' (sqlite3 compiles)' : ''}`);
    const installed3 = await installApp(koa3, {
      label: 'Koa 3 app',
      tarballs: ours,
      extra: ['koa@^3', `typescript@${typescript}`],
      compileSqlite,
    });
    if (!installed3('koa')?.startsWith('3.')) fail(`Koa 3 app: koa ${installed3('koa')} installed`);
    if (existsSync(join(koa3, 'node_modules', '@csp-observer', 'server', 'node_modules', 'koa'))) {
      fail('Koa 3 app: npm put a second koa under @csp-observer/server/node_modules');
    }
    if (installed3('pg')) fail(`Koa 3 app: pg ${installed3('pg')} was installed though nobody asked for it`);
    writeFileSync(join(koa3, 'app.js'), listenHere(js, 'JavaScript'));
    writeFileSync(join(koa3, 'app.ts'), listenHere(ts, 'TypeScript'));
    writeFileSync(join(koa3, 'types.ts'), TYPES_TS);
    writeFileSync(join(koa3, 'app.cjs'), CJS_APP);
    writeFileSync(join(koa3, 'pg-missing.js'), PG_MISSING);
    log(
      `Koa 3 app: tsc --noEmit under strict on the README's TypeScript snippet (@types/koa ${installed3('@types/koa')} came with the server)`,
    );
    await typecheck(koa3, 'Koa 3 app');
    await runApps(koa3, `Koa 3 app (koa ${installed3('koa')})`, nodes, { commonJs: true });

    // Koa 2: the README's snippet and strict TypeScript on Koa 2's own types.
    const koa2 = join(work, 'app-koa2');
    log(`Koa 2 app: npm install of the 4 tarballs + koa@2 + @types/koa@2 + typescript@${typescript}`);
    const installed2 = await installApp(koa2, {
      label: 'Koa 2 app',
      tarballs: ours,
      extra: ['koa@^2', '@types/koa@^2', `typescript@${typescript}`],
      compileSqlite,
    });
    if (!installed2('koa')?.startsWith('2.')) fail(`Koa 2 app: koa ${installed2('koa')} installed`);
    if (!installed2('@types/koa')?.startsWith('2.')) fail(`Koa 2 app: @types/koa ${installed2('@types/koa')} installed`);
    for (const nested of ['koa', '@types/koa']) {
      if (existsSync(join(koa2, 'node_modules', '@csp-observer', 'server', 'node_modules', nested))) {
        fail(`Koa 2 app: npm put a second ${nested} under @csp-observer/server/node_modules (the app has its own)`);
      }
    }
    writeFileSync(join(koa2, 'app.js'), listenHere(js, 'JavaScript'));
    writeFileSync(join(koa2, 'app.ts'), listenHere(ts, 'TypeScript'));
    writeFileSync(join(koa2, 'types.ts'), TYPES_TS);
    log(`Koa 2 app: tsc --noEmit under strict on @types/koa ${installed2('@types/koa')}`);
    await typecheck(koa2, 'Koa 2 app');
    await runApps(koa2, `Koa 2 app (koa ${installed2('koa')})`, nodes, { commonJs: false });
    log('passed');
  } finally {
    if (process.env.PACKAGE_CHECK_KEEP === '1') log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  if (error instanceof CheckFailure) console.error(`\x1b[1m[package-check]\x1b[0m FAILED after ${elapsed()}: ${error.message}`);
  else console.error(error);
  process.exit(1);
});

// A PostgreSQL cluster made for one test or benchmark run: initdb into a temp dir, trust auth,
// loopback only, a free port. Used by the server's test setup and by `pnpm bench scale-out`.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** initdb and pg_ctl: the newest Debian-installed version first, then whatever is on PATH. */
function findBinDir() {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  const found = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const initdb = found.stdout.trim();
  return found.status === 0 && initdb ? initdb.replace(/\/initdb$/, '') : null;
}

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Starts a cluster, or explains why it cannot (returned as a string). PostgreSQL refuses to
 * run as root, so as root the cluster belongs to the `postgres` user (runuser). Tests run it
 * without fsync (fast, nothing to keep); `durable: true` keeps fsync on, as production has it.
 * @param {{ durable?: boolean }} [options]
 * @returns {Promise<{ url: string, stop(): void } | string>}
 */
export async function startThrowawayCluster({ durable = false } = {}) {
  const bin = findBinDir();
  if (!bin) return 'PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin or on PATH)';
  const asRoot = userInfo().uid === 0;
  let uid = 0;
  let gid = 0;
  if (asRoot) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    if (id.status !== 0) return 'running as root and there is no "postgres" user to own the cluster';
    uid = Number(id.stdout.trim());
    gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  }
  // Not TMPDIR: as root the cluster belongs to the postgres user, who must reach the folder.
  const dir = mkdtempSync(join(existsSync('/tmp') ? '/tmp' : tmpdir(), 'cspo-pg-'));
  const data = join(dir, 'data');
  chmodSync(dir, 0o755);
  if (asRoot) chownSync(dir, uid, gid);
  /** @param {string} tool @param {string[]} args */
  const run = (tool, args) => {
    const command = asRoot ? 'runuser' : join(bin, tool);
    const argv = asRoot ? ['-u', 'postgres', '--', join(bin, tool), ...args] : args;
    return execFileSync(command, argv, { stdio: 'pipe', encoding: 'utf8' });
  };
  const port = await freePort();
  try {
    run('initdb', ['-D', data, '--auth=trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', ...(durable ? [] : ['--no-sync'])]);
    const serverOptions = `-h 127.0.0.1 -p ${port} -k ${dir}${durable ? '' : ' -F'}`;
    run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30', '-o', serverOptions, 'start']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const e = /** @type {{ stderr?: string, message: string }} */ (error);
    return `could not start a throwaway PostgreSQL cluster: ${(e.stderr || e.message).trim()}`;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

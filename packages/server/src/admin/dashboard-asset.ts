import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cachedAsset, type CachedAsset } from '../http/cached-asset.js';

/** One file of the built dashboard, held in memory with its gzip form. */
export interface DashboardFile extends CachedAsset {
  type: string;
}

export interface DashboardFiles {
  index: DashboardFile;
  /** `assets/<hashed name>` -> file. */
  assets: Map<string, DashboardFile>;
}

const TYPES: Record<string, string> = {
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

function file(body: Buffer, name: string): DashboardFile {
  const ext = name.slice(name.lastIndexOf('.'));
  const type = TYPES[ext] ?? 'application/octet-stream';
  const compressible = type.startsWith('text/') || type.startsWith('application/javascript') || type === 'image/svg+xml';
  return { ...cachedAsset(body, compressible), type };
}

/**
 * Reads `@csp-observer/dashboard`'s build (`dist/index.html` and `dist/assets/*`) once. Returns
 * the reason when it is missing: the admin API works without it, the UI says what to run.
 */
export function loadDashboard(): DashboardFiles | string {
  const require = createRequire(import.meta.url);
  let dist: string;
  try {
    dist = join(dirname(require.resolve('@csp-observer/dashboard/package.json')), 'dist');
  } catch {
    return 'the dashboard package @csp-observer/dashboard is not installed';
  }
  try {
    const index = file(readFileSync(join(dist, 'index.html')), 'index.html');
    const assets = new Map<string, DashboardFile>();
    for (const name of readdirSync(join(dist, 'assets'))) assets.set(name, file(readFileSync(join(dist, 'assets', name)), name));
    return { index, assets };
  } catch {
    return `the dashboard is not built (${dist} is missing); run "pnpm build"`;
  }
}

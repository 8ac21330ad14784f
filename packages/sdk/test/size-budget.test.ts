// The SDK's size budget: the script tag bundle, gzipped as the server serves it ({prefix}/sdk.js,
// gzip level 9 in packages/server/src/routes/cached-asset.ts), must stay within 10 KiB
// (docs/performance.md, bench/sdk.mjs). Reads the built file; builds nothing (scripts/setup.sh does).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const BUDGET_BYTES = 10 * 1024;
const BUNDLE = fileURLToPath(new URL('../dist/csp-observer.js', import.meta.url));

describe('the SDK bundle', () => {
  it(`is at most ${BUDGET_BYTES} B gzipped`, () => {
    expect(existsSync(BUNDLE), `${BUNDLE} is missing: build it first (pnpm build, or bash scripts/setup.sh)`).toBe(true);
    const bundle = readFileSync(BUNDLE);
    const gzipped = gzipSync(bundle, { level: 9 }).length;
    const message = `packages/sdk/dist/csp-observer.js is ${gzipped} B gzipped (${bundle.length} B raw): the budget is ${BUDGET_BYTES} B (${BUDGET_BYTES / 1024} KiB)`;
    expect(gzipped, message).toBeLessThanOrEqual(BUDGET_BYTES);
  });
});

// `pnpm bench`: every benchmark, each printing figures as ratios against a baseline measured in
// the same run. Nothing here is asserted by the test suite.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const benches = process.argv[2]
  ? [`${process.argv[2]}.mjs`]
  : ['sdk.mjs', 'rules.mjs', 'attribution.mjs', 'page.mjs', 'ingest.mjs', 'scale-out.mjs', 'abuse.mjs', 'connections.mjs'];
for (const bench of benches) {
  const path = fileURLToPath(new URL(`../bench/${bench}`, import.meta.url));
  const result = spawnSync(process.execPath, [path], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

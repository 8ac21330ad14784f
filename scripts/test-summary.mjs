// Prints one closing line over every test runner of scripts/test.sh: "tests: N passed, N failed, N skipped".
import { readFileSync } from 'node:fs';

const [vitestFile, playwrightFile] = process.argv.slice(2);
const vitest = JSON.parse(readFileSync(vitestFile, 'utf8'));
const playwright = JSON.parse(readFileSync(playwrightFile, 'utf8'));
const passed = vitest.numPassedTests + (playwright.stats?.expected ?? 0);
const failed = vitest.numFailedTests + (playwright.stats?.unexpected ?? 0) + (playwright.stats?.flaky ?? 0);
const skipped = vitest.numPendingTests + vitest.numTodoTests + (playwright.stats?.skipped ?? 0);
// Per engine (Playwright project): the tests that passed in it.
const perProject = new Map();
const walk = (suite) => {
  for (const spec of suite.specs ?? []) {
    for (const t of spec.tests ?? []) if (t.status === 'expected') perProject.set(t.projectName, (perProject.get(t.projectName) ?? 0) + 1);
  }
  for (const child of suite.suites ?? []) walk(child);
};
for (const suite of playwright.suites ?? []) walk(suite);
const engines = [...perProject].map(([name, n]) => `${name} ${n}`).join(', ');
console.log(`vitest: ${vitest.numPassedTests} passed; playwright: ${playwright.stats?.expected ?? 0} passed (${engines || 'none'})`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (failed > 0 || passed === 0) process.exit(1);

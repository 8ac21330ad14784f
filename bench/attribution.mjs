// `pnpm bench attribution`: how well the shipped rules explain a corpus of real CSP reports
// (packages/server/test/fixtures/corpus: each file says where its reports come from and how they
// were labelled). Prints the share of visitor-side reports that get a visitor cause, per cause and
// per source, next to the same corpus under the rules file of 2026-12-01 (bench/rules-before-1.json),
// and every site-side report a rule blamed on an extension or malware (there must be none).
// The test suite checks the thresholds (packages/server/test/attribution.test.ts).
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { measureAttribution, parseRulesFile } from '@csp-observer/core';
import { BUNDLED_RULES, compileRuleSet } from '@csp-observer/server/internals';

const folder = fileURLToPath(new URL('../packages/server/test/fixtures/corpus/', import.meta.url));
const files = readdirSync(folder).filter((name) => name.endsWith('.json'));
const corpus = files.map((name) => ({ name, ...JSON.parse(readFileSync(folder + name, 'utf8')) }));
const matcherOf = (path) => {
  const { rules } = parseRulesFile(JSON.parse(readFileSync(path, 'utf8')));
  return { size: rules.length, matcher: compileRuleSet(rules) };
};
const now = matcherOf(BUNDLED_RULES);
const before = matcherOf(fileURLToPath(new URL('./rules-before-1.json', import.meta.url)));
const pct = (a, b) => (b ? `${((100 * a) / b).toFixed(1)}%` : '-');
const all = corpus.flatMap((file) => file.reports);

const result = measureAttribution(all, now.matcher);
const old = measureAttribution(all, before.matcher);
console.log(
  `attribution: ${all.length} real reports (${result.visitor.total} visitor-side, ${result.site.total} site-side) from ${files.length} files`,
);
console.log(
  `  shipped rules (${now.size}): ${result.visitor.attributed} of ${result.visitor.total} visitor-side reports get a visitor cause (${pct(result.visitor.attributed, result.visitor.total)}); rules of 2026-12-01 (${before.size}): ${old.visitor.attributed} (${pct(old.visitor.attributed, old.visitor.total)})`,
);
for (const [cause, c] of Object.entries(result.visitor.byCause).sort())
  console.log(`    ${cause.padEnd(10)} ${String(c.attributed).padStart(4)} of ${String(c.total).padEnd(4)} ${pct(c.attributed, c.total)}`);
for (const file of corpus) {
  const r = measureAttribution(file.reports, now.matcher);
  console.log(
    `    ${file.name.padEnd(20)} ${String(r.visitor.attributed).padStart(4)} of ${String(r.visitor.total).padEnd(4)} ${pct(r.visitor.attributed, r.visitor.total)}  (license: ${file.license})`,
  );
}
console.log(
  `  site-side: ${result.site.blamedOnExtensionOrMalware} of ${result.site.total} blamed on an extension or malware; ${result.site.explained} explained by a rule`,
);
for (const w of result.wrong) console.log(`    WRONG ${w.id} (${w.what}): ${w.ruleId} (${w.cause})`);
if (process.env.BENCH_MISSES)
  for (const m of result.misses) console.log(`    miss ${m.id} ${m.what}: ${m.blockedUri} | ${m.sourceFile} | ${m.sample}`);

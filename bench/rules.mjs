// Rule matching benchmark: 100,000 varied violations against 1,000 rules (the bundled ones plus
// realistic generated host, scheme, path and sample rules), on one core. The compiled matcher
// (rules indexed by the text their patterns require, RE2 for the patterns) is compared with the
// obvious baseline measured in this run: every rule's pattern tried in order with V8's own
// backtracking RegExp (which a hostile rules file could stall). Both must agree on every match.
import { readFileSync } from 'node:fs';
import { matchBlockedUri, matchUrl, parseRulesFile } from '@csp-observer/core';
import { BUNDLED_RULES, compileRuleSet } from '@csp-observer/server';

const RULES = 1000;
const REPORTS = Number(process.env.BENCH_RULE_REPORTS ?? 100_000);
const BASELINE_REPORTS = 5_000;
const TARGET = 200_000;

let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (list) => list[Math.floor(random() * list.length)];
const word = () => Array.from({ length: 4 + Math.floor(random() * 8) }, () => pick('abcdefghijklmnopqrstuvwxyz')).join('');

const bundled = parseRulesFile(JSON.parse(readFileSync(BUNDLED_RULES, 'utf8'))).rules;
const hosts = [];
const rules = [...bundled];
for (let i = rules.length; i < RULES; i++) {
  const host = `${word()}${i}.${pick(['com', 'net', 'io', 'ru', 'xyz'])}`;
  hosts.push(host);
  const escaped = host.replace(/\./g, '\\.');
  const blockedUri = pick([
    `^https?://([a-z0-9-]+\\.)*${escaped}/`,
    `${escaped}`,
    `^https://cdn\\.${escaped}/(js|lib)/[a-z]+\\.js`,
    `(${word()}|${word()})\\.${escaped}`,
    `^https?://[^/]*${escaped}/.*\\.(js|css)$`,
  ]);
  const match = [{ blockedUri, directive: pick(['', '', 'script-src', 'img-src', 'style-src']), sourceFile: '', sample: '', documentUri: '', policy: '', engine: '' }];
  if (i % 25 === 0) match.push({ blockedUri: '^inline$', directive: 'script-src', sourceFile: '', sample: `${word()}${i}` });
  rules.push({ id: `gen.${i}`, cause: pick(['extension', 'malware', 'other']), title: host, shortDescription: '', longDescription: '', ignore: false, origin: 'global', references: [], match });
}

const directives = ['script-src-elem', 'style-src-elem', 'style-src-attr', 'img-src', 'script-src', 'connect-src', 'font-src'];
const reports = Array.from({ length: REPORTS }, (_, i) => {
  const kind = i % 10;
  let blockedUri;
  if (kind < 2) blockedUri = `https://cdn${i % 9}.${pick(hosts)}/lib/${word()}.js?v=${i}`; // a rule's host
  else if (kind < 4) blockedUri = pick(['inline', 'eval', 'data', 'blob', 'wasm-eval']);
  else if (kind === 4) blockedUri = `chrome-extension://${word()}${word()}${word()}/content.js`;
  else if (kind === 5) blockedUri = `moz-extension://${word()}-${word()}/inject.js`;
  else blockedUri = `https://${word()}.${pick(['com', 'net', 'org'])}/${word()}/${word()}.${pick(['js', 'png', 'css', 'woff2'])}?utm_source=${word()}&id=${i}`;
  return {
    documentUri: `https://shop.test/products/${i % 500}`,
    referrer: '',
    blockedUri,
    effectiveDirective: pick(directives),
    violatedDirective: '',
    originalPolicy: '',
    disposition: 'report',
    sourceFile: kind === 3 ? `https://shop.test/static/app.${i % 5}.js` : '',
    lineNumber: i % 300,
    columnNumber: i % 80,
    statusCode: 200,
    sample: kind === 2 ? `window.${word()}${i % 1000} = function () {}` : '',
  };
});

let t = performance.now();
const matcher = compileRuleSet(rules);
const compileMs = performance.now() - t;

// Baseline: every rule in order with V8 RegExps (what a naive implementation does).
const baseDirective = (d) => d.replace(/-(elem|attr)$/, '');
const naive = rules.flatMap((rule) =>
  rule.match.map((m) => ({
    rule,
    directive: m.directive,
    engine: m.engine,
    tests: ['blockedUri', 'sourceFile', 'sample', 'documentUri', 'policy'].filter((f) => m[f]).map((f) => [f, new RegExp(m[f], 'i')]),
  })),
);
// What rules see (docs/rules.md): the same view the compiled matcher builds.
const viewOf = (v) => ({ blockedUri: matchBlockedUri(v), sourceFile: matchUrl(v.sourceFile), sample: v.sample, documentUri: v.documentUri, policy: `${v.violatedDirective}\n${v.originalPolicy}` });
const naiveMatch = (v) => {
  const directive = baseDirective(v.effectiveDirective);
  const view = viewOf(v);
  for (const entry of naive) {
    if (entry.engine) continue;
    if (entry.directive && entry.directive !== directive) continue;
    if (entry.tests.every(([f, re]) => re.test(view[f]))) return entry.rule;
  }
  return null;
};

const run = (fn, list) => {
  let matched = 0;
  const start = performance.now();
  for (const v of list) if (fn(v)) matched++;
  return { seconds: (performance.now() - start) / 1000, matched };
};

// Warm up both, then check they agree.
run((v) => matcher.match(v), reports.slice(0, 5000));
run(naiveMatch, reports.slice(0, 500));
let disagreements = 0;
for (const v of reports.slice(0, BASELINE_REPORTS)) if ((matcher.match(v)?.id ?? null) !== (naiveMatch(v)?.id ?? null)) disagreements++;

const fast = run((v) => matcher.match(v), reports);
const slow = run(naiveMatch, reports.slice(0, BASELINE_REPORTS));
const fastRate = REPORTS / fast.seconds;
const slowRate = BASELINE_REPORTS / slow.seconds;

console.log(`\nrule matching: ${REPORTS.toLocaleString('en')} violations x ${rules.length} rules (${naive.length} matchers), one core`);
console.log(`  compile                     ${compileMs.toFixed(0)} ms`);
console.log(`  baseline: each rule in turn ${Math.round(slowRate).toLocaleString('en')} evaluations/s (V8 RegExp, ${BASELINE_REPORTS.toLocaleString('en')} violations)`);
console.log(`  compiled matcher            ${Math.round(fastRate).toLocaleString('en')} evaluations/s  (${(fastRate / slowRate).toFixed(1)}x the baseline; target ${TARGET.toLocaleString('en')}/s: ${fastRate >= TARGET ? 'met' : 'MISSED'})`);
console.log(`  matched                     ${((fast.matched / REPORTS) * 100).toFixed(1)}% of violations; ${disagreements} disagreement(s) with the baseline on ${BASELINE_REPORTS.toLocaleString('en')}`);
if (disagreements > 0) process.exitCode = 1;

// The shipped rules file against the one of 2026-12-01 (bench/rules-before-1.json, 33 rules), on
// the same violations, interleaved rounds: what growing the database costs per report.
const before = compileRuleSet(parseRulesFile(JSON.parse(readFileSync(new URL('./rules-before-1.json', import.meta.url), 'utf8'))).rules);
const shipped = compileRuleSet(bundled);
const rounds = Number(process.env.BENCH_RULE_ROUNDS ?? 5);
const ratios = [];
let shippedRate = 0;
let beforeRate = 0;
for (let round = 0; round < rounds; round++) {
  const a = run((v) => before.match(v), reports);
  const b = run((v) => shipped.match(v), reports);
  ratios.push(a.seconds / b.seconds);
  beforeRate = REPORTS / a.seconds;
  shippedRate = REPORTS / b.seconds;
}
ratios.sort((x, y) => x - y);
const median = ratios[Math.floor(ratios.length / 2)];
console.log(`  shipped rules (${bundled.length}) vs the rules of 2026-12-01 (${before.size}): ${median.toFixed(2)}x the throughput (median of ${rounds} interleaved rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')}; last round ${Math.round(shippedRate).toLocaleString('en')} vs ${Math.round(beforeRate).toLocaleString('en')} evaluations/s); budget: at least 0.80x`);

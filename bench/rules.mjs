// Rule matching benchmark: 100,000 varied violations against 1,000 rules (the bundled ones plus
// realistic generated host, scheme, path and sample rules), on one core. The compiled matcher
// (rules indexed by the text their patterns require, RE2 for the patterns) is compared with the
// obvious baseline measured in this run: every rule's pattern tried in order with V8's own
// backtracking RegExp (which a hostile rules file could stall). Both must agree on every match.
import { readFileSync } from 'node:fs';
import { matchBlockedUri, matchUrl, parseRulesFile } from '@csp-observer/core';
import { BUNDLED_RULES, compileRuleSet } from '@csp-observer/server/internals';
import { compilePattern as compilePatternThen } from './baseline/matcher-2026-11-21/pattern-engine.js';
import { compileRules as compileThen } from './baseline/matcher-2026-11-21/rules/matcher.js';

const RULES = 1000;
const REPORTS = Number(process.env.BENCH_RULE_REPORTS ?? 100_000);
const BASELINE_REPORTS = 5_000;
const TARGET = 200_000;

let seed = 42;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
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
  const match = [
    {
      blockedUri,
      directive: pick(['', '', 'script-src', 'img-src', 'style-src']),
      sourceFile: '',
      sample: '',
      documentUri: '',
      policy: '',
      engine: '',
    },
  ];
  if (i % 25 === 0) match.push({ blockedUri: '^inline$', directive: 'script-src', sourceFile: '', sample: `${word()}${i}` });
  rules.push({
    id: `gen.${i}`,
    cause: pick(['extension', 'malware', 'other']),
    title: host,
    shortDescription: '',
    longDescription: '',
    ignore: false,
    origin: 'global',
    references: [],
    match,
  });
}

// Policies as sites send them (a few hundred characters; a report carries its page's policy).
const policies = [
  "default-src 'self'; script-src 'self' 'nonce-rAnd0m' 'strict-dynamic' https://www.googletagmanager.com https://www.google-analytics.com; style-src 'self' 'unsafe-inline' https://fonts.googleapis.com; img-src 'self' data: https:; font-src 'self' https://fonts.gstatic.com; connect-src 'self' https://www.google-analytics.com https://region1.google-analytics.com; frame-ancestors 'none'; object-src 'none'; base-uri 'self'; report-uri /csp/report; report-to csp",
  "default-src 'none'; script-src 'self' https://cdn.shop.test https://js.stripe.com; style-src 'self' https://cdn.shop.test; img-src 'self' https://cdn.shop.test https://*.stripe.com; connect-src 'self' https://api.stripe.com; frame-src https://js.stripe.com https://hooks.stripe.com; form-action 'self'; base-uri 'none'; upgrade-insecure-requests; report-uri https://shop.test/csp/report",
  "script-src 'nonce-Zm9vYmFy' 'unsafe-inline' 'strict-dynamic' https: http:; object-src 'none'; base-uri 'none'; require-trusted-types-for 'script'; report-uri https://csp.shop.test/csp/report?site=shop",
];
const directives = ['script-src-elem', 'style-src-elem', 'style-src-attr', 'img-src', 'script-src', 'connect-src', 'font-src'];
// Each report parsed from its own JSON, as ingestion gets them: no string shared between reports.
const reports = Array.from({ length: REPORTS }, (_, i) => {
  const kind = i % 10;
  let blockedUri;
  if (kind < 2)
    blockedUri = `https://cdn${i % 9}.${pick(hosts)}/lib/${word()}.js?v=${i}`; // a rule's host
  else if (kind < 4) blockedUri = pick(['inline', 'eval', 'data', 'blob', 'wasm-eval']);
  else if (kind === 4) blockedUri = `chrome-extension://${word()}${word()}${word()}/content.js`;
  else if (kind === 5) blockedUri = `moz-extension://${word()}-${word()}/inject.js`;
  else
    blockedUri = `https://${word()}.${pick(['com', 'net', 'org'])}/${word()}/${word()}.${pick(['js', 'png', 'css', 'woff2'])}?utm_source=${word()}&id=${i}`;
  return {
    documentUri: `https://shop.test/products/${i % 500}`,
    referrer: '',
    blockedUri,
    effectiveDirective: pick(directives),
    violatedDirective: '',
    originalPolicy: policies[i % policies.length],
    disposition: 'report',
    sourceFile: kind === 3 ? `https://shop.test/static/app.${i % 5}.js` : '',
    lineNumber: i % 300,
    columnNumber: i % 80,
    statusCode: 200,
    sample: kind === 2 ? `window.${word()}${i % 1000} = function () {}` : '',
  };
}).map((report) => JSON.parse(JSON.stringify(report)));

const t = performance.now();
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
const viewOf = (v) => ({
  blockedUri: matchBlockedUri(v),
  sourceFile: matchUrl(v.sourceFile),
  sample: v.sample,
  documentUri: v.documentUri,
  policy: `${v.violatedDirective}\n${v.originalPolicy}`,
});
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
console.log(
  `  baseline: each rule in turn ${Math.round(slowRate).toLocaleString('en')} evaluations/s (V8 RegExp, ${BASELINE_REPORTS.toLocaleString('en')} violations)`,
);
console.log(
  `  compiled matcher            ${Math.round(fastRate).toLocaleString('en')} evaluations/s  (${(fastRate / slowRate).toFixed(1)}x the baseline; target ${TARGET.toLocaleString('en')}/s: ${fastRate >= TARGET ? 'met' : 'MISSED'})`,
);
console.log(
  `  matched                     ${((fast.matched / REPORTS) * 100).toFixed(1)}% of violations; ${disagreements} disagreement(s) with the baseline on ${BASELINE_REPORTS.toLocaleString('en')}`,
);
if (disagreements > 0) process.exitCode = 1;

// What growing the database costs per report, on the same violations, in interleaved rounds:
// - the budget (issue 19): the shipped rules with today's matcher against what the bench measured
//   before the database grew, the 33 rules of 2026-12-01 (bench/rules-before-1.json) with the
//   matcher and pattern engine of that day (bench/baseline/matcher-2026-11-21, compiled from
//   commit add1638);
// - for information: both rule files with today's matcher (the cost of the rules alone).
const beforeRules = parseRulesFile(JSON.parse(readFileSync(new URL('./rules-before-1.json', import.meta.url), 'utf8'))).rules;
const then = compileThen(beforeRules, compilePatternThen);
const before = compileRuleSet(beforeRules);
const shipped = compileRuleSet(bundled);
const rounds = Number(process.env.BENCH_RULE_ROUNDS ?? 5);
// Ingestion matches a request's reports right after parsing its body, while their strings are
// still in the processor's cache. So here each batch of BATCH reports is parsed from its own
// JSON body (not timed) and matched at once (timed). Matching 100,000 reports parsed up front
// instead reads every string from main memory, which the bench also prints (a policy is a few
// hundred bytes: read cold it costs about 100 ns).
const BATCH = 20;
const bodies = [];
for (let i = 0; i < reports.length; i += BATCH) bodies.push(JSON.stringify(reports.slice(i, i + BATCH)));
const runHot = (fn) => {
  let seconds = 0;
  for (const body of bodies) {
    const batch = JSON.parse(body);
    const start = performance.now();
    for (let i = 0; i < batch.length; i++) fn(batch[i]);
    seconds += (performance.now() - start) / 1000;
  }
  return { seconds };
};
const rates = { old: [], before: [], shipped: [] };
const cold = { old: [], shipped: [] };
// The order turns each round (the matcher measured first in a round runs measurably slower here),
// so that no matcher always pays for its place.
const contenders = [
  ['old', then],
  ['before', before],
  ['shipped', shipped],
];
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? contenders : [...contenders].reverse();
  for (const [name, m] of order) {
    rates[name].push(REPORTS / runHot((v) => m.match(v)).seconds);
    if (name in cold) cold[name].push(REPORTS / run((v) => m.match(v), reports).seconds);
  }
}
const median = (list) => [...list].sort((x, y) => x - y)[Math.floor(list.length / 2)];
const ratios = (a, b) => a.map((rate, i) => rate / b[i]);
const budget = ratios(rates.shipped, rates.old);
const rulesAlone = ratios(rates.shipped, rates.before);
const fmt = (list) =>
  [...list]
    .sort((x, y) => x - y)
    .map((r) => r.toFixed(2))
    .join(', ');
console.log(`  growing the database, median of ${rounds} interleaved rounds (batches of ${BATCH} reports matched as parsed):`);
console.log(
  `    the rules of 2026-12-01 (${beforeRules.length}) with the matcher of that day   ${Math.round(median(rates.old)).toLocaleString('en')} evaluations/s`,
);
console.log(`    the same rules with today's matcher               ${Math.round(median(rates.before)).toLocaleString('en')} evaluations/s`);
console.log(
  `    the shipped rules (${bundled.length}) with today's matcher           ${Math.round(median(rates.shipped)).toLocaleString('en')} evaluations/s`,
);
const kept = median(budget);
console.log(
  `    kept: ${kept.toFixed(2)}x the throughput of 2026-12-01 (rounds: ${fmt(budget)}); budget: at least 0.80x: ${kept >= 0.8 ? 'met' : 'MISSED'}`,
);
console.log(`    the rules alone, same matcher: ${median(rulesAlone).toFixed(2)}x (rounds: ${fmt(rulesAlone)})`);
const coldKept = ratios(cold.shipped, cold.old);
console.log(
  `    read cold (all reports parsed first): ${median(coldKept).toFixed(2)}x (${Math.round(median(cold.shipped)).toLocaleString('en')} against ${Math.round(median(cold.old)).toLocaleString('en')} evaluations/s)`,
);

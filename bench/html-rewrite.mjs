// HTML rewriting benchmark (issue 20): the page middleware rewrites every HTML response (nonces on
// <script>, <style> and stylesheet/preload <link> tags, the SDK tag after <head>). Generated pages of
// 2 KB, 20 KB, 200 KB and 2 MB of realistic markup are rewritten by:
//   - parse5: the rewriter before the hand-written scanner (parse5-html-rewriting-stream), kept as the
//     test oracle in packages/server/test/support/parse5-rewriter.mjs;
//   - scanner: the current rewriter on the whole string (rewriteHtml), and streamed in 16 KiB chunks
//     (rewriteHtmlStream: UTF-8 decoding and the Node stream included);
//   - floor: a plain indexOf('<') over the same page, the least any rewriter must do.
// Rounds are interleaved (every variant once per round, in turn) and the medians printed, with ratios
// against the floor and the speed-up over parse5. Run: `node bench/html-rewrite.mjs` (after a build),
// or `pnpm bench html-rewrite`. BENCH_HTML_ROUNDS sets the number of rounds (default 15).
import { Readable } from 'node:stream';
import { rewriteHtml, rewriteHtmlStream } from '../packages/server/dist/page/html-rewriter.js';
import { rewriteHtml as rewriteHtmlParse5 } from '../packages/server/test/support/parse5-rewriter.mjs';

const ROUNDS = Number(process.env.BENCH_HTML_ROUNDS ?? 15);
const SIZES = [2_000, 20_000, 200_000, 2_000_000];
const CHUNK = 16 * 1024;
const spec = {
  nonce: 'rAnd0mN0nce+/w==',
  scriptNonce: true,
  styleNonce: true,
  inject: (lang) => `<script src="/csp-observer/sdk.js" data-lang="${lang}" async></script>`,
};

let seed = 7;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const pick = (list) => list[Math.floor(random() * list.length)];
const words = 'the of and to in is that for it as with was on be by this are from at or an which have not they all more can has one'.split(
  ' ',
);
const sentence = () => {
  let out = '';
  const n = 8 + Math.floor(random() * 14);
  for (let i = 0; i < n; i++) {
    const w = pick(words);
    const r = random();
    out += i ? ' ' : '';
    out +=
      r < 0.05 ? `<a href="/docs/${w}-${i}.html" class="link">${w}</a>` : r < 0.08 ? `<em>${w}</em>` : r < 0.1 ? `<code>${w}()</code>` : w;
  }
  return `${out[0].toUpperCase()}${out.slice(1)}. `;
};
const icon =
  '<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 2L2 7l10 5 10-5-10-5zm0 13l-10-5v6l10 5 10-5v-6z"/></svg>';
const section = (i) => {
  const r = random();
  let out = `<section id="s${i}" class="section"><h2 id="h${i}">${icon}<a href="#h${i}">${sentence()}</a></h2>\n`;
  for (let p = 0; p < 3; p++) out += `<p>${sentence()}${sentence()}${sentence()}</p>\n`;
  if (r < 0.3)
    out += `<pre><code class="language-js">const x = a &lt; b ? "&amp;" : '&gt;';\nfor (let i = 0; i &lt; n; i++) run(i);</code></pre>\n`;
  else if (r < 0.5)
    out += `<ul>${Array.from({ length: 5 }, (_, k) => `<li><a href="/p/${i}/${k}">${sentence()}</a></li>`).join('')}</ul>\n`;
  else if (r < 0.6)
    out += `<table class="data"><tr><th>Name</th><th>Value</th></tr><tr><td>${pick(words)}</td><td>${i}</td></tr></table>\n`;
  else if (r < 0.7) out += `<img src="/img/${i}.png" alt="${pick(words)}" width="640" height="360" loading="lazy">\n`;
  if (r > 0.85) out += `<script>window.dataLayer = window.dataLayer || []; dataLayer.push({ section: ${i}, when: "<now>" });</script>\n`;
  if (r > 0.95) out += `<style>#s${i} .link { color: #c00; }</style>\n`;
  return `${out}</section>\n`;
};
function page(size) {
  const head =
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    '<title>Page &mdash; Example</title>\n<link rel="stylesheet" href="/assets/main.css">\n<link rel="preload" href="/assets/app.js" as="script">\n' +
    '<link rel="modulepreload" href="/assets/chunk.js">\n<link rel="icon" href="/favicon.ico">\n<link rel="preload" href="/fonts/a.woff2" as="font" crossorigin>\n' +
    '<style>body{font:16px/1.5 sans-serif;margin:0}.icon{width:1em;height:1em}</style>\n<script type="module" src="/assets/app.js"></script>\n' +
    '<script>(function(){var t=localStorage.getItem("theme");if(t)document.documentElement.dataset.theme=t;})();</script>\n</head>\n' +
    '<body class="docs">\n<header><nav><a href="/">Home</a> <a href="/docs/">Docs</a> <a href="/blog/">Blog</a></nav></header>\n<main>\n';
  const tail = '</main>\n<footer><p>&copy; Example</p></footer>\n<script src="/assets/analytics.js" async></script>\n</body>\n</html>\n';
  let body = '';
  for (let i = 0; head.length + body.length + tail.length < size; i++) body += section(i);
  return head + body + tail;
}

const floor = (html) => {
  let n = 0;
  for (let i = html.indexOf('<'); i !== -1; i = html.indexOf('<', i + 1)) n++;
  return n;
};
async function streamed(chunks) {
  let out = '';
  for await (const chunk of rewriteHtmlStream(Readable.from(chunks), spec)) out += chunk;
  return out;
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const fmt = (x, digits = 3) => x.toFixed(digits).padStart(9);

console.log(`HTML rewrite: ms per page (median of ${ROUNDS} interleaved rounds), MB/s, and ratios; node ${process.version}`);
for (const size of SIZES) {
  const html = page(size);
  const bytes = Buffer.from(html);
  const chunks = [];
  for (let i = 0; i < bytes.length; i += CHUNK) chunks.push(bytes.subarray(i, i + CHUNK));
  const expected = await rewriteHtmlParse5(html, spec);
  if ((await rewriteHtml(html, spec)) !== expected || (await streamed(chunks)) !== expected) throw new Error(`outputs differ at ${size}`);
  const variants = {
    floor: async () => floor(html),
    parse5: () => rewriteHtmlParse5(html, spec),
    scanner: () => rewriteHtml(html, spec),
    'scanner, 16 KiB stream': () => streamed(chunks),
  };
  // Repeat each variant so that one measurement takes ~20 ms (parse5 at least once).
  const reps = {};
  for (const [name, run] of Object.entries(variants)) {
    const start = performance.now();
    let n = 0;
    while (performance.now() - start < 20 || n < 2) {
      await run();
      n++;
    }
    reps[name] = Math.max(1, Math.round(n / 2));
  }
  const times = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(variants)) {
      const start = performance.now();
      for (let i = 0; i < reps[name]; i++) await run();
      times[name].push((performance.now() - start) / reps[name]);
    }
  }
  const ms = Object.fromEntries(Object.entries(times).map(([name, list]) => [name, median(list)]));
  const tags = (html.match(/<[a-zA-Z]/g) ?? []).length;
  const nonces = (expected.match(/ nonce="/g) ?? []).length;
  console.log(`\n${(bytes.length / 1000).toFixed(0)} KB page (${tags} start tags, ${nonces} nonces added):`);
  console.log(
    `  ${'variant'.padEnd(24)} ${'ms/page'.padStart(9)} ${'MB/s'.padStart(9)} ${'x floor'.padStart(9)} ${'parse5 / x'.padStart(11)}`,
  );
  for (const [name, t] of Object.entries(ms)) {
    const mbs = bytes.length / 1e6 / (t / 1000);
    console.log(`  ${name.padEnd(24)} ${fmt(t)} ${fmt(mbs, 0)} ${fmt(t / ms.floor, 1)} ${fmt(ms.parse5 / t, 1).padStart(11)}`);
  }
}

// The page of the page-path benchmark (issue 20): an ordinary server-rendered page of a given size
// with 10 scripts (4 inline, 6 external), 4 inline styles and 2 stylesheets, the rest articles of
// text, links, images, lists and inline SVG icons. Deterministic: the same size gives the same page.

const words = 'the of and to in is that for it as with was on be by this are from at or an which have not they all more can has one'.split(
  ' ',
);

function makeRandom(seed) {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
}

function sentence(random) {
  let out = '';
  const n = 8 + Math.floor(random() * 14);
  for (let i = 0; i < n; i++) {
    const w = words[Math.floor(random() * words.length)];
    const r = random();
    out += i ? ' ' : '';
    out += r < 0.06 ? `<a href="/docs/${w}-${i}.html" class="link">${w}</a>` : r < 0.09 ? `<em>${w}</em>` : w;
  }
  return `${out[0].toUpperCase()}${out.slice(1)}. `;
}

const ICON = '<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 2L2 7l10 5 10-5-10-5z"/></svg>';

function article(random, i) {
  let out = `<article id="a${i}" class="card"><h2>${ICON}<a href="/posts/${i}">${sentence(random)}</a></h2>\n`;
  for (let p = 0; p < 2; p++) out += `<p>${sentence(random)}${sentence(random)}</p>\n`;
  const r = random();
  if (r < 0.3)
    out += `<ul>${Array.from({ length: 4 }, (_, k) => `<li><a href="/p/${i}/${k}">${sentence(random)}</a></li>`).join('')}</ul>\n`;
  else if (r < 0.5) out += `<img src="/img/${i}.jpg" alt="Photo ${i}" width="640" height="360" loading="lazy">\n`;
  return `${out}</article>\n`;
}

/** The page of about `size` bytes: its head, its body's articles, and its scripts and styles spread through it. */
export function pageOf(size) {
  const random = makeRandom(size);
  const head = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Shop - the page benchmark</title>
<link rel="stylesheet" href="/assets/site.css">
<link rel="stylesheet" href="/assets/theme.css">
<link rel="icon" href="/favicon.ico">
<style>:root { --accent: #0a6; } body { font: 16px/1.5 system-ui, sans-serif; margin: 0; }</style>
<style>.card { border: 1px solid #ddd; border-radius: 8px; padding: 1rem; margin: 1rem 0; }</style>
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({ page: 'home', at: Date.now() });</script>
<script src="/assets/vendor.js" defer></script>
<script src="/assets/app.js" defer></script>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "WebSite", "name": "Shop"}</script>
</head>
<body>
<header class="top"><nav><a href="/">Home</a> <a href="/shop">Shop</a> <a href="/about">About</a></nav></header>
<main>
`;
  const tail = `</main>
<style>.footer { color: #666; font-size: 0.875rem; }</style>
<style>@media (max-width: 600px) { .card { padding: 0.5rem; } }</style>
<footer class="footer"><p>Copyright 2026 Shop. <a href="/privacy">Privacy</a></p></footer>
<script src="/assets/analytics.js" async></script>
<script src="/assets/chat.js" async></script>
<script src="/assets/consent.js"></script>
<script src="/assets/search.js" defer></script>
<script>document.documentElement.classList.add('js');</script>
<script>if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js');</script>
</body>
</html>
`;
  let body = '';
  for (let i = 0; head.length + body.length + tail.length < size; i++) body += article(random, i);
  return head + body + tail;
}

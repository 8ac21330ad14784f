import type { Context } from 'koa';
import { createNonce } from './nonce.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML content or a quoted attribute: everything a report holds goes through this. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Where a URL may break: after `://`, and before a `/` (not one of `//`), `?`, `#`, `&`, `=`. */
const URL_BREAKS = /(?<=:\/\/)|(?<![:/])(?=[/?#&=])/;

/**
 * A URL (or any address a report holds) for HTML content, escaped, with `<wbr>` where a URL may
 * wrap: a long address wraps at its parts, never inside a word of it.
 */
export function breakableUrl(text: string): string {
  return text.split(URL_BREAKS).map(escapeHtml).join('<wbr>');
}

/** The look of the visitor pages: system fonts, light and dark, no external resource. */
const STYLE = `
:root { color-scheme: light dark; --fg: #1d2330; --muted: #5b6475; --bg: #fff; --card: #f5f7fa; --line: #dde2ea;
  --accent: #1f5fbf; --bad: #b42318; --good: #1a7f37; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e9ef; --muted: #a3acbb; --bg: #14171c; --card: #1d2128; --line: #2f3540;
  --accent: #7fb0ff; --bad: #ff8a80; --good: #6fd08c; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 46rem; margin: 0 auto; padding: 2rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0 0 .5rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .75rem; }
h3 { font-size: 1.05rem; margin: 0 0 .25rem; }
p, ul, ol { margin: .5rem 0; }
a { color: var(--accent); }
.muted { color: var(--muted); font-size: .92rem; }
.status { padding: .9rem 1rem; border-radius: .5rem; background: var(--card); border-left: .3rem solid var(--muted); }
.status.problems { border-color: var(--bad); }
.status.clean { border-color: var(--good); }
.card { padding: 1rem; border: 1px solid var(--line); border-radius: .5rem; margin: .75rem 0; background: var(--card); }
.tag { display: inline-block; font-size: .8rem; padding: .05rem .5rem; border-radius: 1rem; border: 1px solid var(--line); color: var(--muted); }
table { width: 100%; border-collapse: collapse; font-size: .9rem; table-layout: fixed; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th.directive { width: 11rem; } th.sample { width: 9rem; }
td.short code { white-space: nowrap; }
/* Words never break inside; an address wraps at its <wbr> parts, and one part longer than the line (a token) as a last resort. */
td.url, td.code, .url { overflow-wrap: break-word; }
.cell-label { display: none; }
@media (max-width: 40rem) {
  table.unexplained, .unexplained tbody, .unexplained tr, .unexplained td { display: block; width: auto; }
  .unexplained thead { display: none; }
  .unexplained tr { border: 1px solid var(--line); border-radius: .5rem; padding: .25rem 0; margin: .5rem 0; background: var(--card); }
  .unexplained td { border: 0; padding: .2rem .75rem; }
  .cell-label { display: block; font-size: .8rem; color: var(--muted); }
}
code, pre { font: .85rem/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: var(--card); border: 1px solid var(--line); border-radius: .5rem; padding: .75rem; overflow: auto; max-height: 24rem; white-space: pre-wrap; overflow-wrap: break-word; }
button { font: inherit; padding: .5rem 1rem; border-radius: .4rem; border: 1px solid var(--accent); background: var(--accent); color: var(--bg); cursor: pointer; }
button:focus-visible, a:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.message { padding: .75rem 1rem; border-radius: .5rem; margin: 1rem 0; border: 1px solid var(--line); }
.message.ok { border-color: var(--good); }
.message.error { border-color: var(--bad); }
footer { margin-top: 3rem; padding-top: 1rem; border-top: 1px solid var(--line); }
`;

export interface HtmlPage {
  title: string;
  /** Trusted HTML: built from escaped text and sanitized markdown only. */
  body: string;
  lang?: string;
  /** Reload after this many seconds (the verdict is not final yet). */
  refreshSeconds?: number;
}

/**
 * Sends a server-rendered visitor page with its own strict policy: no script at all, styles by
 * nonce only, forms only to this server, no framing, and no Referer to other sites (the URL holds the token).
 */
export function sendHtmlPage(ctx: Context, page: HtmlPage, status = 200): void {
  const nonce = createNonce();
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set(
    'Content-Security-Policy',
    `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  );
  ctx.set('Referrer-Policy', 'same-origin');
  ctx.set('X-Robots-Tag', 'noindex, nofollow');
  ctx.set('Cache-Control', 'no-store');
  const refresh = page.refreshSeconds ? `\n<meta http-equiv="refresh" content="${page.refreshSeconds}">` : '';
  ctx.body = `<!doctype html>
<html lang="${escapeHtml(page.lang ?? 'en')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">${refresh}
<title>${escapeHtml(page.title)}</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<main>
${page.body}
</main>
</body>
</html>
`;
}

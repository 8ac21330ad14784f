import type { ComponentChildren } from 'preact';
import { causeTone, toneStyle } from '../colors';
import { PRESETS } from '../period';
import { hrefOf } from '../route';
import { LOCAL_SITE, useSites } from '../sites';

/**
 * Where a URL may wrap: after each `/`, `?`, `&`, `#`, `-` and before each `.`, `=` (a path
 * segment, a query parameter, a host label stay whole). Other text is returned as one piece.
 */
export function urlPieces(text: string): string[] {
  if (!/^[a-z][a-z0-9+.-]*:|^\//i.test(text)) return [text];
  // A loop, not a lookbehind split: older WebKit (WebKitGTK 2.38) cannot parse `(?<=`, and one
  // such literal keeps the whole bundle from running.
  const pieces: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const after = '/?&#-'.includes(c) && text[i + 1] !== '/';
    const before = (c === '.' || c === '=') && i > start;
    if (before) {
      pieces.push(text.slice(start, i));
      start = i;
    }
    if (after) {
      pieces.push(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < text.length) pieces.push(text.slice(start));
  return pieces;
}

/** Text from a report, shown as text only (preact escapes it); a URL wraps where a URL may (urlPieces). */
export function Code({ children }: { children: string }) {
  const pieces = urlPieces(children);
  return <code class="value">{pieces.length === 1 ? children : pieces.flatMap((piece, i) => (i ? [<wbr />, piece] : [piece]))}</code>;
}

/** A URL as text, wrapping where a URL may. */
export function Url({ children }: { children: string }) {
  const pieces = urlPieces(children);
  return <>{pieces.length === 1 ? children : pieces.flatMap((piece, i) => (i ? [<wbr />, piece] : [piece]))}</>;
}

export function Loading() {
  return (
    <p class="muted" role="status">
      Loading…
    </p>
  );
}

export function ErrorBox({ message }: { message: string }) {
  return (
    <p class="message error" role="alert">
      {message}
    </p>
  );
}

export function Card({ title, children, wide }: { title: string; children: ComponentChildren; wide?: boolean }) {
  return (
    <section class={wide ? 'card wide' : 'card'}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** The period picker: presets as links, keeping the view's other parameters; on a collector, the site too. */
export function PeriodPicker({ view, params }: { view: string; params: Record<string, string> }) {
  const current = params.from ? '' : (params.days ?? '7');
  return (
    <div class="pickers">
      <SitePicker view={view} params={params} />
      <nav class="periods" aria-label="Period">
        {PRESETS.map(([days, text]) => (
          <a
            href={hrefOf(view, { ...params, days, from: undefined, to: undefined, page: undefined })}
            aria-current={current === days ? 'true' : undefined}
          >
            {text}
          </a>
        ))}
      </nav>
    </div>
  );
}

/** A collector's sites as links (every site, its own pages, each site); nothing on a plain server. */
function SitePicker({ view, params }: { view: string; params: Record<string, string> }) {
  const sites = useSites();
  if (!sites.length) return null;
  const choices: Array<[string | undefined, string]> = [
    [undefined, 'All sites'],
    ...sites.map((site): [string, string] => [site.id, site.id]),
    [LOCAL_SITE, 'This server'],
  ];
  return (
    <nav class="periods" aria-label="Site">
      {choices.map(([site, text]) => (
        <a href={hrefOf(view, { ...params, site, page: undefined })} aria-current={params.site === site ? 'true' : undefined}>
          {text}
        </a>
      ))}
    </nav>
  );
}

/** A ranking with proportional bars (widths set through the CSSOM, which the policy allows). */
export function Ranking({
  rows,
  empty,
  link,
}: {
  rows: Array<{ label: string; count: number; title?: string }>;
  empty: string;
  link?: (label: string) => string;
}) {
  if (!rows.length) return <p class="muted">{empty}</p>;
  const max = Math.max(...rows.map((r) => r.count));
  return (
    <table class="ranking">
      <tbody>
        {rows.map((row) => (
          <tr key={row.label}>
            <td class="ranking-label">
              {link ? (
                <a href={link(row.label)}>
                  <Url>{row.title ?? row.label}</Url>
                </a>
              ) : (
                <Url>{row.title ?? row.label}</Url>
              )}
              <div class="bar" style={{ width: `${Math.max(2, (row.count / max) * 100)}%` }} />
            </td>
            <td class="num">{row.count}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Pager({ page, pageSize, total, href }: { page: number; pageSize: number; total: number; href: (page: number) => string }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <nav class="pager" aria-label="Pages">
      {page > 1 ? <a href={href(page - 1)}>← Newer</a> : <span />}
      <span class="muted">
        Page {page} of {pages} · {total} in all
      </span>
      {page < pages ? <a href={href(page + 1)}>Older →</a> : <span />}
    </nav>
  );
}

export const causeLabel = (cause: string | null) => cause ?? 'unknown';

/** A cause as a badge in the cause's colour (colors.ts: the same as its bar in the overview). */
export function CauseBadge({ cause }: { cause: string | null }) {
  return (
    <span class="cause" style={toneStyle(causeTone(cause))} data-cause={causeLabel(cause)}>
      {causeLabel(cause)}
    </span>
  );
}

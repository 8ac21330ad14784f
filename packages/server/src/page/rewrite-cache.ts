import { LRUCache } from 'lru-cache';
import { escapeAttribute, rewriteHtml, type RewriteSpec } from './html-rewriter.js';

/**
 * Remembers how a page is rewritten, for pages served again with the very same content (static
 * pages, cached renders, files read into memory): the next response with the same text is
 * assembled from the plan (its text cut where the nonce and the SDK tag go) instead of scanned
 * again. A lookup hashes or compares the text once, a memory scan; a 20 KB page then costs about
 * a twentieth of a scan (bench: `pnpm bench page`, the "same page" and "new page" rows).
 *
 * Correct by construction: the plan is the rewriter's own output for that text, made with marks
 * for the nonce and the injected markup (which nothing in the text can contain: a text holding
 * the marks' first characters is not cached), and filled with this response's values. A plan is
 * made on a page's second sighting; the first is a plain scan. A page
 * whose text differs in one byte is a different key, scanned on its own. Bounded: pages up to
 * MAX_ENTRY_CHARS, MAX_CACHE_CHARS in all (about twice that in bytes: a plan keeps its text and
 * the rewritten text), least recently used out first.
 */
const MARK = '\u0000\u0001';
const NONCE_MARK = `${MARK}n`;
const INJECT_MARK = `${MARK}i`;
const MAX_ENTRY_CHARS = 512 * 1024;
const MAX_CACHE_CHARS = 8 * 1024 * 1024;
const SEEN_PAGES = 64;
/**
 * Pages up to this many characters are answered as text, larger ones as UTF-8 bytes. Node writes a
 * text body together with the headers in one write, a byte body beside them (measured: a prebuilt
 * Buffer keeps 93-95% of a string's pages/s at 2-20 KB); at 200 KB encoding the text on every
 * response costs more than that (bytes: 1.9 times the pages/s). `pnpm bench page`.
 */
const MAX_TEXT_ANSWER = 64 * 1024;

interface Plan {
  /** The rewritten page between holes (text, or UTF-8 encoded once for a large page); one more than `holes`. */
  chunks: string[] | Buffer[];
  /** Their total length in bytes (for encoded chunks). */
  bytes: number;
  /** Per hole: true for the nonce, false for the injected markup. */
  holes: boolean[];
  /** The document's language, for the injected markup. */
  lang: string;
}

export class RewriteCache {
  private readonly plans = new LRUCache<string, Plan>({
    maxSize: MAX_CACHE_CHARS,
    sizeCalculation: (_plan, html) => html.length,
  });
  /**
   * The last SEEN_PAGES pages seen once, oldest first (kept by reference, not copied). A plain Set:
   * an LRUCache here cost a fifth of a scan per page that is never seen again.
   */
  private readonly seen = new Set<string>();

  /**
   * The page rewritten as rewriteHtml would: as text for a page of up to MAX_TEXT_ANSWER characters,
   * else UTF-8 encoded (as Koa would send the string), assembled from encoded pieces so that a
   * remembered page is not encoded again.
   */
  rewrite(html: string, spec: RewriteSpec): string | Buffer {
    if (html.length > MAX_ENTRY_CHARS) return Buffer.from(rewriteHtml(html, spec));
    const asText = html.length <= MAX_TEXT_ANSWER;
    let plan = this.plans.get(html);
    if (plan === undefined) {
      // A plan costs more than a scan: made on a page's second sighting, so that pages rendered
      // anew for every request (a CSRF token) pay one scan and nothing else.
      if (!this.seen.has(html) || html.includes(MARK)) {
        this.seen.add(html);
        if (this.seen.size > SEEN_PAGES) this.seen.delete(this.seen.values().next().value as string);
        const rewritten = rewriteHtml(html, spec);
        return asText ? rewritten : Buffer.from(rewritten);
      }
      plan = planOf(html, spec, asText);
      this.seen.delete(html);
      this.plans.set(html, plan);
    }
    return fill(plan, spec);
  }
}

function planOf(html: string, spec: RewriteSpec, asText: boolean): Plan {
  let lang = '';
  const marked = rewriteHtml(html, {
    ...spec,
    encoding: 'utf8',
    nonce: NONCE_MARK,
    ...(spec.inject === undefined
      ? {}
      : {
          inject: (pageLang: string) => {
            lang = pageLang;
            return INJECT_MARK;
          },
        }),
  });
  const texts: string[] = [];
  const holes: boolean[] = [];
  let from = 0;
  for (let at = marked.indexOf(MARK); at !== -1; at = marked.indexOf(MARK, from)) {
    texts.push(marked.slice(from, at));
    holes.push(marked.charCodeAt(at + MARK.length) === 0x6e);
    from = at + NONCE_MARK.length;
  }
  texts.push(from === 0 ? marked : marked.slice(from));
  if (asText) return { chunks: texts, bytes: 0, holes, lang };
  const chunks = texts.map((text) => Buffer.from(text));
  return { chunks, bytes: chunks.reduce((sum, chunk) => sum + chunk.length, 0), holes, lang };
}

function fill(plan: Plan, spec: RewriteSpec): string | Buffer {
  const { chunks, holes, lang } = plan;
  if (holes.length === 0) return chunks[0]!;
  const nonce = escapeAttribute(spec.nonce);
  const { inject } = spec;
  const markup = holes.includes(false) ? (typeof inject === 'function' ? inject(lang) : (inject ?? '')) : nonce;
  if (typeof chunks[0] === 'string') {
    const texts = chunks as string[];
    let page = texts[0]!;
    for (let i = 0; i < holes.length; i++) page += (holes[i] ? nonce : markup) + texts[i + 1]!;
    return page;
  }
  const nonceBytes = Buffer.from(nonce);
  const markupBytes = holes.includes(false) ? Buffer.from(markup) : nonceBytes;
  const list: Buffer[] = [chunks[0] as Buffer];
  let length = plan.bytes;
  for (let i = 0; i < holes.length; i++) {
    const hole = holes[i] ? nonceBytes : markupBytes;
    list.push(hole, chunks[i + 1] as Buffer);
    length += hole.length;
  }
  return Buffer.concat(list, length);
}

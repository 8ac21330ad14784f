/**
 * How the page middleware reads an HTML body's bytes, from the charset its Content-Type declares
 * and its first bytes. Only bodies given as bytes (a Buffer or a stream) have a charset to respect:
 * Koa writes a string body as UTF-8 whatever the header says.
 *
 * - `utf8`: UTF-8, US-ASCII, no charset at all (HTML's default for us), or a UTF-8 byte-order mark
 *   (which a browser obeys over the header).
 * - `latin1`: windows-1252 and the labels the WHATWG Encoding Standard maps to it (ISO-8859-1,
 *   latin1, cp1252...). Read one character per byte, every byte is written back as it was; only what
 *   the rewriter adds must fit, which RewriteSpec.encoding takes care of.
 * - null: anything else (Shift_JIS, EUC-JP, GBK, UTF-16, ISO-2022-JP...). Their bytes cannot be
 *   rewritten without a transcoder, and a policy whose nonces the page lacks would block its scripts:
 *   the middleware leaves such a page without its policy and says so (page-middleware.ts).
 */
export type BodyCharset = 'utf8' | 'latin1';

/** WHATWG labels of windows-1252 (https://encoding.spec.whatwg.org/#names-and-labels). */
const WINDOWS_1252 = new Set([
  'ansi_x3.4-1968',
  'ascii',
  'cp1252',
  'cp819',
  'csisolatin1',
  'ibm819',
  'iso-8859-1',
  'iso-ir-100',
  'iso8859-1',
  'iso88591',
  'iso_8859-1',
  'iso_8859-1:1987',
  'l1',
  'latin1',
  'us-ascii',
  'windows-1252',
  'x-cp1252',
]);
const UTF8 = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'x-unicode20utf8']);

/** The charset a Content-Type declares, lower-cased, or '' when it declares none. */
export function declaredCharset(contentType: string): string {
  const match = /;\s*charset\s*=\s*("?)([^";\s]*)\1/i.exec(contentType);
  return match ? match[2]!.toLowerCase() : '';
}

/**
 * How to read a body declared with `contentType` whose first bytes are `head` (as many as are at
 * hand; a stream's are not looked at): null when it cannot be rewritten.
 */
export function bodyCharset(contentType: string, head?: Uint8Array): BodyCharset | null {
  if (head && head.length >= 2) {
    // A byte-order mark wins over the header, in every browser.
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf8';
    if ((head[0] === 0xfe && head[1] === 0xff) || (head[0] === 0xff && head[1] === 0xfe)) return null;
  }
  const charset = declaredCharset(contentType);
  if (charset === '' || UTF8.has(charset)) return 'utf8';
  return WINDOWS_1252.has(charset) ? 'latin1' : null;
}

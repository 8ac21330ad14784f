import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { decodeHTMLAttribute } from 'entities/decode';
import {
  F_ANNOTATION,
  F_BODY,
  F_EXIT,
  F_FONT,
  F_HEAD,
  F_HTML,
  F_LINK,
  F_MATH,
  F_MATH_TIP,
  F_PLAINTEXT,
  F_RAWTEXT,
  F_RCDATA,
  F_READS_ATTRS,
  F_SCRIPT,
  F_STYLE,
  F_SVG,
  F_SVG_IP,
  FOREIGN_END_PREFILTER,
  HTML_PREFILTER,
  NAME_FLAGS,
  SVG_ATTRIBUTE_NAMES,
} from './html-names.js';

/** What to change in one HTML response. */
export interface RewriteSpec {
  nonce: string;
  /** Add the nonce to `<script>` (and script preloads) lacking one. */
  scriptNonce: boolean;
  /** Add the nonce to `<style>` and `<link rel=stylesheet>` lacking one. */
  styleNonce: boolean;
  /**
   * Markup to insert as early as possible: right after `<head>`, else before `<body>`/`</body>`.
   * A function gets the document's language (`<html lang>`, "" when absent).
   */
  inject?: string | ((lang: string) => string);
  /**
   * How a streamed document's bytes are read and written back: `utf8` (default), or `latin1`, one
   * character per byte, which gives every byte back unchanged (for windows-1252 and ISO-8859-1 pages,
   * see page/body-charset.ts). In `latin1`, what the rewriter writes beyond U+00FF (a re-emitted
   * value's decoded reference, the injected markup) is written as character references.
   */
  encoding?: 'utf8' | 'latin1';
}

/*
 * A hand-written streaming scanner, not an HTML parser.
 *
 * Why: the rewriter runs on every HTML page of the site. parse5's RewritingStream (a full WHATWG
 * tokenizer plus a tree-construction simulator, building a token object for every tag, attribute and
 * run of text) took about 2.8 ms per 14 KB page on a 2-core machine, where a plain indexOf('<') over
 * the same page takes 0.008 ms: the site kept about 4% of its throughput (issue 20). htmlparser2's
 * tokenizer (~0.24 ms, and not the WHATWG one) and lol-html in WASM (~0.33 ms) were still 30-40 times
 * that floor. This scanner takes about 0.045 ms for a 20 KB page (4-6 times the floor on pages of
 * 20 KB to 2 MB, 60-70 times less than parse5; bench/html-rewrite.mjs), linear in the page's size.
 *
 * What it follows: the WHATWG tokenizer as far as finding start tags and their attributes needs, and
 * the parts of tree construction that switch the tokenizer (as parse5's parser-feedback-simulator
 * does): data; comments (`<!-->`, `<!--->`, `--!>`); bogus comments (`<?`, `</` + non-letter, `<!x`,
 * doctypes, `<![CDATA[` outside SVG/MathML) and CDATA sections in SVG/MathML; raw text (style, xmp,
 * iframe, noembed, noframes, noscript), RCDATA (textarea, title), plaintext; script data with its
 * `<!--` and `<script` escape states; the SVG/MathML namespace stack with its integration points; and
 * tags with the attribute states (quotes only right after `=`, unquoted values, `/`, duplicates: the
 * first wins).
 *
 * How it stays fast: it jumps with indexOf to the next `<` in data, the next `</` in raw text and
 * RCDATA, `--` in comments, `>` in bogus comments, `]]>` in CDATA, `<` and `-->` in script data, and
 * looks at a few characters there; in a tag it steps over names and jumps over quoted values with
 * indexOf. A tag whose name cannot matter (told from its first letter and length: div, a, span, p...)
 * is skipped without cutting anything out of the input; attributes are recorded, as offsets, only for
 * the tags it may change or read; the output is the input sliced between the places it changes, and a
 * page with nothing to change is returned as the very string it got.
 *
 * Output: everything it does not change passes through byte for byte. A start tag given a nonce is
 * re-emitted as parse5's RewritingStream emitted it (lower-case names, duplicates dropped, values
 * decoded with `entities` then `&`, `"` and U+00A0 escaped, `nonce` last, `/>` if self-closing). As
 * parse5 did, a tag still open at the end of the document is dropped, and so is a `</>` or an empty
 * CDATA section with no text next to it (a browser ignores all three).
 *
 * Where it is more correct than parse5's simulator (html-rewriter.diff.test.ts checks each case with
 * parse5's full parser): a self-closing `<svg/>` or `<math/>` does not leave the page in SVG/MathML
 * content; a tag that breaks out of SVG/MathML leaves all nested levels, not one, and so do `</p>` and
 * `</br>`; a re-emitted tag in SVG keeps `xlink:href`, `xml:lang`, `xmlns:xlink` as written (parse5
 * dropped the prefix). Like the simulator, it does not build the tree: an end tag that a browser
 * would use to close an SVG element's HTML ancestor (`<div><svg></div>`) does not end SVG content.
 *
 * Streaming: chunks may split anything. Only the unfinished construct at a chunk's end is kept: a tag
 * (its scan resumed, not restarted), or the few characters that may begin a delimiter (`</scrip`,
 * `<!-`, `--`, `]]`); text, comments and raw text are passed on as they come. Bounds against a hostile
 * stream: a tag longer than MAX_TAG_LENGTH is passed on as it comes, unchanged and read as if it had
 * no attributes (no nonce, no lang), even when the document ends inside it; a run of `</>` is held
 * back to MAX_GAP characters; SVG/MathML nesting is tracked to MAX_NAMESPACE_DEPTH levels.
 */

/** A tag longer than this (64 KiB) is passed through unchanged, read as if it had no attributes. */
export const MAX_TAG_LENGTH = 64 * 1024;
/** A run of `</>` and empty CDATA sections held back this long is passed on (parse5 could drop it). */
export const MAX_GAP = 4096;
/** SVG/MathML/integration-point nesting tracked; deeper levels of a hostile page are not recorded. */
export const MAX_NAMESPACE_DEPTH = 10_000;

// Namespaces on the stack.
const NS_HTML = 0;
const NS_SVG = 1;
const NS_MATHML = 2;

// Scanner modes.
const DATA = 0;
const TAG = 1;
const RAWTEXT = 2; // RCDATA is the same for finding where it ends
const SCRIPT = 3;
const PLAINTEXT = 4;
const COMMENT_START = 5;
const COMMENT = 6;
const BOGUS = 7; // bogus comment or doctype: ends at the first '>'
const CDATA = 8;

// Script data sub-states.
const SD = 0; // script data
const SE = 1; // escaped (after `<!--`)
const SDE = 2; // double escaped (after `<!--` then `<script`)

// Tag states (the tokenizer's, from the tag name on).
const T_NAME = 0;
const T_BEFORE_ATTR = 1;
const T_ATTR_NAME = 2;
const T_AFTER_ATTR_NAME = 3;
const T_BEFORE_VALUE = 4;
const T_DQ = 5;
const T_SQ = 6;
const T_UNQUOTED = 7;
const T_AFTER_QUOTED = 8;
const T_SELF_CLOSING = 9;

const LT = 60;
const GT = 62;
const SLASH = 47;
const EQ = 61;
const DQ = 34;
const SQ = 39;
const DASH = 45;
const BANG = 33;
const QUESTION = 63;
const LBRACKET = 91;

/** The tokenizer's whitespace: tab, LF, FF, space; CR is read as LF. */
function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13 || c === 12;
}

function isAlpha(c: number): boolean {
  return ((c | 0x20) - 97) >>> 0 < 26;
}

/**
 * Escapes an attribute value as parse5-html-rewriting-stream did (entities 8's escapeAttribute):
 * `&`, `"` and U+00A0 only.
 */
export function escapeAttribute(value: string): string {
  if (!/["&\u00a0]/.test(value)) return value;
  return value.replace(/["&\u00a0]/g, (c) => (c === '&' ? '&amp;' : c === '"' ? '&quot;' : '&nbsp;'));
}

/** Characters beyond U+00FF as character references: markup that survives a latin1 document. */
function latin1Safe(markup: string): string {
  if (!/[^\0-\xff]/.test(markup)) return markup;
  return markup.replace(/[^\0-\xff]/gu, (c) => `&#x${c.codePointAt(0)!.toString(16)};`);
}

/** ASCII-only lower case with NUL read as U+FFFD, as the tokenizer builds tag and attribute names. */
function tokenName(raw: string): string {
  if (!/[A-Z\0]/.test(raw)) return raw;
  return raw.replace(/[A-Z]/g, (c) => c.toLowerCase()).replace(/\0/g, '\uFFFD');
}

/** An attribute value as the tokenizer builds it: CR LF and CR read as LF, NUL as U+FFFD, references decoded. */
function tokenValue(raw: string): string {
  if (!/[\r\0&]/.test(raw)) return raw;
  let value = raw.replace(/\r\n?/g, '\n').replace(/\0/g, '\uFFFD');
  if (value.includes('&')) value = decodeHTMLAttribute(value);
  return value;
}

/**
 * Whether `s` at `i` holds `name` (lower-case letters; input compared case-insensitively) followed by
 * whitespace, `/` or `>`: 1 yes, 0 no, -1 cannot tell before more input.
 */
function matchEndName(s: string, i: number, name: string, final: boolean): number {
  const end = s.length;
  const n = name.length;
  for (let k = 0; k < n; k++) {
    if (i + k >= end) return final ? 0 : -1;
    if ((s.charCodeAt(i + k) | 0x20) !== name.charCodeAt(k)) return 0;
  }
  if (i + n >= end) return final ? 0 : -1;
  const c = s.charCodeAt(i + n);
  return isWs(c) || c === SLASH || c === GT ? 1 : 0;
}

/** A tag's attributes as recorded: offsets from `base` in `text` (see scanAttributes), duplicates included. */
interface RawAttrs {
  text: string;
  base: number;
  spans: number[];
}

/** Whether `text[start, end)` is, read as the tokenizer reads names, the ASCII name `name`. */
function nameIs(text: string, start: number, end: number, name: string): boolean {
  if (end - start !== name.length) return false;
  for (let i = 0; i < name.length; i++) {
    let c = text.charCodeAt(start + i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== name.charCodeAt(i)) return false;
  }
  return true;
}

/** The index in `spans` of the first attribute named `name` (or `alt`), -1 if none: the one parse5 kept. */
function findAttr({ text, base, spans }: RawAttrs, name: string, alt = ''): number {
  for (let i = 0; i < spans.length; i += 4) {
    const start = base + spans[i]!;
    const end = base + spans[i + 1]!;
    if (nameIs(text, start, end, name) || (alt !== '' && nameIs(text, start, end, alt))) return i;
  }
  return -1;
}

/** The value of the first attribute named `name` (or `alt`), as the tokenizer reads it. */
function attrValue(attrs: RawAttrs, name: string, alt: string): string | undefined {
  const i = findAttr(attrs, name, alt);
  if (i < 0) return undefined;
  const start = attrs.spans[i + 2]!;
  return start < 0 ? '' : tokenValue(attrs.text.slice(attrs.base + start, attrs.base + attrs.spans[i + 3]!));
}

/** A tag's attributes de-duplicated: token names, and each value's span in `text` (-1, -1: no value). */
interface Attrs {
  text: string;
  names: string[];
  spans: number[];
}

/** A value with none of these is emitted as written: nothing to normalize, decode or escape. */
const NEEDS_WORK = /[\r\0&"\u00a0]/;

/**
 * The attributes of a tag from `j` (just after its name) to its `>`, following the tokenizer's
 * attribute states; with `attrs`, records each attribute as offsets from `base` (name start, name end,
 * value start, value end; -1, -1 for no value). Returns (index after `>`) * 2 + 1 if self-closing,
 * or -1 if the tag does not end in `s`.
 */
function scanAttributes(s: string, j: number, attrs: number[] | null, base: number): number {
  const end = s.length;
  let slash = false;
  for (;;) {
    if (j >= end) return -1;
    let c = s.charCodeAt(j);
    if (c === GT) return (j + 1) * 2 + (slash ? 1 : 0);
    if (c === SLASH) {
      slash = true;
      j++;
      continue;
    }
    slash = false;
    if (isWs(c)) {
      j++;
      continue;
    }
    // An attribute name (its first character may be '=').
    const nameStart = j;
    for (j++; j < end; j++) {
      c = s.charCodeAt(j);
      if (c === GT || c === SLASH || c === EQ || isWs(c)) break;
    }
    if (j >= end) return -1;
    if (attrs !== null && j - base <= MAX_TAG_LENGTH) attrs.push(nameStart - base, j - base, -1, -1);
    while (isWs(c)) {
      if (++j >= end) return -1;
      c = s.charCodeAt(j);
    }
    if (c !== EQ) continue;
    do {
      if (++j >= end) return -1;
      c = s.charCodeAt(j);
    } while (isWs(c));
    if (c === DQ || c === SQ) {
      const k = s.indexOf(c === DQ ? '"' : "'", j + 1);
      if (k === -1) return -1;
      if (attrs !== null && k - base <= MAX_TAG_LENGTH) {
        attrs[attrs.length - 2] = j + 1 - base;
        attrs[attrs.length - 1] = k - base;
      }
      j = k + 1;
      continue;
    }
    if (c === GT) return (j + 1) * 2; // a missing value: the attribute is empty
    const valueStart = j;
    for (; j < end; j++) {
      c = s.charCodeAt(j);
      if (c === GT || isWs(c)) break;
    }
    if (j >= end) return -1;
    if (attrs !== null && j - base <= MAX_TAG_LENGTH) {
      attrs[attrs.length - 2] = valueStart - base;
      attrs[attrs.length - 1] = j - base;
    }
  }
}

class Rewriter {
  private readonly spec: RewriteSpec;
  private readonly nonceAttr: string;
  private injected: boolean;
  private lang = '';

  private mode = DATA;
  private scriptState = SD;
  /** The element whose raw text or RCDATA we are in (its end tag ends it). */
  private rawName = '';
  /** Namespace stack, innermost last. */
  private readonly ns: number[] = [NS_HTML];
  /**
   * Whether text was seen since the last token. parse5 passed on a text run from the end of the last
   * token to the start of the next, and nothing else: a `</>` or an empty CDATA section is kept when
   * text comes before or after it in the run, dropped otherwise. Until text comes they are held in
   * `gap` (at most MAX_GAP characters, then passed on).
   */
  private textOpen = false;
  private gap = '';
  /** Unresolved characters at the end of the last chunk, scanned again with the next one. */
  private carry = '';

  // Output of the chunk being scanned: the pieces in `out`, then the input from `from` on.
  private readonly out: string[] = [];
  private from = 0;

  // The tag being scanned (resumable across chunks).
  private tState = T_NAME;
  private tEndTag = false;
  private tName = '';
  private tNameBuf = '';
  private tFlags = 0;
  private tRead = false;
  private tSelfClosing = false;
  /** Start of the tag in the current chunk (0 when it began in an earlier one). */
  private tStart = 0;
  /** Offset of the tag's start relative to the current chunk: a position's offset in the tag is `pos - tBase`. */
  private tBase = 0;
  /** The tag's text from earlier chunks, held back until the tag ends. */
  private readonly tPieces: string[] = [];
  private tPrevLen = 0;
  /** The tag outgrew MAX_TAG_LENGTH and was passed on as it came. */
  private tFlushed = false;
  /** Attributes as offsets in the tag: name start, name end, value start, value end (-1: no value). */
  private readonly tAttrs: number[] = [];
  private aNameStart = 0;
  private aValueStart = 0;

  constructor(spec: RewriteSpec) {
    this.spec = spec;
    this.nonceAttr = ` nonce="${escapeAttribute(spec.nonce)}"`;
    this.injected = spec.inject === undefined;
  }

  private inject(): string {
    this.injected = true;
    const { inject } = this.spec;
    const markup = typeof inject === 'function' ? inject(this.lang) : inject!;
    return this.spec.encoding === 'latin1' ? latin1Safe(markup) : markup;
  }

  /** Scans the next piece of the document and returns the output it completes. */
  write(chunk: string, final: boolean): string {
    const s = this.carry === '' ? chunk : this.carry + chunk;
    this.carry = '';
    this.out.length = 0;
    this.from = 0;
    const end = s.length;
    let p = 0;
    let carryAt = end;
    if (this.mode === TAG) {
      this.tStart = 0;
      this.tBase = -this.tPrevLen;
    }

    main: for (;;) {
      switch (this.mode) {
        case DATA: {
          // The common path: text and tags until something changes the mode.
          let lt = s.indexOf('<', p);
          for (;;) {
            if (lt === -1) {
              if (p < end) this.text();
              break main;
            }
            if (lt > p && !this.textOpen) this.text();
            if (lt + 1 >= end) {
              if (final) this.text();
              else carryAt = lt;
              break main;
            }
            const c = s.charCodeAt(lt + 1);
            const endTag = c === SLASH && lt + 2 < end && isAlpha(s.charCodeAt(lt + 2));
            if ((endTag || isAlpha(c)) && this.ns.length === 1) {
              // The hot path, inline: a tag in HTML content whose name cannot matter (most of them).
              const nameStart = endTag ? lt + 2 : lt + 1;
              let j = nameStart + 1;
              let d = 0;
              for (; j < end; j++) {
                d = s.charCodeAt(j);
                if (d === GT || d === SLASH || isWs(d)) break;
              }
              const c0 = s.charCodeAt(nameStart) | 0x20;
              if (j < end && (c0 >= 128 || !((HTML_PREFILTER[c0]! >> (j - nameStart)) & 1))) {
                const e = d === GT ? j + 1 : scanAttributes(s, j, null, 0) >> 1;
                if (e > 0) {
                  this.textOpen = false;
                  this.gap = '';
                  p = e;
                  lt = s.indexOf('<', p);
                  continue;
                }
              }
            }
            if (isAlpha(c)) {
              p = this.startTag(s, lt, false);
              if (this.mode !== DATA) break;
              lt = s.indexOf('<', p);
              continue;
            }
            if (c === SLASH) {
              if (lt + 2 >= end) {
                if (final) this.text();
                else carryAt = lt;
                break main;
              }
              const c2 = s.charCodeAt(lt + 2);
              if (isAlpha(c2)) {
                p = this.startTag(s, lt, true);
                if (this.mode !== DATA) break;
                lt = s.indexOf('<', p);
                continue;
              }
              if (c2 === GT) {
                // `</>`: no token. parse5 kept it inside a run of text and dropped it otherwise.
                if (!this.textOpen) this.holdGap(s, lt, lt + 3);
                p = lt + 3;
                lt = s.indexOf('<', p);
                continue;
              } else {
                this.mode = BOGUS;
                p = lt + 2;
              }
            } else if (c === BANG) {
              if (lt + 2 >= end) {
                if (!final) {
                  carryAt = lt;
                  break main;
                }
                this.mode = BOGUS;
                p = lt + 2;
                break;
              }
              const c2 = s.charCodeAt(lt + 2);
              if (c2 === DASH) {
                if (lt + 3 >= end && !final) {
                  carryAt = lt;
                  break main;
                }
                if (lt + 3 < end && s.charCodeAt(lt + 3) === DASH) {
                  this.mode = COMMENT_START;
                  p = lt + 4;
                } else {
                  this.mode = BOGUS;
                  p = lt + 2;
                }
              } else if (c2 === LBRACKET && this.ns[this.ns.length - 1] !== NS_HTML) {
                const avail = Math.min(end - lt - 2, 7);
                if ('[CDATA['.startsWith(s.slice(lt + 2, lt + 2 + avail))) {
                  if (avail === 7) {
                    if (!this.textOpen) this.holdGap(s, lt, lt + 9);
                    this.mode = CDATA;
                    p = lt + 9;
                    break;
                  }
                  if (!final) {
                    carryAt = lt;
                    break main;
                  }
                }
                this.mode = BOGUS;
                p = lt + 2;
              } else {
                this.mode = BOGUS;
                p = lt + 2;
              }
            } else if (c === QUESTION) {
              this.mode = BOGUS;
              p = lt + 2;
            } else {
              this.text();
              p = lt + 1;
              lt = s.indexOf('<', p);
              continue;
            }
            break;
          }
          break;
        }

        case TAG: {
          const e = this.scanTag(s, p);
          if (e < 0) break main;
          this.finishTag(s, e);
          p = e;
          break;
        }

        case RAWTEXT: {
          const name = this.rawName;
          let k = s.indexOf('</', p);
          while (k !== -1) {
            const m = matchEndName(s, k + 2, name, final);
            if (m === 1) break;
            if (m < 0) {
              carryAt = k;
              break main;
            }
            k = s.indexOf('</', k + 2);
          }
          if (k === -1) {
            if (!final && end > p && s.charCodeAt(end - 1) === LT) carryAt = end - 1;
            break main;
          }
          p = this.startTag(s, k, true);
          break;
        }

        case SCRIPT: {
          const next = this.scanScript(s, p, final);
          if (next < 0) {
            carryAt = -next - 1;
            break main;
          }
          p = next;
          if (this.mode === SCRIPT && p >= end) break main;
          break;
        }

        case PLAINTEXT:
          break main;

        case COMMENT_START: {
          if (p >= end) break main;
          const c = s.charCodeAt(p);
          if (c === GT) {
            this.endToken();
            p += 1;
          } else if (c === DASH) {
            if (p + 1 >= end) {
              if (!final) carryAt = p;
              break main;
            }
            if (s.charCodeAt(p + 1) === GT) {
              this.endToken();
              p += 2;
            } else {
              this.mode = COMMENT;
            }
          } else {
            this.mode = COMMENT;
          }
          break;
        }

        case COMMENT: {
          let k = s.indexOf('--', p);
          while (k !== -1) {
            if (k + 2 >= end) {
              if (!final) carryAt = k;
              break main;
            }
            const c = s.charCodeAt(k + 2);
            if (c === GT) {
              p = k + 3;
              break;
            }
            if (c === BANG) {
              if (k + 3 >= end) {
                if (!final) carryAt = k;
                break main;
              }
              if (s.charCodeAt(k + 3) === GT) {
                p = k + 4;
                break;
              }
            }
            k = s.indexOf('--', k + 1);
          }
          if (k === -1) {
            if (!final && end > p && s.charCodeAt(end - 1) === DASH) carryAt = end - 1;
            break main;
          }
          this.endToken();
          break;
        }

        case BOGUS: {
          const k = s.indexOf('>', p);
          if (k === -1) break main;
          this.endToken();
          p = k + 1;
          break;
        }

        case CDATA: {
          const k = s.indexOf(']]>', p);
          if (k === -1) {
            if (!final) {
              if (end - 2 >= p && s.charCodeAt(end - 1) === 93 && s.charCodeAt(end - 2) === 93) carryAt = end - 2;
              else if (end - 1 >= p && s.charCodeAt(end - 1) === 93) carryAt = end - 1;
            }
            if (carryAt > p) this.text();
            break main;
          }
          if (k > p) this.text();
          else if (!this.textOpen) this.holdGap(s, k, k + 3);
          this.mode = DATA;
          p = k + 3;
          break;
        }
      }
    }

    if (final) this.gap = ''; // no text came: dropped
    if (this.mode === TAG) this.holdTag(s, final);
    else if (carryAt < end) this.carry = s.slice(carryAt);
    const out = this.out;
    // (Inside a tag, holdTag has moved `from` past what it holds back.)
    if (this.from === 0 && out.length === 0 && carryAt === end) return s;
    if (this.from < carryAt) out.push(s.slice(this.from, carryAt));
    const result = out.length === 1 ? out[0]! : out.join('');
    out.length = 0;
    return result;
  }

  /** Leaves `s[start, end)` out of the output. */
  private cut(s: string, start: number, end: number): void {
    if (start > this.from) this.out.push(s.slice(this.from, start));
    this.from = end;
  }

  /** A comment, bogus comment or doctype ended. */
  private endToken(): void {
    this.mode = DATA;
    this.textOpen = false;
    this.gap = '';
  }

  /** Text: a held `</>` or empty CDATA section before it is kept after all. */
  private text(): void {
    if (this.gap !== '') {
      this.out.push(this.gap);
      this.gap = '';
    }
    this.textOpen = true;
  }

  /** Holds back `s[start, end)`, a `</>` or CDATA delimiter with no text yet around it. */
  private holdGap(s: string, start: number, end: number): void {
    if (start > this.from) this.out.push(s.slice(this.from, start));
    this.from = end;
    this.gap += s.slice(start, end);
    if (this.gap.length > MAX_GAP) this.text();
  }

  private beginTag(lt: number, endTag: boolean): void {
    this.gap = '';
    this.mode = TAG;
    this.tState = T_NAME;
    this.tEndTag = endTag;
    this.tName = '';
    this.tNameBuf = '';
    this.tFlags = 0;
    this.tRead = false;
    this.tSelfClosing = false;
    this.tStart = lt;
    this.tBase = lt;
    this.tPrevLen = 0;
    this.tFlushed = false;
    if (this.tAttrs.length !== 0) this.tAttrs.length = 0;
  }

  /** At a chunk's end inside a tag: hold it back, or pass it on once it is too long. */
  private holdTag(s: string, final: boolean): void {
    const end = s.length;
    const length = this.tPrevLen + end - this.tStart;
    if (this.tFlushed) return; // passed on as it comes
    if (length > MAX_TAG_LENGTH) {
      this.flushTag(s);
      return;
    }
    if (final) {
      // eof-in-tag: the tag is not a token (parse5 dropped it; so does a browser).
      this.cut(s, this.tStart, end);
      if (this.tPieces.length !== 0) this.tPieces.length = 0;
      return;
    }
    if (this.tStart > this.from) this.out.push(s.slice(this.from, this.tStart));
    this.tPieces.push(s.slice(this.tStart, end));
    this.from = end;
    this.tPrevLen = length;
  }

  /** Passes on a tag that outgrew MAX_TAG_LENGTH: it will not be changed, its attributes are not read. */
  private flushTag(s: string): void {
    let pre = '';
    if (!this.injected && this.tState !== T_NAME && this.tFlags & (this.tEndTag ? F_BODY | F_HTML : F_BODY)) pre = this.inject();
    if (this.tStart > this.from) this.out.push(s.slice(this.from, this.tStart));
    this.out.push(pre);
    if (this.tPieces.length > 0) this.out.push(this.tPieces.join(''));
    if (this.tPieces.length !== 0) this.tPieces.length = 0;
    this.from = this.tStart;
    this.tFlushed = true;
    this.tRead = false;
    if (this.tAttrs.length !== 0) this.tAttrs.length = 0;
  }

  /**
   * A tag at `lt`: handled at once when it ends in this chunk (the common case), else begun for the
   * resumable scanner. Returns where scanning goes on.
   */
  private startTag(s: string, lt: number, endTag: boolean): number {
    const end = s.length;
    const nameStart = lt + (endTag ? 2 : 1);
    let j = nameStart;
    let c = 0;
    for (; j < end; j++) {
      c = s.charCodeAt(j);
      if (c === GT || c === SLASH || isWs(c)) break;
    }
    if (j < end) {
      this.tEndTag = endTag;
      // Most names cannot matter (div, a, span, p...): tell from the first letter and the length.
      const ns = this.ns;
      const length = j - nameStart;
      const c0 = s.charCodeAt(nameStart) | 0x20;
      let flags: number;
      if (ns.length === 1) {
        flags = c0 >= 128 || !((HTML_PREFILTER[c0]! >> length) & 1) ? 0 : this.classify(s, nameStart, j);
        if (flags === 0 && c === GT) {
          // `<p>`, `</a>`: done.
          this.gap = '';
          this.textOpen = false;
          return j + 1;
        }
      } else {
        flags = this.classify(s, nameStart, j);
      }
      let r: number;
      if (flags & F_READS_ATTRS) {
        const attrs = this.tAttrs;
        if (attrs.length !== 0) attrs.length = 0;
        r = scanAttributes(s, j, attrs, lt);
      } else {
        r = scanAttributes(s, j, null, 0);
      }
      if (r >= 0) {
        const e = r >> 1;
        this.gap = '';
        this.textOpen = false;
        if (flags === 0) return e; // nothing to do for div, a, span...
        this.tFlags = flags;
        this.tRead = (flags & F_READS_ATTRS) !== 0;
        this.tSelfClosing = (r & 1) === 1;
        this.tStart = lt;
        this.tBase = lt;
        this.tPrevLen = 0;
        this.tFlushed = false;
        this.finishTag(s, e);
        return e;
      }
    }
    this.beginTag(lt, endTag);
    return nameStart;
  }

  /** Sets the tag's name and flags from `s[start, end)`; names that cannot matter are not cut out. */
  private classify(s: string, start: number, end: number): number {
    this.tName = '';
    this.tFlags = 0;
    this.tRead = false;
    const length = end - start;
    if (length > 20) return 0;
    const ns = this.ns;
    const top = ns[ns.length - 1];
    // In foreign content every start tag may matter; an end tag, only svg, math, p, br, body, html.
    // Just inside an integration point, end tags leave it (foreignObject, mi, annotation-xml...).
    const filter = this.tEndTag
      ? top !== NS_HTML
        ? FOREIGN_END_PREFILTER
        : ns.length === 1
          ? HTML_PREFILTER
          : null
      : top === NS_HTML
        ? HTML_PREFILTER
        : null;
    if (filter !== null) {
      const c = s.charCodeAt(start) | 0x20;
      if (c >= 128 || !((filter[c]! >> length) & 1)) return 0;
    }
    // The names met on every page, written in lower case, without cutting them out.
    const common = length === 6 ? 'script' : length === 5 ? 'style' : length === 4 ? (s.charCodeAt(start) === 0x6c ? 'link' : '') : '';
    if (common !== '' && s.startsWith(common, start)) return this.setName(common);
    return this.setName(tokenName(s.slice(start, end)));
  }

  /** Sets the tag's (token) name and its flags. */
  private setName(name: string): number {
    const flags = NAME_FLAGS.get(name) ?? 0;
    this.tName = name;
    this.tFlags = flags;
    this.tRead = (flags & F_READS_ATTRS) !== 0 && !this.tFlushed;
    return flags;
  }

  private endName(s: string, start: number, end: number): void {
    if (this.tNameBuf === '') {
      this.classify(s, start, end);
      return;
    }
    const name = this.tNameBuf + s.slice(start, Math.min(end, start + 32));
    if (name.length <= 20) this.setName(tokenName(name));
  }

  /** Scans a tag from `j`; returns the index after its `>`, or -1 at the chunk's end (state kept). */
  private scanTag(s: string, j: number): number {
    const end = s.length;
    let st = this.tState;
    while (j < end) {
      let c = s.charCodeAt(j);
      switch (st) {
        case T_NAME: {
          const start = j;
          while (c !== GT && c !== SLASH && !isWs(c)) {
            if (++j === end) {
              if (this.tNameBuf.length < 32) this.tNameBuf += s.slice(start, Math.min(end, start + 32));
              this.tState = st;
              return -1;
            }
            c = s.charCodeAt(j);
          }
          this.endName(s, start, j);
          if (c === GT) return j + 1;
          st = c === SLASH ? T_SELF_CLOSING : T_BEFORE_ATTR;
          j++;
          break;
        }
        case T_BEFORE_ATTR: {
          while (isWs(c)) {
            if (++j === end) {
              this.tState = st;
              return -1;
            }
            c = s.charCodeAt(j);
          }
          if (c === GT) return j + 1;
          if (c === SLASH) {
            st = T_SELF_CLOSING;
          } else {
            this.aNameStart = j - this.tBase;
            st = T_ATTR_NAME;
          }
          j++;
          break;
        }
        case T_ATTR_NAME: {
          while (c !== GT && c !== SLASH && c !== EQ && !isWs(c)) {
            if (++j === end) {
              this.tState = st;
              return -1;
            }
            c = s.charCodeAt(j);
          }
          if (this.tRead) this.addAttr(j - this.tBase);
          if (c === GT) return j + 1;
          st = c === EQ ? T_BEFORE_VALUE : c === SLASH ? T_SELF_CLOSING : T_AFTER_ATTR_NAME;
          j++;
          break;
        }
        case T_AFTER_ATTR_NAME: {
          while (isWs(c)) {
            if (++j === end) {
              this.tState = st;
              return -1;
            }
            c = s.charCodeAt(j);
          }
          if (c === GT) return j + 1;
          if (c === SLASH) st = T_SELF_CLOSING;
          else if (c === EQ) st = T_BEFORE_VALUE;
          else {
            this.aNameStart = j - this.tBase;
            st = T_ATTR_NAME;
          }
          j++;
          break;
        }
        case T_BEFORE_VALUE: {
          while (isWs(c)) {
            if (++j === end) {
              this.tState = st;
              return -1;
            }
            c = s.charCodeAt(j);
          }
          if (c === GT) return j + 1; // missing value: the attribute is empty
          if (c === DQ || c === SQ) {
            st = c === DQ ? T_DQ : T_SQ;
            j++;
            this.aValueStart = j - this.tBase;
          } else {
            st = T_UNQUOTED;
            this.aValueStart = j - this.tBase;
          }
          break;
        }
        case T_DQ:
        case T_SQ: {
          const k = s.indexOf(st === T_DQ ? '"' : "'", j);
          if (k === -1) {
            this.tState = st;
            return -1;
          }
          if (this.tRead) this.setValue(k - this.tBase);
          st = T_AFTER_QUOTED;
          j = k + 1;
          break;
        }
        case T_UNQUOTED: {
          while (c !== GT && !isWs(c)) {
            if (++j === end) {
              this.tState = st;
              return -1;
            }
            c = s.charCodeAt(j);
          }
          if (this.tRead) this.setValue(j - this.tBase);
          if (c === GT) return j + 1;
          st = T_BEFORE_ATTR;
          j++;
          break;
        }
        case T_AFTER_QUOTED: {
          if (c === GT) return j + 1;
          if (isWs(c)) j++;
          else if (c === SLASH) {
            st = T_SELF_CLOSING;
            j++;
            break;
          }
          st = T_BEFORE_ATTR;
          break;
        }
        case T_SELF_CLOSING: {
          if (c === GT) {
            this.tSelfClosing = true;
            return j + 1;
          }
          st = T_BEFORE_ATTR;
          break;
        }
      }
    }
    this.tState = st;
    return -1;
  }

  private addAttr(nameEnd: number): void {
    if (nameEnd > MAX_TAG_LENGTH) return;
    this.tAttrs.push(this.aNameStart, nameEnd, -1, -1);
  }

  private setValue(valueEnd: number): void {
    const attrs = this.tAttrs;
    const n = attrs.length;
    if (n === 0 || valueEnd > MAX_TAG_LENGTH) return;
    attrs[n - 2] = this.aValueStart;
    attrs[n - 1] = valueEnd;
  }

  /** A tag ended at `e`: follow tree construction's feedback, then rewrite, inject, pass on. */
  private finishTag(s: string, e: number): void {
    this.mode = DATA;
    this.textOpen = false;
    const flags = this.tFlags;
    const length = this.tPrevLen + e - this.tStart;
    const big = this.tFlushed || length > MAX_TAG_LENGTH;
    const hasPieces = this.tPieces.length > 0;
    // The tag's text and the offset of its start in it, for reading attributes.
    let text = s;
    let base = this.tBase;
    if (hasPieces && !big && this.tRead) {
      text = this.tPieces.join('') + s.slice(0, e);
      base = 0;
    }
    // Attributes are read off the recorded offsets; the de-duplicated list is built only to re-emit.
    const attrs: RawAttrs | null = big || !this.tRead ? null : { text, base, spans: this.tAttrs };

    let pre = '';
    let replacement: string | null = null;
    let post = '';
    const ns = this.ns;
    if (!this.tEndTag) {
      const self = this.tSelfClosing;
      // parse5's parser-feedback-simulator, with `<svg/>` and `<math/>` entering nothing.
      if (flags & F_SVG && !self) this.pushNs(NS_SVG);
      else if (flags & F_MATH && !self) this.pushNs(NS_MATHML);
      let adjustNs = NS_HTML;
      const top = ns[ns.length - 1]!;
      if (top !== NS_HTML) {
        if (
          flags & F_EXIT ||
          (flags & F_FONT &&
            attrs !== null &&
            (findAttr(attrs, 'color') >= 0 || findAttr(attrs, 'size') >= 0 || findAttr(attrs, 'face') >= 0))
        ) {
          while (ns.length > 1 && ns[ns.length - 1] !== NS_HTML) ns.pop();
        } else {
          adjustNs = top;
          if (!self && this.isIntegrationPoint(flags, top, attrs)) this.pushNs(NS_HTML);
        }
      } else if (flags & (F_SCRIPT | F_RAWTEXT | F_RCDATA | F_PLAINTEXT)) {
        this.rawName = this.tName;
        if (flags & F_SCRIPT) {
          this.mode = SCRIPT;
          this.scriptState = SD;
        } else {
          this.mode = flags & F_PLAINTEXT ? PLAINTEXT : RAWTEXT;
        }
      }
      // The rewriter itself.
      if (flags & F_HTML) this.lang = attrs === null ? '' : (attrValue(attrs, 'lang', adjustNs !== NS_HTML ? 'xml:lang' : '') ?? '');
      if (!this.injected && flags & F_BODY) pre = this.inject();
      if (attrs !== null && flags & (F_SCRIPT | F_STYLE | F_LINK) && this.wantsNonce(flags, attrs)) {
        replacement = this.emitStartTag(this.uniqueAttrs(attrs), adjustNs);
      }
      if (!this.injected && flags & F_HEAD) post = this.inject();
    } else {
      const top = ns[ns.length - 1];
      if (top === NS_HTML) {
        if (ns.length > 1 && this.isIntegrationPoint(flags, ns[ns.length - 2]!, attrs)) ns.pop();
      } else if ((flags & F_SVG && top === NS_SVG) || (flags & F_MATH && top === NS_MATHML)) {
        ns.pop();
      } else if (flags & F_EXIT && (this.tName === 'p' || this.tName === 'br')) {
        // Tree construction breaks out of foreign content at `</p>` and `</br>` too (parse5's simulator did not).
        while (ns.length > 1 && ns[ns.length - 1] !== NS_HTML) ns.pop();
      }
      if (!this.injected && flags & (F_BODY | F_HTML)) pre = this.inject();
    }

    if (pre !== '' || post !== '' || replacement !== null || hasPieces) {
      if (this.tFlushed) {
        this.out.push(s.slice(this.from, e) + post);
      } else {
        if (this.tStart > this.from) this.out.push(s.slice(this.from, this.tStart));
        this.out.push(pre);
        if (replacement !== null) this.out.push(replacement);
        else {
          if (hasPieces) this.out.push(this.tPieces.join(''));
          this.out.push(s.slice(this.tStart, e));
        }
        this.out.push(post);
      }
      this.from = e;
    }
    if (this.tPieces.length !== 0) this.tPieces.length = 0;
    if (this.tAttrs.length !== 0) this.tAttrs.length = 0;
  }

  private pushNs(ns: number): void {
    if (this.ns.length < MAX_NAMESPACE_DEPTH) this.ns.push(ns);
  }

  private isIntegrationPoint(flags: number, ns: number, attrs: RawAttrs | null): boolean {
    if (ns === NS_SVG) return (flags & F_SVG_IP) !== 0;
    if (ns !== NS_MATHML) return false;
    if (flags & F_MATH_TIP) return true;
    if (!(flags & F_ANNOTATION) || attrs === null) return false;
    const encoding = attrValue(attrs, 'encoding', '')?.toLowerCase();
    return encoding === 'text/html' || encoding === 'application/xhtml+xml';
  }

  /** The tag's attributes as parse5 kept them: duplicates dropped (the first wins), names as the tokenizer reads them. */
  private uniqueAttrs({ text, base, spans: raw }: RawAttrs): Attrs {
    const names: string[] = [];
    const spans: number[] = [];
    // A Set once there are many (a hostile tag may have thousands), a scan of the list before.
    const seen: Set<string> | null = raw.length > 64 ? new Set() : null;
    for (let i = 0; i < raw.length; i += 4) {
      const name = tokenName(text.slice(base + raw[i]!, base + raw[i + 1]!));
      if (seen === null ? names.includes(name) : seen.has(name)) continue;
      names.push(name);
      seen?.add(name);
      const vs = raw[i + 2]!;
      spans.push(vs < 0 ? -1 : base + vs, vs < 0 ? -1 : base + raw[i + 3]!);
    }
    return { text, names, spans };
  }

  /** Whether a start tag loads or runs script or style that the policy's nonce should cover. */
  private wantsNonce(flags: number, attrs: RawAttrs): boolean {
    const spec = this.spec;
    if (findAttr(attrs, 'nonce') >= 0) return false;
    if (flags & F_SCRIPT) return spec.scriptNonce;
    if (flags & F_STYLE) return spec.styleNonce;
    const rel = (attrValue(attrs, 'rel', '') ?? '').toLowerCase().split(/\s+/);
    if (rel.includes('stylesheet')) return spec.styleNonce;
    if (rel.includes('modulepreload')) return spec.scriptNonce;
    if (rel.includes('preload')) {
      const as = (attrValue(attrs, 'as', '') ?? '').toLowerCase();
      return as === 'script' ? spec.scriptNonce : as === 'style' ? spec.styleNonce : false;
    }
    return false;
  }

  /** The start tag with the nonce, as parse5's RewritingStream.emitStartTag wrote it. */
  private emitStartTag(attrs: Attrs, ns: number): string {
    const { names } = attrs;
    // In a latin1 document a name's U+FFFD goes back as the NUL it was read from (a browser reads
    // both alike), and a value's decoded references beyond U+00FF as references.
    const latin1 = this.spec.encoding === 'latin1';
    const asWritten = (name: string) => (latin1 ? name.replace(/\uFFFD/g, '\0') : name);
    let out = `<${asWritten(this.tName)}`;
    for (let i = 0; i < names.length; i++) {
      let name = names[i]!;
      if (ns === NS_SVG) name = SVG_ATTRIBUTE_NAMES.get(name) ?? name;
      else if (ns === NS_MATHML && name === 'definitionurl') name = 'definitionURL';
      const start = attrs.spans[i * 2]!;
      const raw = start < 0 ? '' : attrs.text.slice(start, attrs.spans[i * 2 + 1]!);
      const value = NEEDS_WORK.test(raw) ? escapeAttribute(tokenValue(raw)) : raw;
      out += ` ${asWritten(name)}="${latin1 ? latin1Safe(value) : value}"`;
    }
    return out + this.nonceAttr + (this.tSelfClosing ? '/>' : '>');
  }

  /**
   * Script data from `p`: returns where scanning goes on (at an end tag, the mode is TAG), or, to stop
   * at the chunk's end keeping `s[k..]` for the next chunk, -k - 1.
   */
  private scanScript(s: string, p: number, final: boolean): number {
    const end = s.length;
    // The next `-->` at or after p (-1: none before the end), found once: the escape states can switch
    // back and forth many times before it.
    let close = -2;
    for (;;) {
      if (this.scriptState === SD) {
        let k = s.indexOf('<', p);
        for (;;) {
          if (k === -1) return end;
          if (k + 1 >= end) return final ? end : -k - 1;
          const c = s.charCodeAt(k + 1);
          if (c === SLASH) {
            const m = matchEndName(s, k + 2, 'script', final);
            if (m === 1) return this.startTag(s, k, true);
            if (m < 0) return -k - 1;
          } else if (c === BANG) {
            if (k + 3 >= end && !final && (k + 2 >= end || s.charCodeAt(k + 2) === DASH)) return -k - 1;
            if (k + 3 < end && s.charCodeAt(k + 2) === DASH && s.charCodeAt(k + 3) === DASH) break;
          }
          k = s.indexOf('<', k + 1);
        }
        this.scriptState = SE;
        p = k + 2; // the dashes of `<!--` may end it: `<!-->`
        continue;
      }
      // Escaped or double escaped: `-->` goes back to script data.
      const escaped = this.scriptState === SE;
      if (close === -2 || (close !== -1 && close < p)) close = s.indexOf('-->', p);
      let b = s.indexOf('<', p);
      let switched = false;
      while (b !== -1 && (close === -1 || b < close)) {
        if (b + 1 >= end) return final ? end : -b - 1;
        const c = s.charCodeAt(b + 1);
        if (c === SLASH) {
          const m = matchEndName(s, b + 2, 'script', final);
          if (m < 0) return -b - 1;
          if (m === 1) {
            if (escaped) return this.startTag(s, b, true);
            this.scriptState = SE;
            p = b + 8;
            switched = true;
            break;
          }
        } else if (escaped && isAlpha(c)) {
          const m = matchEndName(s, b + 1, 'script', final);
          if (m < 0) return -b - 1;
          if (m === 1) {
            this.scriptState = SDE;
            p = b + 7;
            switched = true;
            break;
          }
        }
        b = s.indexOf('<', b + 1);
      }
      if (switched) continue;
      if (close !== -1) {
        this.scriptState = SD;
        p = close + 3;
        continue;
      }
      if (!final) {
        if (end - 2 >= p && s.charCodeAt(end - 1) === DASH && s.charCodeAt(end - 2) === DASH) return -(end - 2) - 1;
        if (end - 1 >= p && s.charCodeAt(end - 1) === DASH) return -(end - 1) - 1;
      }
      return end;
    }
  }
}

/** Decodes the document's bytes (UTF-8, or latin1: see RewriteSpec.encoding) and rewrites chunk by chunk. */
class RewriteTransform extends Transform {
  private readonly encoding: 'utf8' | 'latin1';
  private readonly decoder: StringDecoder;
  private readonly rewriter: Rewriter;
  constructor(spec: RewriteSpec) {
    super({ decodeStrings: true });
    this.encoding = spec.encoding ?? 'utf8';
    this.decoder = new StringDecoder(this.encoding);
    this.rewriter = new Rewriter(spec);
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const out = this.rewriter.write(this.decoder.write(chunk), false);
    callback(null, out === '' ? undefined : Buffer.from(out, this.encoding));
  }
  override _flush(callback: TransformCallback): void {
    const out = this.rewriter.write(this.decoder.end(), true);
    callback(null, out === '' ? undefined : Buffer.from(out, this.encoding));
  }
}

/** Rewrites a whole document held in memory. */
export function rewriteHtml(html: string, spec: RewriteSpec): string {
  return new Rewriter(spec).write(html, true);
}

/** The rewriter as a Transform of the document's bytes, for a pipeline. */
export function htmlRewriteTransform(spec: RewriteSpec): Transform {
  return new RewriteTransform(spec);
}

/** Rewrites a streamed document chunk by chunk; errors of the source end the output stream. */
export function rewriteHtmlStream(source: Readable, spec: RewriteSpec): Readable {
  const rewriter = new RewriteTransform(spec);
  source.on('error', (error) => rewriter.destroy(error));
  source.pipe(rewriter);
  return rewriter;
}

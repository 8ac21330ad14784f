// Helpers for the HTML rewriter's differential tests (src/page/html-rewriter.diff.test.ts): a seeded
// generator of hostile markup, the stream driver, and the browser tie-breaker (parse5's full parser).
import { Readable } from 'node:stream';
import { type DefaultTreeAdapterMap, parse } from 'parse5';
import { type RewriteSpec, rewriteHtmlStream } from '../../src/page/html-rewriter.js';

/** mulberry32: a small seeded PRNG, so every generated case can be replayed from its seed. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Names and fragments chosen to hit every state the scanner follows; `ſ` and the Kelvin sign `K`
// lower-case to ASCII in JavaScript but not in the tokenizer.
const NAMES = [
  'script',
  'SCRIPT',
  'Script',
  'style',
  'STYLE',
  'link',
  'LINK',
  'html',
  'head',
  'body',
  'svg',
  'SVG',
  'math',
  'mi',
  'mtext',
  'foreignObject',
  'foreignobject',
  'desc',
  'title',
  'TITLE',
  'textarea',
  'plaintext',
  'xmp',
  'iframe',
  'noscript',
  'noembed',
  'noframes',
  'template',
  'p',
  'div',
  'b',
  'br',
  'font',
  'annotation-xml',
  'pre',
  'table',
  'img',
  'a',
  'span',
  'scrip',
  'scripts',
  'stylex',
  'x',
  'g',
  'path',
  'use',
  'image',
  'listing',
  'scr\0ipt',
  'ſcript',
  'lin\u212Ak',
];
const ATTR_NAMES = [
  'rel',
  'REL',
  'as',
  'As',
  'nonce',
  'NONCE',
  'lang',
  'xml:lang',
  'xlink:href',
  'xmlns',
  'xmlns:xlink',
  'viewbox',
  'definitionurl',
  'encoding',
  'color',
  'size',
  'face',
  'src',
  'href',
  'type',
  'id',
  'class',
  'a',
  '=',
  '"',
  "'",
  '<',
  'data-x',
  '\0',
  'n\0nce',
  'x/y',
];
const VALUES = [
  'stylesheet',
  'STYLESHEET',
  'preload',
  'modulepreload',
  'preload stylesheet',
  ' icon ',
  'script',
  'Style',
  'style',
  'text/html',
  'TEXT/HTML',
  'application/xhtml+xml',
  'fr',
  'en-GB',
  '',
  'a>b',
  'a"b',
  "a'b",
  '&amp;',
  '&quot;',
  '&nbsp;',
  '\u00a0',
  '&notin;',
  '&noti;',
  '&#0;',
  '&#x80;',
  '&#xD800;',
  '&amp',
  '&lt;x&gt;',
  'a\r\nb',
  'a\rb',
  '\0',
  'é😀',
  '/',
  '=',
  '`',
  'x y',
  '&#115;tylesheet',
  'style&#115;heet',
];
const FRAGMENTS = [
  '<',
  '</',
  '>',
  '/>',
  '<!--',
  '-->',
  '--!>',
  '--!',
  '-',
  '--',
  '!',
  '<!',
  '<!-',
  '<?',
  '<![CDATA[',
  ']]>',
  ']',
  '</>',
  '< ',
  '<1',
  '</1',
  '</ ',
  '<!doctype html>',
  '<!DOCTYPE html PUBLIC "a>b">',
  '&',
  '&amp;',
  ' ',
  '\n',
  '\r\n',
  '\r',
  '\t',
  '\f',
  '\0',
  'é',
  '😀',
  '\ufeff',
  'text',
  '"',
  "'",
  '=',
  'script',
  '</script',
  '</script>',
  '</SCRIPT >',
  '<script',
  '</style>',
  '</title>',
  '</textarea>',
  '</xmp>',
  '</noscript>',
  '</svg>',
  '</math>',
  '</p>',
  '</br>',
  '</body>',
  '</html>',
  '</head>',
  '</desc>',
  '</mi>',
  '</foreignObject>',
  '</annotation-xml encoding="text/html">',
  '<!-->',
  '<!--->',
  '<!---->',
  '<!--<!-->',
  'a<b',
  'x</>y',
];
const TEXT = ['hello', 'x', ' ', 'var s = "<style>";', 'if (a<b) {}', '<!-- x -->', 'é', '&lt;'];

/** A random document of about `size` characters: tags with random attributes, delimiters, text. */
export function generateCase(random: () => number, size: number): string {
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]!;
  let out = '';
  while (out.length < size) {
    const k = random();
    if (k < 0.45) {
      let tag = (random() < 0.25 ? '</' : '<') + pick(NAMES);
      const n = Math.floor(random() * 4);
      for (let i = 0; i < n; i++) {
        tag += pick([' ', ' ', '\n', '\t', '/', '', '  ']) + pick(ATTR_NAMES);
        const v = random();
        if (v < 0.3) tag += `="${pick(VALUES).replace(/"/g, random() < 0.5 ? '"' : '')}"`;
        else if (v < 0.5) tag += `='${pick(VALUES)}'`;
        else if (v < 0.7) tag += `=${pick(VALUES)}`;
        else if (v < 0.8) tag += pick(['=', ' = ', '= "x"', '=""']);
      }
      if (random() < 0.9) tag += pick(['>', '>', '>', '/>', ' />', ' >', '\n>']);
      out += tag;
    } else if (k < 0.85) {
      out += pick(FRAGMENTS);
    } else {
      out += pick(TEXT);
    }
  }
  return out;
}

/** Runs `chunks` through rewriteHtmlStream and collects the output. */
export async function rewriteChunks(chunks: Buffer[], spec: RewriteSpec): Promise<string> {
  let out = '';
  for await (const chunk of rewriteHtmlStream(Readable.from(chunks), spec)) out += chunk;
  return out;
}

/** `bytes` cut into pieces of 1 to `max` bytes at random. */
export function randomSplit(bytes: Buffer, random: () => number, max: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; ) {
    const n = 1 + Math.floor(random() * max);
    chunks.push(bytes.subarray(i, i + n));
    i += n;
  }
  return chunks;
}

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];
type Attr = Element['attrs'][number];

/** Whether the rewriter should give the element the nonce (its rules, read off the parsed element). */
function wantsNonce(tag: string, attrs: Attr[], spec: RewriteSpec): boolean {
  const attr = (name: string) => attrs.find((a) => a.name === name && !a.prefix)?.value;
  if (attr('nonce') !== undefined) return false;
  if (tag === 'script') return spec.scriptNonce;
  if (tag === 'style') return spec.styleNonce;
  if (tag === 'link') {
    const rel = (attr('rel') ?? '').toLowerCase().split(/\s+/);
    if (rel.includes('stylesheet')) return spec.styleNonce;
    if (rel.includes('modulepreload')) return spec.scriptNonce;
    if (rel.includes('preload')) {
      const as = (attr('as') ?? '').toLowerCase();
      return as === 'script' ? spec.scriptNonce : as === 'style' ? spec.styleNonce : false;
    }
  }
  return false;
}

function serialize(node: Node, spec: RewriteSpec, addNonce: boolean, out: string[]): string[] {
  const children = 'childNodes' in node ? node.childNodes : [];
  for (const child of children) {
    if (child.nodeName === '#text') out.push(JSON.stringify((child as DefaultTreeAdapterMap['textNode']).value));
    else if (child.nodeName === '#comment') out.push(`<!--${JSON.stringify((child as DefaultTreeAdapterMap['commentNode']).data)}-->`);
    else if (child.nodeName === '#documentType') out.push(`<!doctype ${(child as DefaultTreeAdapterMap['documentType']).name}>`);
    else {
      const element = child as Element;
      const attrs = element.attrs.map((a) => `${a.prefix ? `${a.prefix}:` : ''}${a.name}=${JSON.stringify(a.value)}`);
      if (addNonce && wantsNonce(element.tagName, element.attrs, spec)) attrs.push(`nonce=${JSON.stringify(spec.nonce)}`);
      out.push(`<${element.namespaceURI.split('/').pop()}:${element.tagName} ${attrs.join(' ')}>`);
      const template = element as DefaultTreeAdapterMap['template'];
      serialize(element.tagName === 'template' && template.content ? template.content : element, spec, addNonce, out);
      out.push('</>');
    }
  }
  return out;
}

/**
 * The document tree a browser builds (parse5's full parser), as text; with `addNonce`, as it should be
 * after rewriting: every script/style/link element that the rules give a nonce has one, last.
 */
export function treeOf(html: string, spec: RewriteSpec, addNonce = false): string {
  return serialize(parse(html), spec, addNonce, []).join('');
}

import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { RewritingStream } from 'parse5-html-rewriting-stream';

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
}

type Attr = { name: string; value: string };

function attr(attrs: Attr[], name: string): string | undefined {
  return attrs.find((a) => a.name === name)?.value;
}

function relTokens(attrs: Attr[]): string[] {
  return (attr(attrs, 'rel') ?? '').toLowerCase().split(/\s+/);
}

/** Whether a start tag loads or runs script or style that the policy's nonce should cover. */
function wantsNonce(tagName: string, attrs: Attr[], spec: RewriteSpec): boolean {
  if (attr(attrs, 'nonce') !== undefined) return false;
  if (tagName === 'script') return spec.scriptNonce;
  if (tagName === 'style') return spec.styleNonce;
  if (tagName === 'link') {
    const rel = relTokens(attrs);
    if (rel.includes('stylesheet')) return spec.styleNonce;
    if (rel.includes('modulepreload')) return spec.scriptNonce;
    if (rel.includes('preload')) {
      const as = (attr(attrs, 'as') ?? '').toLowerCase();
      return as === 'script' ? spec.scriptNonce : as === 'style' ? spec.styleNonce : false;
    }
  }
  return false;
}

/** A parse5 tokenizer-level rewriter: tags are rewritten, everything else passes through as written. */
function createRewriter(spec: RewriteSpec): RewritingStream {
  const rewriter = new RewritingStream();
  let injected = spec.inject === undefined;
  let lang = '';
  const inject = () => {
    if (!injected) {
      injected = true;
      rewriter.emitRaw(typeof spec.inject === 'function' ? spec.inject(lang) : spec.inject!);
    }
  };
  rewriter.on('startTag', (tag, raw) => {
    if (tag.tagName === 'html') lang = attr(tag.attrs, 'lang') ?? '';
    if (!injected && tag.tagName === 'body') inject();
    if (wantsNonce(tag.tagName, tag.attrs, spec)) {
      tag.attrs.push({ name: 'nonce', value: spec.nonce });
      rewriter.emitStartTag(tag);
    } else {
      rewriter.emitRaw(raw);
    }
    if (!injected && tag.tagName === 'head') inject();
  });
  rewriter.on('endTag', (tag, raw) => {
    if (!injected && (tag.tagName === 'body' || tag.tagName === 'html')) inject();
    rewriter.emitRaw(raw);
  });
  return rewriter;
}

/** Decodes UTF-8 bytes to strings without splitting a character across chunks. */
class Utf8Decoder extends Transform {
  private readonly decoder = new StringDecoder('utf8');
  constructor() {
    super({ decodeStrings: true, encoding: 'utf8' });
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    callback(null, this.decoder.write(chunk));
  }
  override _flush(callback: TransformCallback): void {
    callback(null, this.decoder.end());
  }
}

/** Rewrites a whole document held in memory. */
export async function rewriteHtml(html: string, spec: RewriteSpec): Promise<string> {
  const rewriter = createRewriter(spec);
  const done = (async () => {
    let out = '';
    for await (const chunk of rewriter) out += chunk as string;
    return out;
  })();
  rewriter.end(html);
  return done;
}

/** Rewrites a streamed document chunk by chunk; errors of the source end the output stream. */
export function rewriteHtmlStream(source: Readable, spec: RewriteSpec): Readable {
  const rewriter = createRewriter(spec);
  const decoder = new Utf8Decoder();
  source.on('error', (error) => rewriter.destroy(error));
  decoder.on('error', (error) => rewriter.destroy(error));
  source.pipe(decoder).pipe(rewriter);
  return rewriter;
}

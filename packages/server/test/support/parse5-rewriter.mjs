// The HTML rewriter as it was before the hand-written scanner (packages/server/src/page/html-rewriter.ts
// up to the html-scanner branch), kept verbatim in behaviour as the oracle of the differential tests
// (html-rewriter.diff.test.ts) and as the baseline of bench/html-rewrite.mjs. Plain JavaScript so that
// both vitest and node can load it; types in parse5-rewriter.d.mts. Not used by the product.
//
// `rewriteHtmlFixed` is the same rewriter with the three places where parse5's parser-feedback
// simulator (or RewritingStream) disagrees with a browser corrected, as the scanner corrects them;
// the tests show each against parse5's full parser:
//  1. a self-closing <svg/> or <math/> enters SVG/MathML content and never leaves it (a browser pops
//     the element at once), so the scripts after it were tokenized as markup;
//  2. a start tag that breaks out of foreign content (<p>, <div>...) leaves one namespace level, not
//     all of them (<svg><svg><p> stays in SVG);
//  3. a re-emitted tag in SVG/MathML loses the prefix of xlink:*, xml:*, xmlns:* attributes;
//  4. an end tag </p> or </br> in foreign content leaves it, as a start tag <p> does (the HTML
//     standard's rules for foreign content list them with the start tags); the simulator ignored them.
import { Transform } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { foreignContent, html } from 'parse5';
import { RewritingStream } from 'parse5-html-rewriting-stream';

function attr(attrs, name) {
  return attrs.find((a) => a.name === name)?.value;
}

function relTokens(attrs) {
  return (attr(attrs, 'rel') ?? '').toLowerCase().split(/\s+/);
}

function wantsNonce(tagName, attrs, spec) {
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

function createRewriter(spec, fixed = false) {
  const rewriter = new RewritingStream();
  if (fixed) applyFixes(rewriter);
  let injected = spec.inject === undefined;
  let lang = '';
  const inject = () => {
    if (!injected) {
      injected = true;
      rewriter.emitRaw(typeof spec.inject === 'function' ? spec.inject(lang) : spec.inject);
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

const $ = html.TAG_ID;

/** parse5-sax-parser's ParserFeedbackSimulator.onStartTag, with fixes 1 and 2. */
function fixedOnStartTag(token) {
  let tn = token.tagID;
  if (tn === $.SVG && !token.selfClosing) this._enterNamespace(html.NS.SVG);
  else if (tn === $.MATH && !token.selfClosing) this._enterNamespace(html.NS.MATHML);
  if (this.inForeignContent) {
    if (foreignContent.causesExit(token)) {
      while (this.inForeignContent) this._leaveCurrentNamespace();
    } else {
      const currentNs = this.namespaceStack[0];
      if (currentNs === html.NS.MATHML) foreignContent.adjustTokenMathMLAttrs(token);
      else if (currentNs === html.NS.SVG) {
        foreignContent.adjustTokenSVGTagName(token);
        foreignContent.adjustTokenSVGAttrs(token);
      }
      foreignContent.adjustTokenXMLAttrs(token);
      tn = token.tagID;
      if (!token.selfClosing && foreignContent.isIntegrationPoint(tn, currentNs, token.attrs)) this._enterNamespace(html.NS.HTML);
    }
  } else {
    if (tn === $.PRE || tn === $.TEXTAREA || tn === $.LISTING) this.skipNextNewLine = true;
    else if (tn === $.IMAGE) {
      token.tagName = html.TAG_NAMES.IMG;
      token.tagID = $.IMG;
    }
    this._ensureTokenizerMode(tn);
  }
  this.handler.onStartTag(token);
}

function applyFixes(rewriter) {
  const simulator = rewriter.parserFeedbackSimulator;
  simulator.onStartTag = fixedOnStartTag.bind(simulator);
  const onEndTag = simulator.onEndTag.bind(simulator);
  simulator.onEndTag = (token) => {
    if (simulator.inForeignContent && (token.tagName === 'p' || token.tagName === 'br')) {
      while (simulator.inForeignContent) simulator._leaveCurrentNamespace();
    }
    onEndTag(token);
  };
  // Fix 3: RewritingStream.emitStartTag writing an adjusted attribute's prefix.
  const emitStartTag = rewriter.emitStartTag.bind(rewriter);
  rewriter.emitStartTag = (token) => {
    const attrs = token.attrs.map((attr) => (attr.prefix ? { ...attr, name: `${attr.prefix}:${attr.name}` } : attr));
    emitStartTag({ ...token, attrs });
  };
}

class Utf8Decoder extends Transform {
  decoder = new StringDecoder('utf8');
  constructor() {
    super({ decodeStrings: true, encoding: 'utf8' });
  }
  _transform(chunk, _encoding, callback) {
    callback(null, this.decoder.write(chunk));
  }
  _flush(callback) {
    callback(null, this.decoder.end());
  }
}

export function rewriteHtml(html, spec) {
  return rewriteWith(createRewriter(spec), html);
}

export function rewriteHtmlFixed(html, spec) {
  return rewriteWith(createRewriter(spec, true), html);
}

async function rewriteWith(rewriter, html) {
  const done = (async () => {
    let out = '';
    for await (const chunk of rewriter) out += chunk;
    return out;
  })();
  rewriter.end(html);
  return done;
}

export function rewriteHtmlStream(source, spec) {
  const rewriter = createRewriter(spec);
  const decoder = new Utf8Decoder();
  source.on('error', (error) => rewriter.destroy(error));
  decoder.on('error', (error) => rewriter.destroy(error));
  source.pipe(decoder).pipe(rewriter);
  return rewriter;
}

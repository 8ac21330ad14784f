import type { Violation } from './violation.js';

/** Browsers cut samples to 40 characters in reports; the DOM event may carry more. */
export const SAMPLE_LENGTH = 40;

/**
 * The fields that the DOM event and every native report of one violation share, in every engine
 * (measured in Chromium, Firefox and WebKit: docs/engines.md), in a fixed order. Missing values
 * are "" and 0. Not the disposition nor the sample: WebKit's report-uri bodies carry neither.
 * URLs are compared as normalization wrote them (without default ports: WebKit's events on HTTPS
 * pages carry `:443`, its report-uri bodies do not). A line and column count only with a source
 * file and a line: for a blocked `<script src>` the events of Firefox and WebKit say column 1
 * where their native reports say 0 or nothing, and for a style attribute in the HTML WebKit's
 * event names the line (without a source file) where its report says 0.
 */
export function fingerprintFields(v: Violation): string[] {
  const hash = v.documentUri.indexOf('#');
  const located = v.sourceFile !== '' && v.lineNumber !== 0;
  return [
    hash === -1 ? v.documentUri : v.documentUri.slice(0, hash),
    v.effectiveDirective,
    v.blockedUri,
    v.sourceFile,
    located ? String(v.lineNumber) : '0',
    located ? String(v.columnNumber) : '0',
  ];
}

/**
 * A 64-bit hash (16 hex digits) of the violation's shared fields, so that the two records of
 * one violation in one session can be paired. Not a security boundary: pairs are only ever
 * compared within one session.
 */
export function fingerprint(v: Violation): string {
  const text = fingerprintFields(v).join('\u0000');
  // Two independent 32-bit FNV-1a style lanes mixed per code unit (cyrb53-like finalizer).
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

import type { Violation } from './violation.js';

/** Browsers cut samples to 40 characters in reports; the DOM event may carry more. */
export const SAMPLE_LENGTH = 40;

/**
 * The fields that the DOM event and the native report of one violation share, in a fixed
 * order (measured in Chromium: see docs/architecture.md). Missing values are "" and 0.
 */
export function fingerprintFields(v: Violation): string[] {
  const hash = v.documentUri.indexOf('#');
  return [
    hash === -1 ? v.documentUri : v.documentUri.slice(0, hash),
    v.effectiveDirective,
    v.blockedUri,
    v.sourceFile,
    String(v.lineNumber),
    String(v.columnNumber),
    v.disposition,
    v.sample.slice(0, SAMPLE_LENGTH),
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

import type { Readable } from 'node:stream';
import type { RewriteSpec } from '../../src/page/html-rewriter.js';

/** The parse5-based rewriter the scanner replaced: the differential tests' oracle. */
export function rewriteHtml(html: string, spec: RewriteSpec): Promise<string>;
export function rewriteHtmlStream(source: Readable, spec: RewriteSpec): Readable;
/** The same with the three corrections the scanner makes (see parse5-rewriter.mjs). */
export function rewriteHtmlFixed(html: string, spec: RewriteSpec): Promise<string>;

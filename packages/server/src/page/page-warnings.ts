import type { Logger } from '../logger.js';

/**
 * What the page middleware tells the site's owner about the middleware stacked around it: each
 * kind of problem once per process (every page would repeat it), with the page it was first seen
 * on and the fix.
 */
export class PageWarnings {
  private readonly said = new Set<string>();

  constructor(
    private readonly logger: Logger,
    /** The header this observer sends its policy in. */
    private readonly policyHeader: string,
  ) {}

  private once(kind: string, level: 'warn' | 'error' | 'info', message: string): void {
    if (this.said.has(kind)) return;
    this.said.add(kind);
    this.logger[level](message);
  }

  /** Another middleware sets a policy in the same header, before (outside) or after (inside) this one. */
  conflict(path: string, where: 'before' | 'after'): void {
    this.once(
      'conflict',
      'error',
      `cspObserver(): another middleware (koa-helmet's contentSecurityPolicy?) sets ${this.policyHeader} too, ${where} csp-observer (first seen on ${path}). A page must have one policy: it keeps the other one, and csp-observer neither sends its policy nor rewrites the page. Fix: turn the other policy off (helmet({ contentSecurityPolicy: false })) and give its directives to cspObserver({ policy }).`,
    );
  }

  /** The app sends a policy of the other kind: both apply, which is a legitimate setup. */
  beside(path: string, other: string): void {
    this.once(
      'beside',
      'info',
      `cspObserver(): pages also carry the app's own ${other} (first seen on ${path}); the browser applies both policies. csp-observer observes its ${this.policyHeader}; the app's policy must allow csp-observer's SDK script and its endpoint.`,
    );
  }

  /** A nonced page came back with headers that let a cache keep it. */
  cache(path: string, overridden: string): void {
    this.once(
      'cache',
      'warn',
      `cspObserver(): ${path} was sent with "${overridden}", which would let a cache hand one page's nonce and session to many visitors; csp-observer sent "Cache-Control: private, no-store" instead (and no ETag or Last-Modified). Fix: leave pages on csp-observer's paths uncached, or take cached pages out of enabledPaths.`,
    );
  }

  /** A page came back compressed: decompressed and compressed again. */
  compressed(path: string, coding: string): void {
    this.once(
      'compressed',
      'warn',
      `cspObserver(): ${path} reached csp-observer already compressed (Content-Encoding: ${coding}); it was decompressed, rewritten and compressed again, which costs CPU on every page. Fix: mount the compression middleware before csp-observer (app.use(compress()); app.use(cspObserver(...))), so that pages are compressed once, after the rewrite.`,
    );
  }

  /** A page in a coding this server cannot undo. */
  coding(path: string, coding: string): void {
    this.once(
      'coding',
      'error',
      `cspObserver(): ${path} reached csp-observer in a content coding it cannot rewrite (Content-Encoding: ${coding}); it was sent without csp-observer's policy. Fix: mount the compression middleware before csp-observer.`,
    );
  }

  /** A page in a charset the rewriter cannot write. */
  charset(path: string, contentType: string): void {
    this.once(
      'charset',
      'error',
      `cspObserver(): ${path} is "${contentType}"; csp-observer rewrites UTF-8 and windows-1252 (ISO-8859-1) pages only, so it was sent without csp-observer's policy. Fix: serve the page in UTF-8, or take it out of enabledPaths.`,
    );
  }
}

import { parsePolicy, sourceListAllows, type SdkHiddenElement } from '@csp-observer/core';

/** How long after an element loaded its violation may still be on its way. */
const SETTLE_MS = 1500;

/** The elements watched: what the policy governs by URL, and the directive that applies. */
const WATCHED: Record<string, { attribute: string; directives: string[] }> = {
  SCRIPT: { attribute: 'src', directives: ['script-src-elem', 'script-src', 'default-src'] },
  IFRAME: { attribute: 'src', directives: ['frame-src', 'child-src', 'default-src'] },
  LINK: { attribute: 'href', directives: ['style-src-elem', 'style-src', 'default-src'] },
};

/**
 * A tripwire, as django-csp-observer's tripwire.js: watches for scripts, frames and stylesheets added to the page that the
 * policy forbids, that loaded anyway, and for which no violation was seen on any channel the
 * page has (listener or ReportingObserver). Such content found a way around the policy (some
 * extensions and malware inject that way). Judged only once the policy is known (from the
 * canary's report) and only by URL: nonced elements and policies with 'strict-dynamic' are
 * never judged.
 */
export class Tripwire {
  #policy: Record<string, readonly string[]> | null = null;
  readonly #reported = new Set<string>();
  readonly #pending: Array<{ element: Element; url: string }> = [];

  readonly #nonce: string;
  readonly #found: (element: SdkHiddenElement) => void;

  constructor(nonce: string, found: (element: SdkHiddenElement) => void) {
    this.#nonce = nonce;
    this.#found = found;
  }

  /** Watches the document from now on. */
  start(): void {
    new MutationObserver((records) => {
      for (const record of records) for (const node of record.addedNodes) this.#added(node);
    }).observe(document, { childList: true, subtree: true });
  }

  /** A violation the page saw: its blocked URL is not hidden. */
  violation(blockedURI: string, originalPolicy: string): void {
    this.#reported.add(blockedURI);
    if (!this.#policy && originalPolicy) {
      this.#policy = parsePolicy(originalPolicy);
      for (const { element, url } of this.#pending.splice(0)) this.#judge(element, url);
    }
  }

  #added(node: Node): void {
    if (!(node instanceof Element)) return;
    const watched = WATCHED[node.tagName];
    if (!watched) return;
    if (node.tagName === 'LINK' && !/\bstylesheet\b/i.test(node.getAttribute('rel') ?? '')) return;
    const raw = node.getAttribute(watched.attribute);
    if (!raw || (node as HTMLElement).nonce === this.#nonce) return;
    let url: string;
    try {
      url = new URL(raw, document.baseURI).href;
    } catch {
      return;
    }
    node.addEventListener(
      'load',
      () => {
        if (this.#policy) this.#judge(node, url);
        else this.#pending.push({ element: node, url });
      },
      { once: true },
    );
  }

  #judge(element: Element, url: string): void {
    try {
      this.#check(element, url);
    } catch {
      // Never an error of ours on the page.
    }
  }

  #check(element: Element, url: string): void {
    const policy = this.#policy!;
    const { directives } = WATCHED[element.tagName]!;
    const directive = directives.find((name) => policy[name]);
    if (!directive) return;
    const sources = policy[directive]!;
    if (sources.some((s) => s.toLowerCase() === "'strict-dynamic'")) return;
    if (sourceListAllows(sources, new URL(url), new URL(location.href))) return;
    setTimeout(() => {
      if (this.#reported.has(url)) return;
      this.#found({ tag: element.tagName.toLowerCase(), url, directive: directives[0]! });
    }, SETTLE_MS);
  }
}

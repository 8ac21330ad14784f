/**
 * Layout facts a person would notice on a visitor page, measured in the page itself so that the
 * same check runs through a Playwright Page (Chromium, Firefox) and a WebDriver session (WebKit):
 * a word of a header or a short value broken across lines, placeholder text, a page wider than
 * a phone. Generic: the caller names the elements by selector. (The dashboard's screenshot tests
 * may keep a helper of their own; both measure the same way and can be merged.)
 */

/** Runs a function body in the page and returns its JSON result (a Playwright or WebDriver runner). */
export type PageRunner = <T>(body: string) => Promise<T>;

export interface LayoutFacts {
  /** `document.scrollingElement.scrollWidth` and `innerWidth`: wider means a horizontal scroll. */
  scrollWidth: number;
  innerWidth: number;
  /** Words of the checked elements that the browser laid out on more than one line, as `selector: word`. */
  brokenWords: string[];
  /** Placeholder text found in the page's visible text (`undefined`, `NaN`, `{n}`, `--` for a value...). */
  placeholders: string[];
  /** How many elements the selectors matched (a check of nothing proves nothing). */
  checked: number;
}

/**
 * The in-page measurement: every word (a run of non-space characters in one text node) of every
 * element the selectors match, in the document and in the open shadow root of `shadowHost` if
 * given, must sit on one line: its Range's client rects all share one top.
 */
const LAYOUT_SCRIPT = (selectors: readonly string[], shadowHost: string | null) => `
  const selectors = ${JSON.stringify(selectors)};
  const hostSelector = ${JSON.stringify(shadowHost)};
  const host = hostSelector && document.querySelector(hostSelector);
  const roots = [document, ...(host && host.shadowRoot ? [host.shadowRoot] : [])];
  const brokenWords = [];
  let checked = 0;
  for (const selector of selectors) {
    for (const root of roots) {
      for (const element of root.querySelectorAll(selector)) {
        if (!element.getClientRects().length) continue;
        checked++;
        const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          for (const match of node.data.matchAll(/[^\\s-]+/g)) {
            const range = document.createRange();
            range.setStart(node, match.index);
            range.setEnd(node, match.index + match[0].length);
            const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
            if (tops.size > 1) brokenWords.push(selector + ': ' + match[0]);
          }
        }
      }
    }
  }
  const text = roots.map((root) => (root === document ? document.body.innerText : root.textContent || '')).join('\\n');
  const placeholders = [...text.matchAll(/\\bundefined\\b|\\bNaN\\b|\\{n\\}|\\[object Object\\]|:\\s+--(?!\\S)|\\bTODO\\b|lorem ipsum/gi)].map((m) => m[0]);
  const scroller = document.scrollingElement || document.documentElement;
  return { scrollWidth: scroller.scrollWidth, innerWidth: window.innerWidth, brokenWords, placeholders, checked };
`;

/** Measures the layout facts of the elements `selectors` match (and of those in `shadowHost`'s open shadow root). */
export function layoutFactsOf(run: PageRunner, selectors: readonly string[], shadowHost: string | null = null): Promise<LayoutFacts> {
  return run<LayoutFacts>(LAYOUT_SCRIPT(selectors, shadowHost));
}

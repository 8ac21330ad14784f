/**
 * Layout facts a person notices, read from a rendered page in any engine. Each helper takes a
 * page and a CSS selector and runs one function in the page. The page is anything that can
 * evaluate a function with one argument: a Playwright Page as it is, a WebDriver session
 * through `webDriverPage` (WebKit runs under WebKitWebDriver here).
 */
import type { WebDriver } from 'selenium-webdriver';

/** What the helpers need of a page: Playwright's Page.evaluate, or WebDriver's executeScript behind it. */
export interface LayoutPage {
  evaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<R>;
}

/** A WebDriver session as a LayoutPage: the function's source runs in the page with its argument. */
export function webDriverPage(driver: WebDriver): LayoutPage {
  return {
    evaluate: async <R, A>(fn: (arg: A) => R, arg: A) => (await driver.executeScript(`return (${fn.toString()})(arguments[0]);`, arg)) as R,
  };
}

/**
 * The words drawn across two lines inside the elements matching `selector`: a run of
 * non-space characters within one text node whose boxes sit on more than one line ("Block/ed",
 * a timestamp split after its date is not one: the space is where it may break). Text inside
 * `<wbr>`-split URLs is one text node per piece, so a URL wrapping at its `<wbr>` passes.
 */
export function brokenWords(page: LayoutPage, selector: string): Promise<string[]> {
  return page.evaluate((sel: string) => {
    const broken: string[] = [];
    for (const element of Array.from(document.querySelectorAll(sel))) {
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        const words = /\S+/g;
        for (let match = words.exec(text); match; match = words.exec(text)) {
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0 && r.height > 0);
          if (!rects.length) continue;
          const tops = rects.map((r) => r.top);
          const lineHeight = Math.min(...rects.map((r) => r.height));
          if (Math.max(...tops) - Math.min(...tops) > lineHeight / 2) broken.push(match[0]);
        }
      }
    }
    return broken;
  }, selector);
}

/**
 * Placeholder text a person would read as unfinished ("--", "undefined", "NaN", "null", as a
 * word of its own) in the visible text of the elements matching `selector`, `<pre>` excluded
 * (a report as received may say null).
 */
export function placeholders(page: LayoutPage, selector: string): Promise<string[]> {
  return page.evaluate((sel: string) => {
    const found: string[] = [];
    for (const element of Array.from(document.querySelectorAll(sel))) {
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement?.closest('pre')) continue;
        const text = node.textContent ?? '';
        for (const match of text.matchAll(/(?:^|\s)(--|undefined|NaN|null)(?=\s|$)/g))
          found.push(`${match[1]} in "${text.trim().slice(0, 60)}"`);
      }
    }
    return found;
  }, selector);
}

/** How far the page scrolls sideways (0: it fits the viewport's width). */
export function horizontalOverflow(page: LayoutPage): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth, null);
}

/** The height in CSS px of the first element matching `selector` and of the viewport. */
export function heightOf(page: LayoutPage, selector: string): Promise<{ height: number; viewport: number }> {
  return page.evaluate(
    (sel: string) => ({ height: document.querySelector(sel)?.getBoundingClientRect().height ?? 0, viewport: window.innerHeight }),
    selector,
  );
}

/**
 * The tick labels of the charts matching `selector` that are not whole numbers. A chart draws
 * on a canvas, so it writes the labels of its count axis into `data-y-ticks` (charts.tsx).
 */
export function fractionalTicks(page: LayoutPage, selector: string): Promise<string[]> {
  return page.evaluate((sel: string) => {
    const labels = Array.from(document.querySelectorAll<HTMLElement>(sel)).flatMap((el) =>
      (el.dataset.yTicks ?? '').split(' ').filter(Boolean),
    );
    return labels.filter((label) => !/^\d{1,3}(,\d{3})*$/.test(label));
  }, selector);
}

/** How many elements match `selector` (to know a check looked at something). */
export function countOf(page: LayoutPage, selector: string): Promise<number> {
  return page.evaluate((sel: string) => document.querySelectorAll(sel).length, selector);
}

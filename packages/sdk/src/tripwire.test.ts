// @vitest-environment happy-dom
import type { SdkHiddenElement } from '@csp-observer/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { Tripwire } from './tripwire.js';

// The page is https://site.example/page (vitest.config.ts).
const SDK_NONCE = 'n0nce';
const POLICY =
  "default-src 'self'; script-src 'self' https://cdn.example; style-src 'self'; frame-src https://frames.example; report-uri /csp/report";

let found: Mock<(element: SdkHiddenElement) => void>;
let tripwire: Tripwire;

/** happy-dom's own settings object, live (it loads no script, stylesheet or frame here). */
const happyDom = () => (window as unknown as { happyDOM: { settings: { handleDisabledFileLoadingAsSuccess: boolean } } }).happyDOM.settings;

beforeAll(() => {
  // Scripts and stylesheets "load" at once instead of logging that loading is off; the tests
  // dispatch the `load` the tripwire waits for themselves. (Frames still log it.)
  happyDom().handleDisabledFileLoadingAsSuccess = true;
  // Browsers give every HTML element a `nonce` property ('' without one); happy-dom has none.
  Object.defineProperty(HTMLElement.prototype, 'nonce', {
    configurable: true,
    get(this: HTMLElement) {
      return this.getAttribute('nonce') ?? '';
    },
  });
});

afterAll(() => {
  happyDom().handleDisabledFileLoadingAsSuccess = false;
});

beforeEach(() => {
  vi.useFakeTimers();
  document.body.replaceChildren();
  found = vi.fn();
  tripwire = new Tripwire(SDK_NONCE, found);
  tripwire.start();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** Lets the MutationObserver's records arrive. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

/** Adds an element to the page the way an injected script would, and lets it load. */
async function inject(tag: string, attributes: Record<string, string>, parent: Element = document.body): Promise<HTMLElement> {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  parent.append(element);
  await settle();
  element.dispatchEvent(new Event('load'));
  return element;
}

describe('Tripwire', () => {
  it('reports a forbidden script that loaded and that no violation named, 1.5 s after it loaded', async () => {
    tripwire.violation('https://site.example/other-violation', POLICY);
    await inject('script', { src: 'https://evil.example/x.js' });
    vi.advanceTimersByTime(1499);
    expect(found).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(found.mock.calls).toEqual([[{ tag: 'script', url: 'https://evil.example/x.js', directive: 'script-src-elem' }]]);
  });

  it('reports nothing for what the policy allows', async () => {
    tripwire.violation('https://site.example/other-violation', POLICY);
    await inject('script', { src: '/app.js' });
    await inject('script', { src: 'https://cdn.example/lib.js' });
    await inject('link', { rel: 'stylesheet', href: '/site.css' });
    await inject('iframe', { src: 'https://frames.example/embed' });
    vi.advanceTimersByTime(5000);
    expect(found).not.toHaveBeenCalled();
  });

  it('reports nothing when a violation named the URL within the 1.5 s', async () => {
    tripwire.violation('https://site.example/other-violation', POLICY);
    await inject('script', { src: 'https://evil.example/x.js' });
    vi.advanceTimersByTime(1000);
    tripwire.violation('https://evil.example/x.js', POLICY);
    vi.advanceTimersByTime(5000);
    expect(found).not.toHaveBeenCalled();
  });

  it('judges what loaded before the policy was known once a violation brings it', async () => {
    await inject('script', { src: 'https://evil.example/x.js' });
    vi.advanceTimersByTime(5000);
    expect(found).not.toHaveBeenCalled();
    // A violation without the policy (a report that carries none) does not make it known.
    tripwire.violation('https://a.example/', '');
    vi.advanceTimersByTime(5000);
    expect(found).not.toHaveBeenCalled();
    tripwire.violation('https://b.example/', POLICY);
    vi.advanceTimersByTime(1500);
    expect(found.mock.calls).toEqual([[{ tag: 'script', url: 'https://evil.example/x.js', directive: 'script-src-elem' }]]);
  });

  it('keeps the first policy it was given', async () => {
    tripwire.violation('https://a.example/', POLICY);
    tripwire.violation('https://b.example/', "script-src 'self' https://evil.example");
    await inject('script', { src: 'https://evil.example/x.js' });
    vi.advanceTimersByTime(1500);
    expect(found).toHaveBeenCalledTimes(1);
  });

  it("skips elements carrying the SDK's nonce (the site's own)", async () => {
    tripwire.violation('https://a.example/', POLICY);
    await inject('script', { src: 'https://evil.example/x.js', nonce: SDK_NONCE });
    vi.advanceTimersByTime(5000);
    expect(found).not.toHaveBeenCalled();
  });

  it("never judges under 'strict-dynamic' (trusted scripts may load anything)", async () => {
    tripwire.violation('https://a.example/', "script-src 'nonce-abc' 'STRICT-DYNAMIC'");
    await inject('script', { src: 'https://evil.example/x.js' });
    vi.advanceTimersByTime(5000);
    expect(found).not.toHaveBeenCalled();
  });

  it('judges stylesheets by style-src and frames by frame-src, then child-src, then default-src', async () => {
    tripwire.violation('https://a.example/', "default-src 'self'; child-src https://kids.example");
    await inject('link', { rel: 'alternate stylesheet', href: 'https://evil.example/x.css' });
    await inject('iframe', { src: 'https://evil.example/frame' });
    await inject('iframe', { src: 'https://kids.example/frame' });
    vi.advanceTimersByTime(1500);
    expect(found.mock.calls).toEqual([
      // The directive named is the most specific one, whichever the policy fell back to.
      [{ tag: 'link', url: 'https://evil.example/x.css', directive: 'style-src-elem' }],
      [{ tag: 'iframe', url: 'https://evil.example/frame', directive: 'frame-src' }],
    ]);
  });

  it('prefers style-src to default-src for stylesheets', async () => {
    tripwire.violation('https://a.example/', "default-src *; style-src 'self'");
    await inject('link', { rel: 'stylesheet', href: 'https://evil.example/x.css' });
    vi.advanceTimersByTime(1500);
    expect(found.mock.calls).toEqual([[{ tag: 'link', url: 'https://evil.example/x.css', directive: 'style-src-elem' }]]);
  });

  it('ignores links that are not stylesheets, elements it does not watch, and elements without a URL', async () => {
    tripwire.violation('https://a.example/', "default-src 'none'");
    await inject('link', { rel: 'preload', href: 'https://evil.example/x.css', as: 'style' });
    await inject('link', { rel: 'icon', href: 'https://evil.example/favicon.ico' });
    await inject('img', { src: 'https://evil.example/pixel.gif' });
    await inject('script', {});
    vi.advanceTimersByTime(5000);
    expect(found).not.toHaveBeenCalled();
  });

  it('ignores a policy that does not govern the element', async () => {
    tripwire.violation('https://a.example/', "img-src 'self'");
    await inject('script', { src: 'https://evil.example/x.js' });
    vi.advanceTimersByTime(5000);
    expect(found).not.toHaveBeenCalled();
  });

  it('resolves relative URLs against the document', async () => {
    tripwire.violation('https://a.example/', 'script-src https://cdn.example');
    await inject('script', { src: 'js/x.js' });
    vi.advanceTimersByTime(1500);
    expect(found.mock.calls).toEqual([[{ tag: 'script', url: 'https://site.example/js/x.js', directive: 'script-src-elem' }]]);
  });

  it('judges only elements that loaded', async () => {
    tripwire.violation('https://a.example/', POLICY);
    const script = document.createElement('script');
    script.setAttribute('src', 'https://evil.example/x.js');
    document.body.append(script);
    await settle();
    script.dispatchEvent(new Event('error'));
    vi.advanceTimersByTime(5000);
    expect(found).not.toHaveBeenCalled();
  });

  // Known gaps, written up in the branch's report: these say what the tripwire should do and fail
  // today (`it.fails`); they turn red once fixed, to be made plain tests.
  it.fails('BUG: judges un-nonced elements when the SDK has no nonce (init() without `nonce`)', async () => {
    const bare = vi.fn();
    const noNonce = new Tripwire('', bare);
    noNonce.start();
    noNonce.violation('https://a.example/', POLICY);
    await inject('script', { src: 'https://evil.example/x.js' });
    vi.advanceTimersByTime(1500);
    expect(bare).toHaveBeenCalledTimes(1);
  });

  it.fails('BUG: sees a forbidden script inside an added container', async () => {
    tripwire.violation('https://a.example/', POLICY);
    const box = document.createElement('div');
    const script = document.createElement('script');
    script.setAttribute('src', 'https://evil.example/x.js');
    box.append(script);
    document.body.append(box);
    await settle();
    script.dispatchEvent(new Event('load'));
    vi.advanceTimersByTime(1500);
    expect(found).toHaveBeenCalledTimes(1);
  });
});

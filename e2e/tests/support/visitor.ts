import type { Page } from '@playwright/test';
import type { WebDriver } from 'selenium-webdriver';
import type { Engine } from './engines.js';

/**
 * A visitor's browser in any engine, reduced to what the engine tests need: open a page, read
 * what the page shows. Everything else (tampering, what arrived) is observed on the wire and in
 * the database, the same way for every engine.
 */
export interface Visitor {
  readonly engine: Engine;
  open(url: string): Promise<void>;
  /** The page view's session token, from the SDK tag the middleware injected. */
  sessionToken(): Promise<string>;
  /** The popup's text, or null while no popup is shown. */
  popupText(): Promise<string | null>;
  /** The popup's status line ("No problems detected", "Detected 1 problem"), or null. */
  popupStatus(): Promise<string | null>;
  /** Runs a function body in the page and returns what it returns (JSON values only). */
  run<T>(body: string): Promise<T>;
  close(): Promise<void>;
}

/** Reads the popup out of its open shadow root; run in the page. */
const POPUP_SCRIPT = `
  const host = document.querySelector('csp-observer-popup');
  const root = host && host.shadowRoot;
  if (!root) return null;
  const status = root.querySelector('[role=status]');
  return { text: root.textContent, status: status ? status.textContent : null };
`;

type PopupRead = { text: string | null; status: string | null } | null;

/** What every engine's visitor reads the same way: the session token and the popup, through the page. */
abstract class PageReader implements Visitor {
  abstract readonly engine: Engine;
  abstract open(url: string): Promise<void>;
  abstract run<T>(body: string): Promise<T>;
  abstract close(): Promise<void>;

  async sessionToken(): Promise<string> {
    const token = await this.run<string | null>(
      "const tag = document.querySelector('script[data-session]'); return tag && tag.getAttribute('data-session');",
    );
    if (!token) throw new Error('the page has no SDK tag with a session token');
    return token;
  }

  async popupText(): Promise<string | null> {
    return (await this.run<PopupRead>(POPUP_SCRIPT))?.text ?? null;
  }

  async popupStatus(): Promise<string | null> {
    return (await this.run<PopupRead>(POPUP_SCRIPT))?.status ?? null;
  }
}

/** Chromium and Firefox, through a Playwright page. */
export class PlaywrightVisitor extends PageReader {
  constructor(
    readonly engine: Engine,
    private readonly page: Page,
  ) {
    super();
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url);
  }

  async run<T>(body: string): Promise<T> {
    return this.page.evaluate(new Function(body) as () => T);
  }

  async close(): Promise<void> {
    // The page belongs to the fixture, which closes its context.
  }
}

/** WebKit, through a WebDriver session of WebKitWebDriver. */
export class WebDriverVisitor extends PageReader {
  readonly engine = 'webkit' as const;

  constructor(private readonly driver: WebDriver) {
    super();
  }

  async open(url: string): Promise<void> {
    await this.driver.get(url);
  }

  async run<T>(body: string): Promise<T> {
    return (await this.driver.executeScript(body)) as T;
  }

  async close(): Promise<void> {
    await this.driver.quit();
  }
}

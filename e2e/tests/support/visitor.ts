import type { Page } from '@playwright/test';
import { By, type WebDriver } from 'selenium-webdriver';
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

/** Chromium and Firefox, through a Playwright page. */
export class PlaywrightVisitor implements Visitor {
  constructor(
    readonly engine: Engine,
    private readonly page: Page,
  ) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
  }

  async sessionToken(): Promise<string> {
    const token = await this.page.locator('script[data-session]').getAttribute('data-session');
    if (!token) throw new Error('the page has no SDK tag with a session token');
    return token;
  }

  async run<T>(body: string): Promise<T> {
    return this.page.evaluate(new Function(body) as () => T);
  }

  private async popup(): Promise<PopupRead> {
    return this.run<PopupRead>(POPUP_SCRIPT);
  }

  async popupText(): Promise<string | null> {
    return (await this.popup())?.text ?? null;
  }

  async popupStatus(): Promise<string | null> {
    return (await this.popup())?.status ?? null;
  }

  async close(): Promise<void> {
    // The page belongs to Playwright's fixture, which closes it.
  }
}

/** WebKit, through a WebDriver session of WebKitWebDriver. */
export class WebDriverVisitor implements Visitor {
  readonly engine = 'webkit' as const;

  constructor(private readonly driver: WebDriver) {}

  async open(url: string): Promise<void> {
    await this.driver.get(url);
  }

  async sessionToken(): Promise<string> {
    const token = await this.driver.findElement(By.css('script[data-session]')).getAttribute('data-session');
    if (!token) throw new Error('the page has no SDK tag with a session token');
    return token;
  }

  async run<T>(body: string): Promise<T> {
    return (await this.driver.executeScript(body)) as T;
  }

  private async popup(): Promise<PopupRead> {
    return this.run<PopupRead>(POPUP_SCRIPT);
  }

  async popupText(): Promise<string | null> {
    return (await this.popup())?.text ?? null;
  }

  async popupStatus(): Promise<string | null> {
    return (await this.popup())?.status ?? null;
  }

  async close(): Promise<void> {
    await this.driver.quit();
  }
}

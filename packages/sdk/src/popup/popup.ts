import { DISMISSED_KEY, type PopupMode, type PopupStrings, type Verdict } from '@csp-observer/core';
import { h, render } from 'preact';
import { POPUP_CSS } from './styles.js';
import { findingsOf, Popup, type PopupPhase } from './view.js';

/** A clean verdict stays this long, then fades away. */
const CLEAN_VISIBLE_MS = 4000;
const FADE_MS = 700;
/** What the visitor closed in this tab (sessionStorage DISMISSED_KEY): problem keys, and STATUS_KEY for the non-problem states. */
const STATUS_KEY = '*status';

export interface PopupSettings {
  mode: PopupMode;
  strings: PopupStrings;
  scanUrl: string;
}

/** The popup's stylesheet; null where constructable stylesheets are missing (Safari < 16.4): no popup there. */
function popupSheet(): CSSStyleSheet | null {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(POPUP_CSS);
    return sheet;
  } catch {
    return null;
  }
}

/** Rules and anomalies of a verdict: closing the popup hides these, and a new one shows it again. */
const keysOf = (verdict: Verdict | null) => findingsOf(verdict).map(([key]) => key);

function readDismissed(): Set<string> {
  try {
    return new Set(JSON.parse(sessionStorage.getItem(DISMISSED_KEY) ?? '[]') as string[]);
  } catch {
    return new Set();
  }
}

function saveDismissed(keys: Set<string>): void {
  try {
    sessionStorage.setItem(DISMISSED_KEY, JSON.stringify([...keys]));
  } catch {
    // Storage may be off: closing then lasts for this page only.
  }
}

/**
 * The visitor's popup, in a shadow root on a host element of its own: the page's CSS cannot
 * reach in (the root is open so that tests and tools can read it). Styled only by an adopted
 * constructable stylesheet and CSSOM setters: no `<style>` element or style attribute, so a
 * strict policy (`style-src 'self'`) sees no violation of ours.
 */
export class PopupController {
  #host: HTMLElement | null = null;
  #root: ShadowRoot | null = null;
  #phase: PopupPhase = 'observing';
  #verdict: Verdict | null = null;
  #fading = false;
  #hidden = false;
  #fadeTimer: ReturnType<typeof setTimeout> | undefined;
  /** What the visitor closed in this tab, read from sessionStorage on the first draw only. */
  #dismissed: Set<string> | null = null;

  readonly #settings: PopupSettings;
  readonly #sheet: CSSStyleSheet | null;

  constructor(settings: PopupSettings) {
    this.#settings = settings;
    this.#sheet = popupSheet();
  }

  /** In `always` mode the popup shows "observing" from the start. */
  start(): void {
    if (this.#settings.mode === 'always') this.#draw();
  }

  /** A new verdict from the server. */
  update(verdict: Verdict): void {
    this.#verdict = verdict;
    this.#phase = verdict.status;
    if (verdict.status === 'problems') {
      clearTimeout(this.#fadeTimer);
      this.#fading = false;
      this.#hidden = false;
    } else if (verdict.status === 'clean' && verdict.final && this.#fadeTimer === undefined) {
      this.#fadeTimer = setTimeout(() => {
        this.#fading = true;
        this.#draw();
        this.#fadeTimer = setTimeout(() => {
          this.#hidden = true;
          this.#draw();
        }, FADE_MS);
      }, CLEAN_VISIBLE_MS);
    }
    this.#draw();
  }

  #visible(): boolean {
    if (!this.#sheet || this.#hidden) return false;
    const dismissed = (this.#dismissed ??= readDismissed());
    if (this.#phase === 'problems') return keysOf(this.#verdict).some((key) => !dismissed.has(key));
    return this.#settings.mode === 'always' && !dismissed.has(STATUS_KEY);
  }

  #close = (): void => {
    const dismissed = (this.#dismissed ??= readDismissed());
    // Closed once, the routine states (observing, clean) stay away for the session too.
    for (const key of keysOf(this.#verdict)) dismissed.add(key);
    dismissed.add(STATUS_KEY);
    saveDismissed(dismissed);
    this.#hidden = true;
    clearTimeout(this.#fadeTimer);
    this.#draw();
  };

  #draw(): void {
    if (!this.#visible()) return void this.#host?.remove();
    render(
      h(Popup, {
        phase: this.#phase,
        verdict: this.#verdict,
        scanUrl: this.#settings.scanUrl,
        fading: this.#fading,
        strings: this.#settings.strings,
        onClose: this.#close,
      }),
      this.#mount(),
    );
  }

  /**
   * The host, created once and (re-)attached to the root element: it exists before `<body>`, and
   * a fixed-position host needs no particular parent.
   */
  #mount(): ShadowRoot {
    if (!this.#host || !this.#root) {
      const host = document.createElement('csp-observer-popup');
      // CSSOM setters, not a style attribute: allowed by any style-src.
      host.style.cssText = 'all: initial; position: fixed; z-index: 2147483647; right: 16px; bottom: 16px; display: block';
      const root = host.attachShadow({ mode: 'open' });
      root.adoptedStyleSheets = [this.#sheet!];
      this.#host = host;
      this.#root = root;
    }
    if (!this.#host.isConnected) document.documentElement.append(this.#host);
    return this.#root;
  }
}

// @vitest-environment happy-dom
import {
  EN_POPUP_STRINGS,
  POPUP_STRINGS,
  type PopupMode,
  type PopupStrings,
  type Verdict,
  type VerdictAnomaly,
  type VerdictProblem,
} from '@csp-observer/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PopupController } from './popup.js';
import { POPUP_CSS } from './styles.js';
import { findingsOf } from './view.js';

const SCAN_URL = '/csp/scan/tok%2Fen';

const problem = (ruleId: string, title = `Title of ${ruleId}`): VerdictProblem => ({
  ruleId,
  cause: 'extension',
  title,
  shortDescription: '',
  count: 1,
});
const anomaly = (kind: VerdictAnomaly['kind'], severity: VerdictAnomaly['severity'], title = `Title of ${kind}`): VerdictAnomaly => ({
  kind,
  severity,
  title,
  description: '',
});
const verdict = (
  status: Verdict['status'],
  final: boolean,
  problems: VerdictProblem[] = [],
  anomalies: VerdictAnomaly[] = [],
): Verdict => ({ status, final, problems, anomalies, unknown: 0 });

const popup = (mode: PopupMode = 'always', strings: PopupStrings = EN_POPUP_STRINGS) =>
  new PopupController({ mode, strings, scanUrl: SCAN_URL });
const host = () => document.querySelector<HTMLElement>('csp-observer-popup');
const root = () => host()?.shadowRoot ?? null;
const status = () => root()?.querySelector('[role="status"]')?.textContent ?? null;
const items = () => [...(root()?.querySelectorAll('li') ?? [])].map((li) => li.textContent);
const box = () => root()?.querySelector('section') ?? null;
const closeButton = () => root()!.querySelector('button')!;

const removeHosts = () => {
  for (const element of document.querySelectorAll('csp-observer-popup')) element.remove();
};

beforeEach(() => {
  vi.useFakeTimers();
  sessionStorage.clear();
  removeHosts();
});
afterEach(() => {
  removeHosts();
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('findingsOf', () => {
  it('lists the problems, then the warnings, never the notices', () => {
    const v = verdict(
      'problems',
      true,
      [problem('ext.a'), problem('ext.b')],
      [anomaly('reports-blocked', 'notice'), anomaly('events-suppressed', 'warning')],
    );
    expect(findingsOf(v)).toEqual([
      ['ext.a', 'Title of ext.a'],
      ['ext.b', 'Title of ext.b'],
      ['events-suppressed', 'Title of events-suppressed'],
    ]);
    expect(findingsOf(null)).toEqual([]);
  });
});

describe('PopupController', () => {
  it('shows "observing" from the start in always mode, in a fixed host with an open shadow root styled by an adopted sheet', () => {
    popup('always').start();
    expect(status()).toBe(EN_POPUP_STRINGS.observing);
    expect(host()!.parentElement).toBe(document.documentElement);
    expect(host()!.style.position).toBe('fixed');
    expect(host()!.hasAttribute('style')).toBe(true);
    expect(root()!.adoptedStyleSheets).toHaveLength(1);
    // No <style> element of ours: a strict style-src sees nothing.
    expect(root()!.querySelector('style')).toBeNull();
    expect(box()!.getAttribute('aria-label')).toBe(EN_POPUP_STRINGS.label);
    expect(box()!.className).toBe('box observing');
    expect(root()!.querySelector('[role="status"]')!.getAttribute('aria-live')).toBe('polite');
    expect(root()!.querySelector('a')).toBeNull();
  });

  it('uses the stylesheet of styles.ts', () => {
    const replaceSync = vi.spyOn(CSSStyleSheet.prototype, 'replaceSync');
    popup();
    expect(replaceSync).toHaveBeenCalledWith(POPUP_CSS);
  });

  it('shows nothing until a problem in minimized mode', () => {
    const p = popup('minimized');
    p.start();
    expect(host()).toBeNull();
    p.update(verdict('observing', false));
    p.update(verdict('clean', true));
    expect(host()).toBeNull();
    p.update(verdict('problems', false, [problem('ext.a')]));
    expect(status()).toBe(EN_POPUP_STRINGS.problem);
  });

  it('names the problems and links the scan page, opening in a new tab', () => {
    const p = popup();
    p.start();
    p.update(
      verdict(
        'problems',
        false,
        [problem('ext.a'), problem('ext.b')],
        [anomaly('hidden-content', 'warning'), anomaly('reports-blocked', 'notice')],
      ),
    );
    expect(status()).toBe('Detected 3 problems');
    expect(items()).toEqual(['Title of ext.a', 'Title of ext.b', 'Title of hidden-content']);
    const link = root()!.querySelector('a')!;
    expect(link.getAttribute('href')).toBe(SCAN_URL);
    expect(link.getAttribute('target')).toBe('_blank');
    expect(link.getAttribute('rel')).toBe('noopener');
    expect(link.getAttribute('aria-label')).toBe('Learn more (opens in a new tab)');
    expect(link.textContent).toBe('Learn more');
    expect(box()!.className).toBe('box problems');
  });

  it('says "1 problem" for one', () => {
    const p = popup();
    p.update(verdict('problems', false, [problem('ext.a')]));
    expect(status()).toBe('Detected 1 problem');
  });

  it('renders titles from the server as text, never as markup', () => {
    const p = popup();
    const evil = '<img src=x onerror="alert(1)"><b>bold</b>';
    p.update(verdict('problems', true, [problem('ext.a', evil)]));
    expect(items()).toEqual([evil]);
    expect(root()!.querySelector('img')).toBeNull();
    expect(root()!.querySelector('b')).toBeNull();
  });

  it('speaks the language of the strings it was given', () => {
    const p = popup('always', POPUP_STRINGS.de);
    p.start();
    expect(status()).toBe('Browserverhalten wird beobachtet…');
    p.update(verdict('problems', false, [problem('a'), problem('b')]));
    expect(status()).toBe('2 Probleme gefunden');
    expect(root()!.querySelector('a')!.textContent).toBe('Mehr erfahren');
    expect(root()!.querySelector('a')!.getAttribute('aria-label')).toBe('Mehr erfahren (öffnet in einem neuen Tab)');
    expect(box()!.getAttribute('aria-label')).toBe('Browser-Sicherheitsprüfung');
    expect(closeButton().getAttribute('aria-label')).toBe('Schließen');
  });

  it('shows a final clean verdict for 4 s, fades it for 0.7 s, then removes it', () => {
    const p = popup();
    p.start();
    p.update(verdict('clean', true));
    expect(status()).toBe(EN_POPUP_STRINGS.clean);
    vi.advanceTimersByTime(3999);
    expect(box()!.className).toBe('box clean');
    vi.advanceTimersByTime(1);
    expect(box()!.className).toBe('box clean fading');
    vi.advanceTimersByTime(699);
    expect(host()).not.toBeNull();
    vi.advanceTimersByTime(1);
    expect(host()).toBeNull();
  });

  it('keeps a clean verdict that is not final, and one fade timer for repeated final ones', () => {
    const p = popup();
    p.update(verdict('clean', false));
    vi.advanceTimersByTime(10_000);
    expect(status()).toBe(EN_POPUP_STRINGS.clean);
    p.update(verdict('clean', true));
    vi.advanceTimersByTime(3000);
    p.update(verdict('clean', true));
    vi.advanceTimersByTime(1000);
    expect(box()!.className).toBe('box clean fading');
  });

  it('cancels the fade and shows itself again when a problem comes after a clean verdict', () => {
    const p = popup();
    p.update(verdict('clean', true));
    vi.advanceTimersByTime(4700);
    expect(host()).toBeNull();
    p.update(verdict('problems', false, [problem('ext.a')]));
    expect(box()!.className).toBe('box problems');
    vi.advanceTimersByTime(10_000);
    expect(box()!.className).toBe('box problems');
  });

  it('keeps a problem that comes while a clean verdict waits to fade', () => {
    const p = popup();
    p.update(verdict('clean', true));
    vi.advanceTimersByTime(2000);
    p.update(verdict('problems', false, [problem('ext.a')]));
    vi.advanceTimersByTime(10_000);
    expect(box()!.className).toBe('box problems');
  });

  it('does not start a second fade for a repeated final clean verdict', () => {
    const p = popup();
    p.update(verdict('clean', true));
    vi.advanceTimersByTime(3000);
    p.update(verdict('clean', true));
    vi.advanceTimersByTime(1800);
    expect(host()).toBeNull();
    p.update(verdict('problems', false, [problem('ext.a')]));
    vi.advanceTimersByTime(10_000);
    expect(box()!.className).toBe('box problems');
  });

  it('closes with its button and remembers it in the tab: the same problems and the routine states stay away', () => {
    const p = popup();
    p.update(verdict('problems', true, [problem('ext.a')], [anomaly('events-suppressed', 'warning')]));
    closeButton().click();
    expect(host()).toBeNull();
    expect(JSON.parse(sessionStorage.getItem('csp-observer:dismissed')!).sort()).toEqual(['*status', 'events-suppressed', 'ext.a']);

    // The next page view in this tab.
    removeHosts();
    const next = popup();
    next.start();
    expect(host()).toBeNull();
    next.update(verdict('problems', true, [problem('ext.a')]));
    expect(host()).toBeNull();
    // A problem not closed yet shows it again.
    next.update(verdict('problems', true, [problem('ext.a'), problem('ext.new')]));
    expect(items()).toEqual(['Title of ext.a', 'Title of ext.new']);
  });

  it('closes with Escape when the focus is inside', () => {
    const p = popup();
    p.start();
    box()!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(host()).toBeNull();
  });

  it('ignores other keys', () => {
    const p = popup();
    p.start();
    box()!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(host()).not.toBeNull();
  });

  it('closes for this page only when sessionStorage is off', () => {
    const denied = () => {
      throw new DOMException('denied', 'SecurityError');
    };
    vi.stubGlobal('sessionStorage', { getItem: denied, setItem: denied });
    const p = popup();
    p.start();
    expect(() => closeButton().click()).not.toThrow();
    expect(host()).toBeNull();
  });

  it('reads a corrupt dismissal record as none', () => {
    sessionStorage.setItem('csp-observer:dismissed', '{not json');
    popup().start();
    expect(status()).toBe(EN_POPUP_STRINGS.observing);
  });

  it('shows nothing where constructable stylesheets are missing', () => {
    vi.spyOn(CSSStyleSheet.prototype, 'replaceSync').mockImplementation(() => {
      throw new TypeError('Illegal constructor');
    });
    const p = popup();
    p.start();
    p.update(verdict('problems', true, [problem('ext.a')]));
    expect(host()).toBeNull();
  });

  it('puts its host back when the page removed it', () => {
    const p = popup();
    p.start();
    const first = host()!;
    first.remove();
    p.update(verdict('problems', false, [problem('ext.a')]));
    expect(host()).toBe(first);
  });
});

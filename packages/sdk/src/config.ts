import { EN_POPUP_STRINGS, mergePopupStrings, POPUP_MODES, type PopupMode, type PopupStrings } from '@csp-observer/core';

/** What the SDK needs to know: from its script tag's data attributes, or passed to `init()`. */
export interface SdkConfig {
  /** The session token minted by the server for this page view. */
  token: string;
  /** The mount prefix URL, e.g. `/csp` or `https://collector.example/csp`. */
  endpoint: string;
  /** `always` (default), `minimized` (shown only on a problem) or `off` (collect only). */
  popup: PopupMode;
  /** The popup's words: English unless given (the server sends the page's language in `data-strings`). */
  strings: PopupStrings;
  /** The nonce of the SDK's tag: elements carrying it are the site's own (the tripwire skips them). */
  nonce: string;
}

/** Options of `init()` for bundled apps; `token` and `endpoint` are required. */
export type SdkInit = Pick<SdkConfig, 'token' | 'endpoint'> &
  Partial<Omit<SdkConfig, 'token' | 'endpoint' | 'strings'>> & { strings?: Partial<PopupStrings> };

/** Fills in defaults; null without a token (nothing can be sent without one). */
export function resolveConfig(init: SdkInit): SdkConfig | null {
  if (!init || typeof init.token !== 'string' || !init.token) return null;
  const popup = POPUP_MODES.includes(init.popup as PopupMode) ? (init.popup as PopupMode) : 'always';
  return {
    token: init.token,
    endpoint: String(init.endpoint ?? '').replace(/\/$/, ''),
    popup,
    strings: mergePopupStrings(EN_POPUP_STRINGS, init.strings),
    nonce: init.nonce ?? '',
  };
}

/**
 * Reads `data-session`, `data-endpoint`, `data-popup` and `data-strings` (JSON) from the SDK's tag. The
 * endpoint defaults to the folder the script was loaded from (`/csp/sdk.js` -> `/csp`).
 */
export function configFromScript(script: HTMLScriptElement | null): SdkConfig | null {
  if (!script) return null;
  const data = script.dataset;
  return resolveConfig({
    token: data.session ?? '',
    endpoint: data.endpoint || script.src.replace(/\/sdk\.js(\?.*)?$/, ''),
    popup: data.popup as PopupMode,
    strings: parseStrings(data.strings),
    nonce: script.nonce,
  });
}

function parseStrings(json: string | undefined): Partial<PopupStrings> | undefined {
  try {
    return json ? (JSON.parse(json) as Partial<PopupStrings>) : undefined;
  } catch {
    return undefined;
  }
}

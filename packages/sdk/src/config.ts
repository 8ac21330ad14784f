/** What the SDK needs to know; read from its own script tag's data attributes. */
export interface SdkConfig {
  /** The session token minted by the server for this page view. */
  token: string;
  /** The mount prefix URL, e.g. `/csp` or `https://collector.example/csp`. */
  endpoint: string;
}

/**
 * Reads `data-session` and `data-endpoint` from the SDK's tag. The endpoint defaults to the
 * folder the script was loaded from (`/csp/sdk.js` -> `/csp`).
 */
export function configFromScript(script: HTMLScriptElement | null): SdkConfig | null {
  if (!script) return null;
  const token = script.dataset.session;
  if (!token) return null;
  const endpoint = (script.dataset.endpoint || script.src.replace(/\/sdk\.js(\?.*)?$/, '')).replace(/\/$/, '');
  return { token, endpoint };
}

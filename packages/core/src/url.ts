/**
 * Query strings and fragments of reported URLs often carry session ids, e-mail addresses or
 * password-reset tokens. These helpers drop them before a report is stored.
 */

/** `https://a.test/p?q=1#f` -> `https://a.test/p`; keywords such as `inline` pass unchanged. */
export function stripQuery(url: string): string {
  const at = url.search(/[?#]/);
  return at === -1 ? url : url.slice(0, at);
}

/**
 * An absolute URL with a query or fragment, also as JSON may escape it: `https:\/\/a.test\/p?q=1`
 * (PHP's json_encode and some proxies escape slashes), `\u003f` for `?`, `\u0026` in the query.
 * The query ends where the text or JSON string does: whitespace, a quote, `<`, `>`, or a backslash
 * that escapes anything but a slash or a harmless \u code.
 */
const URL_WITH_QUERY =
  /\b((?:https?|wss?|ftp):(?:\\?\/){2}(?:[^\s"'<>?#\\]|\\\/)*)(?:[?#]|\\u003f|\\u0023)(?:[^\s"'<>\\]|\\\/|\\u(?!00(?:22|27|3c|3e|5c))[0-9a-f]{4})*/gi;

/** Strips the query and fragment of every absolute URL inside a text (a raw JSON body, say). */
export function scrubUrls(text: string): string {
  return text.replace(URL_WITH_QUERY, '$1');
}

/** URL schemes of browser extensions: their reports come from the visitor's add-ons. */
export const EXTENSION_SCHEMES: readonly string[] = [
  'chrome-extension',
  'moz-extension',
  'safari-extension',
  'safari-web-extension',
  'ms-browser-extension',
  'extension',
];

/** Whether a blocked URI or source file points into a browser extension. */
export function isExtensionUrl(value: string): boolean {
  const colon = value.indexOf(':');
  const scheme = (colon === -1 ? value : value.slice(0, colon)).trim().toLowerCase();
  return EXTENSION_SCHEMES.includes(scheme);
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443', ws: '80', wss: '443' };
/** `scheme://authority` followed by the end or a path, query or fragment; the port is captured. */
const URL_WITH_PORT = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*?):(\d+)(?=[/?#]|$)/i;

/**
 * The URL without its scheme's default port: `https://a.test:443/x` -> `https://a.test/x`, as
 * the URL standard serializes it. WebKit's events on HTTPS pages (and its Reporting API bodies)
 * carry the port, its report-uri bodies do not; rules and pairing need one spelling.
 * Keywords (`inline`, `eval`) and other ports pass unchanged.
 */
export function withoutDefaultPort(url: string): string {
  const match = URL_WITH_PORT.exec(url);
  if (!match) return url;
  const [whole, scheme, host, port] = match;
  if (DEFAULT_PORTS[scheme!.toLowerCase()] !== port!.replace(/^0+(?=\d)/, '')) return url;
  return `${scheme}://${host}${url.slice(whole.length)}`;
}

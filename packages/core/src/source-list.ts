/**
 * Whether a CSP source list allows loading a URL, as browsers decide it (CSP Level 3 "Does url
 * match expression in origin with redirect count"), for the tripwire and the policy assistant.
 * Nonces, hashes and 'strict-dynamic' are about elements, not URLs: callers handle them.
 */
/** The parts of a parsed URL the match needs: a WHATWG `URL` has them (core has no URL global). */
export interface UrlParts {
  protocol: string;
  host: string;
  hostname: string;
  port: string;
  pathname: string;
}

export function sourceListAllows(sources: readonly string[], url: UrlParts, self: UrlParts): boolean {
  return sources.some((source) => expressionAllows(source.toLowerCase(), url, self));
}

const SCHEME_SOURCE = /^([a-z][a-z0-9+.-]*):$/;
const HOST_SOURCE = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\*|\*\.[a-z0-9.-]+|[a-z0-9.-]+)(?::(\*|\d+))?(\/[^?#]*)?$/;

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443', 'ftp:': '21' };
const portOf = (url: UrlParts) => url.port || DEFAULT_PORTS[url.protocol] || '';

/** http: allows https:, ws: allows wss: (the upgrade rule). */
function schemeAllows(expected: string, actual: string): boolean {
  if (expected === actual) return true;
  return (expected === 'http:' && actual === 'https:') || (expected === 'ws:' && (actual === 'wss:' || actual === 'https:'));
}

function expressionAllows(source: string, url: UrlParts, self: UrlParts): boolean {
  if (source === '*') return /^(https?|wss?|ftp):$/.test(url.protocol) || url.protocol === self.protocol;
  if (source === "'self'") {
    return url.host === self.host && (url.protocol === self.protocol || schemeAllows(self.protocol, url.protocol));
  }
  const scheme = SCHEME_SOURCE.exec(source);
  if (scheme) return schemeAllows(`${scheme[1]}:`, url.protocol);
  const host = HOST_SOURCE.exec(source);
  if (!host || source.startsWith("'")) return false;
  const [, hostScheme, hostPart, port, path] = host;
  if (hostScheme ? !schemeAllows(`${hostScheme}:`, url.protocol) : !schemeAllows(self.protocol, url.protocol)) return false;
  const name = url.hostname.toLowerCase();
  if (hostPart === '*') {
    // A bare * host matches any host.
  } else if (hostPart!.startsWith('*.')) {
    if (!name.endsWith(hostPart!.slice(1))) return false;
  } else if (name !== hostPart) return false;
  if (port !== '*') {
    const expected = port ?? DEFAULT_PORTS[hostScheme ? `${hostScheme}:` : url.protocol] ?? '';
    if (
      portOf(url) !== expected &&
      !(
        port === undefined &&
        schemeAllows(hostScheme ? `${hostScheme}:` : self.protocol, url.protocol) &&
        portOf(url) === DEFAULT_PORTS[url.protocol]
      )
    )
      return false;
  }
  if (path && path !== '/') {
    let actual = url.pathname;
    try {
      actual = decodeURIComponent(actual);
    } catch {
      // A malformed escape: compare as written.
    }
    return path.endsWith('/') ? actual.startsWith(path) : actual === path;
  }
  return true;
}

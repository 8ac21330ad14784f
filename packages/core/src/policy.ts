import { didYouMean } from './did-you-mean.js';
import { KNOWN_DIRECTIVES } from './directives.js';

/** A policy as directive name -> source expressions, in the order they are written. */
export type Policy = Record<string, readonly string[]>;

/** Raised for a policy that cannot be sent as a header. */
export class PolicyError extends Error {
  override name = 'PolicyError';
}

// RFC 9110 token characters minus what CSP uses as separators; a source expression may not
// contain whitespace, `;` or `,` (a comma would start a second policy).
const SOURCE_EXPRESSION = /^[^\s;,]+$/;
const DIRECTIVE_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * Checks a policy object and returns a normalized copy (lower-case names, no duplicate
 * sources). Throws a PolicyError naming the directive at fault: an unknown directive (with the
 * closest known name), a keyword without its quotes (`self` is a host named "self" to a
 * browser), a source that is no CSP source expression, a value a directive does not take.
 */
export function validatePolicy(policy: Policy, { allowUnknown = false } = {}): Policy {
  if (policy === null || typeof policy !== 'object' || Array.isArray(policy)) {
    throw new PolicyError('Content-Security-Policy must be an object of directive -> sources');
  }
  const out: Record<string, string[]> = {};
  for (const [rawName, sources] of Object.entries(policy)) {
    const name = rawName.toLowerCase();
    if (!DIRECTIVE_NAME.test(name)) {
      throw new PolicyError(`Content-Security-Policy has an invalid directive name "${rawName}"${didYouMean(rawName, KNOWN_DIRECTIVES)}`);
    }
    if (!allowUnknown && !KNOWN_DIRECTIVES.has(name)) {
      throw new PolicyError(`Content-Security-Policy has an unknown directive "${rawName}"${didYouMean(name, KNOWN_DIRECTIVES)}`);
    }
    if (name in out) {
      throw new PolicyError(`Content-Security-Policy received a duplicate directive "${rawName}"`);
    }
    if (!Array.isArray(sources)) {
      throw new PolicyError(`Content-Security-Policy directive "${rawName}" must be an array of sources`);
    }
    const unique: string[] = [];
    for (const source of sources) {
      if (typeof source !== 'string' || !SOURCE_EXPRESSION.test(source)) {
        throw new PolicyError(`Content-Security-Policy directive "${rawName}" has an invalid source ${JSON.stringify(source)}`);
      }
      const problem = valueProblem(name, source);
      if (problem) throw new PolicyError(`Content-Security-Policy directive "${rawName}": ${problem}`);
      if (!unique.includes(source)) unique.push(source);
    }
    if (takesSourceList(name) && unique.length > 1 && unique.some((s) => s.toLowerCase() === "'none'")) {
      throw new PolicyError(
        `Content-Security-Policy directive "${rawName}": 'none' cannot stand beside other sources (browsers ignore it then); keep one or the other`,
      );
    }
    out[name] = unique;
  }
  return out;
}

/** The keywords of CSP Level 3 source lists, quoted as they must be written. */
const KEYWORDS = [
  "'self'",
  "'none'",
  "'unsafe-inline'",
  "'unsafe-eval'",
  "'strict-dynamic'",
  "'unsafe-hashes'",
  "'report-sample'",
  "'unsafe-allow-redirects'",
  "'wasm-unsafe-eval'",
  "'inline-speculation-rules'",
  "'trusted-types-eval'",
];
const NONCE_OR_HASH = /^'(?:nonce|sha256|sha384|sha512)-[A-Za-z0-9+/_-]+={0,2}'$/i;
const SCHEME_SOURCE = /^[a-z][a-z0-9+.-]*:$/i;
const HOST_SOURCE = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:\*|(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::(?:\*|\d{1,5}))?(?:\/[^\s;,']*)?$/i;

/**
 * Whether a directive's value is a source list (fetch directives and the document/navigation
 * ones). A function and plain arrays here, no Set built at load: the SDK bundles this module,
 * and a call run at load cannot be tree-shaken out of it (its 10 KiB budget).
 */
function takesSourceList(name: string): boolean {
  return name.endsWith('-src') || name === 'base-uri' || name === 'form-action' || name === 'frame-ancestors' || name === 'navigate-to';
}
const SANDBOX_TOKENS = [
  'allow-downloads',
  'allow-forms',
  'allow-modals',
  'allow-orientation-lock',
  'allow-pointer-lock',
  'allow-popups',
  'allow-popups-to-escape-sandbox',
  'allow-presentation',
  'allow-same-origin',
  'allow-scripts',
  'allow-storage-access-by-user-activation',
  'allow-top-navigation',
  'allow-top-navigation-by-user-activation',
  'allow-top-navigation-to-custom-protocols',
];
const VALUELESS = ['upgrade-insecure-requests', 'block-all-mixed-content'];

/** What is wrong with one value of a directive, or null. */
function valueProblem(directive: string, source: string): string | null {
  if (VALUELESS.includes(directive)) return `takes no value, got ${JSON.stringify(source)}`;
  if (directive === 'sandbox') {
    return SANDBOX_TOKENS.includes(source.toLowerCase())
      ? null
      : `${JSON.stringify(source)} is not a sandbox flag${didYouMean(source, SANDBOX_TOKENS)}`;
  }
  if (directive === 'require-trusted-types-for') {
    return source === "'script'" ? null : `takes only 'script', got ${JSON.stringify(source)}`;
  }
  if (!takesSourceList(directive)) return null;
  const lower = source.toLowerCase();
  if (KEYWORDS.includes(`'${lower}'`)) return `the keyword ${source} must be quoted: write "'${lower}'"`;
  if (lower.startsWith("'") || lower.endsWith("'")) {
    if (KEYWORDS.includes(lower) || NONCE_OR_HASH.test(source)) return null;
    if (/^'(?:nonce|sha\d+)-/.test(lower)) {
      return `${JSON.stringify(source)} is not a nonce or hash source: 'nonce-<base64>' or 'sha256-<base64>' (also sha384, sha512)`;
    }
    return `${JSON.stringify(source)} is not a CSP keyword${didYouMean(lower, KEYWORDS)}`;
  }
  if (source === '*' || SCHEME_SOURCE.test(source) || HOST_SOURCE.test(source)) return null;
  return `${JSON.stringify(source)} is not a source expression: a host like https://cdn.example or *.example.com, a scheme like https:, a quoted keyword like 'self', a nonce or a hash`;
}

/** Serializes a policy to a header value: `name source source; name ...`. */
export function serializePolicy(policy: Policy): string {
  return Object.entries(policy)
    .map(([name, sources]) => (sources.length ? `${name} ${sources.join(' ')}` : name))
    .join('; ');
}

/**
 * Parses a serialized policy (one policy: the part before any comma). Later duplicates of a
 * directive are ignored, as browsers do.
 */
export function parsePolicy(header: string): Policy {
  const out: Record<string, string[]> = {};
  const first = header.split(',')[0] ?? '';
  for (const part of first.split(';')) {
    const tokens = part.trim().split(/\s+/).filter(Boolean);
    const [rawName, ...sources] = tokens;
    if (!rawName) continue;
    const name = rawName.toLowerCase();
    if (!(name in out)) out[name] = sources;
  }
  return out;
}

/** Returns a copy of the policy with `sources` appended to `directive` (created if absent). */
export function withSources(policy: Policy, directive: string, sources: readonly string[]): Policy {
  const current = policy[directive] ?? [];
  const merged = [...current];
  for (const source of sources) if (!merged.includes(source)) merged.push(source);
  return { ...policy, [directive]: merged };
}

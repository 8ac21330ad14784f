import { baseDirective } from './directives.js';
import { withSources, type Policy } from './policy.js';
import { isExtensionUrl } from './url.js';

/**
 * The policy assistant: weak points of a policy, and the allowlist changes that would remove a
 * site's own legitimate violations. Pure functions over a policy and counted violations; the
 * server gathers the counts.
 */

export type WeaknessSeverity = 'high' | 'medium' | 'low';

export interface PolicyWeakness {
  /** Stable identifier, for tests and translations. */
  code: string;
  severity: WeaknessSeverity;
  directive: string;
  message: string;
}

/** Violations of one directive and blocked value, counted over a period. */
export interface ViolationCount {
  effectiveDirective: string;
  blockedUri: string;
  count: number;
  /** Page views (sessions) it was seen in; reports without a session count one each. */
  sessions: number;
  /** A few pages it was seen on. */
  pages: readonly string[];
}

export interface AllowlistProposal {
  /** `add`: append `source` to `directive`; `advice`: no source would be right, read `message`. */
  action: 'add' | 'advice';
  directive: string;
  source: string;
  count: number;
  sessions: number;
  pages: string[];
  message: string;
  /** Seen in a single page view: perhaps one visitor's software rather than the site. */
  lowConfidence: boolean;
}

export interface PolicyAdvice {
  weaknesses: PolicyWeakness[];
  proposals: AllowlistProposal[];
  /** The policy with every `add` proposal applied (directives inherit default-src first). */
  proposed: Policy;
}

/** 128 bits, base64: the least a nonce should carry. */
const MIN_NONCE_CHARS = 22;
const NONCE = /^'nonce-(.*)'$/i;
const HASH = /^'sha(256|384|512)-/i;
/** Stands for the per-response nonce in a policy shown or analysed outside a response. */
export const NONCE_PLACEHOLDER = "'nonce-…'";

const lower = (sources: readonly string[] | undefined) => (sources ?? []).map((s) => s.toLowerCase());

/** The sources that govern scripts: script-src, else default-src; null when neither is set. */
function scriptSources(policy: Policy): { directive: string; sources: string[] } | null {
  if (policy['script-src']) return { directive: 'script-src', sources: lower(policy['script-src']) };
  if (policy['default-src']) return { directive: 'default-src', sources: lower(policy['default-src']) };
  return null;
}

/** Weak points of a policy, most severe first. */
export function policyWeaknesses(policy: Policy): PolicyWeakness[] {
  const found: PolicyWeakness[] = [];
  const add = (severity: WeaknessSeverity, code: string, directive: string, message: string) =>
    found.push({ severity, code, directive, message });
  const script = scriptSources(policy);
  if (!script) {
    add('high', 'no-script-policy', 'script-src', 'Neither script-src nor default-src is set: any script from anywhere may run.');
  } else {
    const { directive, sources } = script;
    const hasNonceOrHash = sources.some((s) => NONCE.test(s) || HASH.test(s));
    if (sources.includes("'unsafe-inline'") && !hasNonceOrHash) {
      add(
        'high',
        'unsafe-inline',
        directive,
        `${directive} allows 'unsafe-inline' without a nonce or hash: any injected inline script runs. Use nonces (nonces.script) and drop 'unsafe-inline'.`,
      );
    }
    if (sources.includes("'unsafe-eval'")) {
      add(
        'medium',
        'unsafe-eval',
        directive,
        `${directive} allows 'unsafe-eval': injected code can run strings through eval() and new Function().`,
      );
    }
    for (const source of sources) {
      if (source === '*') add('high', 'wildcard', directive, `${directive} allows * : scripts from any host.`);
      else if (source === 'http:' || source === 'https:')
        add('high', 'scheme-wildcard', directive, `${directive} allows ${source} : scripts from any host over ${source.slice(0, -1)}.`);
      else if (source === 'data:' || source === 'blob:')
        add('high', 'data-scripts', directive, `${directive} allows ${source} : an injected ${source} URL runs as a script.`);
      else if (/^(?:[a-z][a-z0-9+.-]*:\/\/)?\*\./.test(source))
        add(
          'medium',
          'host-wildcard',
          directive,
          `${directive} allows ${source}: every subdomain may serve scripts, including ones you do not control.`,
        );
      else if (source.startsWith('http://'))
        add(
          'medium',
          'insecure-host',
          directive,
          `${directive} allows ${source} over plain http: anyone on the network path can replace those scripts.`,
        );
    }
    for (const source of sources) {
      const nonce = NONCE.exec(source);
      if (nonce && source !== NONCE_PLACEHOLDER && (nonce[1] ?? '').length < MIN_NONCE_CHARS) {
        add(
          'high',
          'short-nonce',
          directive,
          `${directive} has a nonce of ${(nonce[1] ?? '').length} characters: a nonce needs at least 128 bits (${MIN_NONCE_CHARS} base64 characters) and must change on every response.`,
        );
      }
    }
    if (!sources.includes("'report-sample'")) {
      add(
        'low',
        'no-report-sample',
        directive,
        `${directive} lacks 'report-sample': reports carry no sample of the blocked code, so rules and the canary cannot use it.`,
      );
    }
  }
  const objectSources = lower(policy['object-src'] ?? policy['default-src']);
  if (!policy['object-src'] && !(objectSources.length === 1 && objectSources[0] === "'none'")) {
    add(
      'medium',
      'missing-object-src',
      'object-src',
      "object-src is not set: plugins (<object>, <embed>) fall back to default-src. Set object-src 'none'.",
    );
  }
  if (!policy['base-uri']) {
    add(
      'medium',
      'missing-base-uri',
      'base-uri',
      "base-uri is not set (it has no fallback): an injected <base> tag can redirect the page's relative script URLs. Set base-uri 'none' or 'self'.",
    );
  }
  const style = lower(policy['style-src'] ?? policy['default-src']);
  if (style.includes("'unsafe-inline'") && !style.some((s) => NONCE.test(s) || HASH.test(s))) {
    add(
      'low',
      'style-unsafe-inline',
      policy['style-src'] ? 'style-src' : 'default-src',
      "styles allow 'unsafe-inline': injected styles can restyle or hide parts of the page.",
    );
  }
  const rank: Record<WeaknessSeverity, number> = { high: 0, medium: 1, low: 2 };
  return found.sort((a, b) => rank[a.severity] - rank[b.severity]);
}

/** The directive in force for a violation: the specific one if set, else its base directive. */
function targetDirective(policy: Policy, effective: string): string {
  const name = effective.toLowerCase();
  if (policy[name]) return name;
  return baseDirective(name);
}

const SCRIPT_DIRECTIVES = new Set(['script-src', 'default-src', 'worker-src']);

/** What to add for one blocked value, or advice when adding would weaken the policy. */
function sourceFor(blocked: string, directive: string): { action: 'add' | 'advice'; source: string; message: string } | null {
  const value = blocked.trim();
  const lowerValue = value.toLowerCase();
  const scripts = SCRIPT_DIRECTIVES.has(directive);
  if (!value || lowerValue === 'self' || isExtensionUrl(value)) return null;
  if (lowerValue === 'inline') {
    return {
      action: 'advice',
      source: "'unsafe-inline'",
      message: `Inline ${directive === 'style-src' ? 'styles' : 'code'} of the site: give the tags this response's nonce (the nonces option does it for tags in the HTML) or a hash, rather than allowing 'unsafe-inline'.`,
    };
  }
  if (lowerValue === 'eval' || lowerValue === 'wasm-eval') {
    return {
      action: 'advice',
      source: lowerValue === 'eval' ? "'unsafe-eval'" : "'wasm-unsafe-eval'",
      message: `Code on the page calls ${lowerValue === 'eval' ? 'eval() or new Function()' : 'WebAssembly compilation'}: change that code if you can; allowing it lets injected code do the same.`,
    };
  }
  if (lowerValue.startsWith('trusted-types')) {
    return {
      action: 'advice',
      source: '',
      message: 'A Trusted Types violation: route the DOM write through a policy rather than loosening the CSP.',
    };
  }
  if (/^(data|blob|mediastream|filesystem)$/.test(lowerValue) || /^(data|blob):/.test(lowerValue)) {
    const scheme = `${lowerValue.split(':')[0]}:`;
    if (scripts)
      return {
        action: 'advice',
        source: scheme,
        message: `Scripts from ${scheme} URLs: load them from a file instead; allowing ${scheme} in ${directive} lets injected scripts run.`,
      };
    return { action: 'add', source: scheme, message: `Allow ${scheme} URLs in ${directive}.` };
  }
  const url = /^(https?|wss?):\/\/([^/?#\s]+)/i.exec(value);
  if (url) {
    const origin = `${(url[1] ?? '').toLowerCase()}://${(url[2] ?? '').toLowerCase()}`;
    const insecure = /^(http|ws):/.test(origin);
    return {
      action: 'add',
      source: origin,
      message:
        insecure && scripts
          ? `Allow ${origin} — better load it over https and allow the https origin instead.`
          : `Allow ${origin} in ${directive}.`,
    };
  }
  return null;
}

/**
 * The allowlist changes that would remove the given violations: the caller passes only the
 * violations no rule explains (never the ones rules attribute to extensions or malware).
 */
export function proposeAllowlist(
  policy: Policy,
  violations: readonly ViolationCount[],
): { proposals: AllowlistProposal[]; proposed: Policy } {
  const byKey = new Map<string, AllowlistProposal>();
  for (const v of violations) {
    const directive = targetDirective(policy, v.effectiveDirective);
    if (!directive) continue;
    const suggestion = sourceFor(v.blockedUri, directive);
    if (!suggestion) continue;
    const key = `${suggestion.action}\u0000${directive}\u0000${suggestion.source}`;
    const known = byKey.get(key);
    if (known) {
      known.count += v.count;
      known.sessions += v.sessions;
      for (const page of v.pages) if (known.pages.length < 5 && !known.pages.includes(page)) known.pages.push(page);
    } else {
      byKey.set(key, { ...suggestion, directive, count: v.count, sessions: v.sessions, pages: v.pages.slice(0, 5), lowConfidence: false });
    }
  }
  const proposals = [...byKey.values()]
    .map((p) => ({ ...p, lowConfidence: p.sessions < 2 }))
    .sort((a, b) => (a.action === b.action ? b.count - a.count : a.action === 'add' ? -1 : 1));
  let proposed: Policy = { ...policy };
  for (const p of proposals) {
    if (p.action !== 'add') continue;
    const inherited = proposed[p.directive] ?? proposed['default-src'] ?? [];
    proposed = withSources({ ...proposed, [p.directive]: inherited }, p.directive, [p.source]);
  }
  return { proposals, proposed };
}

/** Both halves of the assistant for one policy and its unexplained violations. */
export function advisePolicy(policy: Policy, violations: readonly ViolationCount[]): PolicyAdvice {
  return { weaknesses: policyWeaknesses(policy), ...proposeAllowlist(policy, violations) };
}

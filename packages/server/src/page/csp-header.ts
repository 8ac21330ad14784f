import { NONCE_PLACEHOLDER, serializePolicy, withSources, type Policy } from '@csp-observer/core';
import type { ResolvedOptions } from '../options/options.js';

/** Stands for the per-response nonce in the precomputed header. */
const NONCE_MARK = '\u0000nonce\u0000';

/**
 * Adds `sources` to a fetch directive. When the directive is absent it starts from
 * default-src's sources, so that adding a nonce never loosens or tightens what the site's own
 * policy meant for the directive.
 */
function extend(policy: Policy, directive: 'script-src' | 'style-src', sources: string[]): Policy {
  if (sources.length === 0) return policy;
  const inherited = policy[directive] ?? policy['default-src'];
  const base = inherited ? { ...policy, [directive]: inherited } : policy;
  return withSources(base, directive, sources);
}

/**
 * The policy as sent: the site's, plus the nonce (`nonce` stands for it) and 'report-sample'
 * in script-src and style-src as the options ask.
 */
export function sentPolicy(options: ResolvedOptions, nonce = NONCE_PLACEHOLDER): Policy {
  const sample = options.page.reportSample ? ["'report-sample'"] : [];
  const policy = extend(options.page.policy, 'script-src', [...(options.page.nonces.script ? [nonce] : []), ...sample]);
  const sent = extend(policy, 'style-src', [...(options.page.nonces.style ? [nonce] : []), ...sample]);
  return options.remote ? allowCollector(sent, options.remote.origin, options.page.injectSdk) : sent;
}

/**
 * A site reporting to a collector on another origin: the SDK's events and verdict requests
 * need the collector in connect-src (a cross-origin beacon is otherwise blocked), and its
 * script tag in script-src. A directive that restricts nothing (absent, no default-src) is left so.
 */
function allowCollector(policy: Policy, origin: string, sdkTag: boolean): Policy {
  let allowed = policy;
  for (const directive of sdkTag ? (['connect-src', 'script-src'] as const) : (['connect-src'] as const)) {
    const sources = allowed[directive] ?? allowed['default-src'];
    if (sources && !sources.includes('*') && !sources.includes(origin))
      allowed = withSources({ ...allowed, [directive]: sources }, directive, [origin]);
  }
  return allowed;
}

/** The header name and a function that renders its value for one response. */
export interface CspHeaderBuilder {
  name: 'Content-Security-Policy' | 'Content-Security-Policy-Report-Only';
  /** With `reportTo`, the policy also names the `csp-endpoint` of `Reporting-Endpoints`. */
  value(nonce: string, token: string, reportTo?: boolean): string;
}

/** The Reporting-Endpoints group the policy's report-to names. */
export const REPORTING_GROUP = 'csp-endpoint';

/**
 * Precomputes the static part of the policy once, when the middleware is built; a response
 * only substitutes its nonce and session token.
 */
export function cspHeaderBuilder(options: ResolvedOptions): CspHeaderBuilder {
  const [first, ...rest] = serializePolicy(sentPolicy(options, `'nonce-${NONCE_MARK}'`)).split(NONCE_MARK) as [string, ...string[]];
  const reportUri = `; report-uri ${options.endpoint}/report/`;
  return {
    name: options.page.reportOnly ? 'Content-Security-Policy-Report-Only' : 'Content-Security-Policy',
    value: (nonceValue, token, reportTo = false) => {
      let value = first;
      for (const part of rest) value += nonceValue + part;
      return value + reportUri + token + (reportTo ? `; report-to ${REPORTING_GROUP}` : '');
    },
  };
}

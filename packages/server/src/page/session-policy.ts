import type { Policy } from '@csp-observer/core';
import type { ResolvedOptions } from '../options/options.js';
import { sentPolicy } from './csp-header.js';
import type { SessionPolicy } from '../session/session-token.js';

/**
 * Whether the canary can work under a policy: the directive that governs eval (script-src, or
 * default-src without it) must forbid it (no 'unsafe-eval') and ask for samples
 * ('report-sample'), or neither the event nor the report would name the canary.
 */
export function canaryApplies(policy: Policy): boolean {
  const sources = policy['script-src'] ?? policy['default-src'];
  if (!sources) return false;
  const lower = sources.map((source) => source.toLowerCase());
  return !lower.includes("'unsafe-eval'") && lower.includes("'report-sample'");
}

/**
 * What the policy these options send lets a page view's verdict expect: the server's own
 * verdicts start from it, and a site in remote mode carries it to the collector in its tokens.
 */
export function sessionPolicyOf(options: ResolvedOptions): SessionPolicy {
  return { canary: canaryApplies(sentPolicy(options)), reportingApi: options.page.reportingApi };
}

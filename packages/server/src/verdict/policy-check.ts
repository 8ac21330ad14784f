import type { Policy } from '@csp-observer/core';

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

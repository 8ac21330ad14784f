/**
 * The `report_type` values csp-observer stores besides the browsers' own (`csp-violation`,
 * `deprecation`, ...): evidence for verdicts that is not a violation of the site's policy.
 */

/** The SDK's canary violation (recognized by its sample on every channel). */
export const CANARY_TYPE = 'csp-canary';

/** An element the SDK's tripwire found: forbidden by the policy, ran, never reported. */
export const HIDDEN_ELEMENT_TYPE = 'hidden-element';

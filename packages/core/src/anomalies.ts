/**
 * The anomalies a session can show, each with the words a visitor reads. Kept in one place so
 * that they can be translated.
 */

export type AnomalyKind = 'policy-not-enforced' | 'reports-blocked' | 'events-suppressed' | 'hidden-content';

export interface AnomalyText {
  title: string;
  description: string;
}

/**
 * A `warning` is a sign of tampering: the page view's status is `problems`. A `notice` is
 * something the visitor may well have chosen (a privacy tool that blocks reports): it is said,
 * calmly, on the scan page and in the dashboard, and the status stays `clean`.
 */
export type AnomalySeverity = 'warning' | 'notice';

export const ANOMALY_SEVERITY: Readonly<Record<AnomalyKind, AnomalySeverity>> = {
  'policy-not-enforced': 'warning',
  // Privacy tools do this on purpose, and many visitors run one: uBlock Origin blocks CSP reports
  // by default in Firefox, Brave sends none when a page asks for the Reporting API, hardened
  // Firefox profiles turn reporting off (docs/engines.md has the sources).
  'reports-blocked': 'notice',
  'events-suppressed': 'warning',
  'hidden-content': 'warning',
};

export const ANOMALY_TEXT: Record<AnomalyKind, AnomalyText> = {
  'policy-not-enforced': {
    title: "The site's security policy did not reach your browser",
    description:
      'This page sends a Content Security Policy, but your browser did not apply it: a test that the policy always catches went through unnoticed. ' +
      'Something between the site and your browser (a proxy, a security product that inspects encrypted traffic, an extension or malware) removed or rewrote it, ' +
      'and the page is open to injected scripts. Try another network, turn off extensions that modify pages, and if it persists, scan your device for malware.',
  },
  'reports-blocked': {
    title: 'Your browser did not send the site its own security reports',
    description:
      "The page saw the test it runs on purpose, but your browser's own report of it never reached the site. " +
      'Privacy tools often hold these reports back on purpose: Brave, uBlock Origin (by default in Firefox), other ad blockers and hardened browser settings. ' +
      'That is harmless: the site only learns less about what happens on its pages. ' +
      'If you use none of these, a firewall, a proxy or an extension is filtering what your browser sends.',
  },
  'events-suppressed': {
    title: 'Something on this page hides security events',
    description:
      "A script that ran before the page's own code intercepted the browser's security-violation events, so the page could not see them. " +
      'Extensions and malware do this to hide the content they inject. Check your extensions and remove the ones you do not trust.',
  },
  'hidden-content': {
    title: 'Content appeared that the security policy should have reported',
    description:
      "Elements that this site's policy forbids were added to the page and ran, yet no violation was reported for them. " +
      'Some extensions and malware inject content in ways that bypass the policy. Check your extensions and scan your device for malware.',
  },
};

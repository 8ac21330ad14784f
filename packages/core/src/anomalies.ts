/**
 * The anomalies a session can show, each with the words a visitor reads. Kept in one place so
 * that they can be translated.
 */

export type AnomalyKind = 'policy-not-enforced' | 'reports-blocked' | 'events-suppressed' | 'hidden-content';

export interface AnomalyText {
  title: string;
  description: string;
}

export const ANOMALY_TEXT: Record<AnomalyKind, AnomalyText> = {
  'policy-not-enforced': {
    title: "The site's security policy did not reach your browser",
    description:
      'This page sends a Content Security Policy, but your browser did not apply it: a test that the policy always catches went through unnoticed. ' +
      'Something between the site and your browser (a proxy, a security product that inspects encrypted traffic, an extension or malware) removed or rewrote it, ' +
      'and the page is open to injected scripts. Try another network, turn off extensions that modify pages, and if it persists, scan your device for malware.',
  },
  'reports-blocked': {
    title: "Your browser's security reports are being blocked",
    description:
      "The page saw a test violation, but your browser's own report of it never reached the site. " +
      'An ad or privacy blocker, a firewall or a proxy may be blocking those requests, which also hides other problems from the site. ' +
      'If you use such a blocker on purpose this is harmless; otherwise an extension or malware may be hiding what it does.',
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

import type { ResolvedOptions } from '../options/options.js';

/**
 * The default text of `{prefix}/privacy`, in markdown, stating what this configuration really
 * does. A site owner replaces it with the `privacyText` option.
 */
export function defaultPrivacyText(options: Pick<ResolvedOptions, 'storage' | 'ingest' | 'visitor'>): string {
  const days = options.storage.sessionKeepDays;
  const lines = [
    '# Privacy: the browser security check',
    '',
    'This site checks whether something in your browser (an extension, adware, malware or a',
    'tampered browser) changes its pages. For that, your browser reports to this site the content',
    'that the site’s security policy blocked.',
    '',
    '## What is collected',
    '',
    `- The address of the page you viewed${options.ingest.stripQuery ? ', without its query string or fragment' : ''}.`,
    '- For each blocked item: which rule of the policy blocked it, its address (for example a script’s',
    '  URL), the file and line that tried to load it, and up to 40 characters of blocked code.',
    '- Your browser’s user agent string (its name and version).',
    '- Your IP address, **anonymized** before it is stored: the last two bytes of an IPv4 address and',
    '  all but the first 48 bits of an IPv6 address are removed.',
    '',
    'No cookie is set, and nothing is tied to who you are: each page view gets a random identifier.',
    '',
    '## How long',
    '',
    `Reports and page views are kept for **${days} day${days === 1 ? '' : 's'}**, then deleted.`,
    '',
    '## Sharing',
    '',
    options.visitor.dataSharingUrl
      ? 'Nothing is shared with anyone unless you choose to on the check’s report page, where the exact data is shown first. It then goes to the maintainers of the detection rules.'
      : 'The data is not shared with anyone.',
  ];
  return lines.join('\n');
}

import type { Cause, Rule, UnexplainedViolation, Verdict } from '@csp-observer/core';
import type { StoredSession } from '../report/report-record.js';
import { escapeHtml } from '../http/html-page.js';
import { renderMarkdown } from './markdown.js';

/** The visitor-facing words of the scan page, in one place for translation. */
export const SCAN_TEXT = {
  title: 'Browser security check',
  observing: 'This page view is still being observed. This page refreshes by itself until the check is complete.',
  clean: 'No problems were detected while you viewed this page.',
  problems: (n: number) => `Detected ${n} problem${n === 1 ? '' : 's'} in your browser while you viewed this page.`,
  page: 'Page',
  checked: 'Checked',
  problemsHeading: 'Problems',
  anomaliesHeading: 'Signs of tampering',
  noticesHeading: 'Good to know',
  unexplainedHeading: 'Other blocked content',
  unexplainedIntro:
    'The site’s security policy blocked these, and no known rule explains them. Most are harmless (often the site’s own content); an unusual one may be a new extension or malware.',
  times: (n: number) => (n === 1 ? 'once' : `${n} times`),
  references: 'References',
  directive: 'Rule of the policy',
  blocked: 'Blocked',
  source: 'From',
  sample: 'Sample',
  count: 'Seen',
  sharingHeading: 'Help improve the detection',
  sharingIntro:
    'You can send the data below to the maintainers of the detection rules, so that they can recognize what no rule explains yet. Nothing is sent unless you click the button; exactly this text is sent, nothing else.',
  shareButton: 'Share this data',
  shared: (at: string) => `You shared this data on ${at}. Thank you.`,
  nothingToShare: 'There is nothing to share for this page view.',
  messages: {
    ok: 'Thank you: the data was shared.',
    failed:
      'Sharing failed: the receiving service could not be reached or refused the data. Nothing was recorded; you may try again later.',
    already: 'This data was already shared.',
    changed: 'The data changed while you were reading it (more reports arrived). Please review it again before sharing.',
    nothing: 'There is nothing to share for this page view.',
  },
  privacy: 'Privacy',
} as const;

export type ShareMessage = keyof typeof SCAN_TEXT.messages;

const CAUSE_TEXT: Record<Cause, string> = {
  extension: 'Browser extension',
  browser: 'Browser',
  malware: 'Malware or adware',
  other: 'Other',
};

export interface ScanPageModel {
  prefix: string;
  token: string;
  verdict: Verdict;
  unexplained: readonly UnexplainedViolation[];
  session: StoredSession | null;
  rule: (id: string) => Rule | undefined;
  /** Present when the site set `dataSharingUrl`. */
  sharing: null | {
    /** The exact JSON that would be sent, or null when there is nothing to share. */
    text: string | null;
    digest: string | null;
    sharedAt: number | null;
    message: ShareMessage | null;
  };
}

const MAX_LISTED = 100;

/** The body of `{prefix}/scan/:token`: the problems, the anomalies, and what no rule explains. */
export function scanPageBody(model: ScanPageModel): string {
  const { verdict } = model;
  const warnings = verdict.anomalies.filter((anomaly) => anomaly.severity !== 'notice');
  const notices = verdict.anomalies.filter((anomaly) => anomaly.severity === 'notice');
  const found = verdict.problems.length + warnings.length;
  const summary =
    verdict.status === 'problems' ? SCAN_TEXT.problems(found) : verdict.status === 'clean' ? SCAN_TEXT.clean : SCAN_TEXT.observing;
  const parts = [
    `<h1>${SCAN_TEXT.title}</h1>`,
    `<p class="status ${verdict.status}" role="status">${escapeHtml(summary)}</p>`,
    sessionFacts(model.session),
  ];
  if (verdict.problems.length) {
    parts.push(`<h2>${SCAN_TEXT.problemsHeading}</h2>`);
    for (const problem of verdict.problems) {
      const rule = model.rule(problem.ruleId);
      const description = rule?.longDescription || problem.shortDescription;
      const references = rule?.references.length
        ? `<p class="muted">${SCAN_TEXT.references}: ${rule.references
            .filter((url) => /^https?:\/\//i.test(url))
            .map((url) => `<a href="${escapeHtml(url)}" rel="noopener noreferrer nofollow">${escapeHtml(url)}</a>`)
            .join(', ')}</p>`
        : '';
      parts.push(
        `<section class="card problem" aria-labelledby="p-${escapeHtml(problem.ruleId)}">` +
          `<h3 id="p-${escapeHtml(problem.ruleId)}">${escapeHtml(problem.title)}</h3>` +
          `<p><span class="tag">${CAUSE_TEXT[problem.cause] ?? escapeHtml(problem.cause)}</span> <span class="muted">${SCAN_TEXT.count} ${SCAN_TEXT.times(problem.count)}</span></p>` +
          renderMarkdown(description) +
          references +
          `</section>`,
      );
    }
  }
  for (const [heading, list, kind] of [
    [SCAN_TEXT.anomaliesHeading, warnings, 'anomaly'],
    [SCAN_TEXT.noticesHeading, notices, 'notice'],
  ] as const) {
    if (!list.length) continue;
    parts.push(`<h2>${heading}</h2>`);
    for (const anomaly of list) {
      parts.push(`<section class="card ${kind}"><h3>${escapeHtml(anomaly.title)}</h3><p>${escapeHtml(anomaly.description)}</p></section>`);
    }
  }
  if (model.unexplained.length) parts.push(unexplainedTable(model.unexplained));
  // Nothing to share and nothing to say about it: no section at all.
  const { sharing } = model;
  if (sharing && (sharing.text !== null || sharing.sharedAt !== null || sharing.message))
    parts.push(sharingSection(model.prefix, model.token, sharing));
  parts.push(`<footer class="muted"><a href="${escapeHtml(model.prefix)}/privacy">${SCAN_TEXT.privacy}</a></footer>`);
  return parts.join('\n');
}

function sessionFacts(session: StoredSession | null): string {
  if (!session) return '';
  const when = `${new Date(session.firstSeenAt).toISOString().replace('T', ' ').slice(0, 16)} UTC`;
  return `<p class="muted">${SCAN_TEXT.page}: <code>${escapeHtml(session.documentUri)}</code> · ${SCAN_TEXT.checked}: ${when}</p>`;
}

function unexplainedTable(unexplained: readonly UnexplainedViolation[]): string {
  const rows = unexplained
    .slice(0, MAX_LISTED)
    .map(
      ({ violation: v }) =>
        `<tr><td><code>${escapeHtml(v.effectiveDirective)}</code></td><td><code>${escapeHtml(v.blockedUri)}</code></td>` +
        `<td><code>${escapeHtml(v.sourceFile)}</code></td><td><code>${escapeHtml(v.sample)}</code></td></tr>`,
    )
    .join('');
  return (
    `<h2>${SCAN_TEXT.unexplainedHeading}</h2><p>${escapeHtml(SCAN_TEXT.unexplainedIntro)}</p>` +
    `<table class="unexplained"><thead><tr><th>${SCAN_TEXT.directive}</th><th>${SCAN_TEXT.blocked}</th><th>${SCAN_TEXT.source}</th>` +
    `<th>${SCAN_TEXT.sample}</th></tr></thead><tbody>${rows}</tbody></table>`
  );
}

function sharingSection(prefix: string, token: string, sharing: NonNullable<ScanPageModel['sharing']>): string {
  const parts = [`<h2 id="share">${SCAN_TEXT.sharingHeading}</h2>`];
  if (sharing.message) {
    const kind = sharing.message === 'ok' ? 'ok' : sharing.message === 'already' ? '' : 'error';
    parts.push(
      `<p class="message ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${escapeHtml(SCAN_TEXT.messages[sharing.message])}</p>`,
    );
  }
  if (sharing.sharedAt !== null) {
    parts.push(`<p>${escapeHtml(SCAN_TEXT.shared(`${new Date(sharing.sharedAt).toISOString().replace('T', ' ').slice(0, 16)} UTC`))}</p>`);
  } else if (sharing.text === null) {
    parts.push(`<p class="muted">${SCAN_TEXT.nothingToShare}</p>`);
  } else {
    parts.push(
      `<p>${escapeHtml(SCAN_TEXT.sharingIntro)}</p>`,
      `<pre class="shared-data" aria-label="The data that would be shared">${escapeHtml(sharing.text)}</pre>`,
      `<form method="post" action="${escapeHtml(prefix)}/scan/${escapeHtml(token)}/share">` +
        `<input type="hidden" name="digest" value="${escapeHtml(sharing.digest ?? '')}">` +
        `<button type="submit">${SCAN_TEXT.shareButton}</button></form>`,
    );
  }
  return parts.join('\n');
}

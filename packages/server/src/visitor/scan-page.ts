import type { Rule, UnexplainedViolation, Verdict } from '@csp-observer/core';
import type { StoredSession } from '../report/report-record.js';
import { breakableUrl, escapeHtml } from '../http/html-page.js';
import { renderMarkdown } from './markdown.js';
import { SCAN_TEXTS, type ScanText, type ShareMessage, type VisitorLanguage } from './visitor-text.js';

export type { ShareMessage } from './visitor-text.js';

/** The English words of the scan page (the JSON answers of the share action speak English). */
export const SCAN_TEXT = SCAN_TEXTS.en;

export interface ScanPageModel {
  prefix: string;
  /** The page's language; its words are SCAN_TEXTS[lang]. */
  lang: VisitorLanguage;
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
  const t = SCAN_TEXTS[model.lang];
  const warnings = verdict.anomalies.filter((anomaly) => anomaly.severity !== 'notice');
  const notices = verdict.anomalies.filter((anomaly) => anomaly.severity === 'notice');
  const found = verdict.problems.length + warnings.length;
  const summary = verdict.status === 'problems' ? t.problems(found) : verdict.status === 'clean' ? t.clean : t.observing;
  const parts = [
    `<h1>${t.title}</h1>`,
    `<p class="status ${verdict.status}" role="status">${escapeHtml(summary)}</p>`,
    sessionFacts(t, model.session),
  ];
  if (verdict.problems.length) {
    parts.push(`<h2>${t.problemsHeading}</h2>`);
    for (const problem of verdict.problems) {
      const rule = model.rule(problem.ruleId);
      const description = rule?.longDescription || problem.shortDescription;
      const references = rule?.references.length
        ? `<p class="muted">${t.references}: ${rule.references
            .filter((url) => /^https?:\/\//i.test(url))
            .map((url) => `<a class="url" href="${escapeHtml(url)}" rel="noopener noreferrer nofollow">${breakableUrl(url)}</a>`)
            .join(', ')}</p>`
        : '';
      parts.push(
        `<section class="card problem" aria-labelledby="p-${escapeHtml(problem.ruleId)}">` +
          `<h3 id="p-${escapeHtml(problem.ruleId)}">${escapeHtml(problem.title)}</h3>` +
          `<p><span class="tag">${t.causes[problem.cause] ?? escapeHtml(problem.cause)}</span> <span class="muted">${t.count} ${t.times(problem.count)}</span></p>` +
          renderMarkdown(description) +
          references +
          `</section>`,
      );
    }
  }
  for (const [heading, list, kind] of [
    [t.anomaliesHeading, warnings, 'anomaly'],
    [t.noticesHeading, notices, 'notice'],
  ] as const) {
    if (!list.length) continue;
    parts.push(`<h2>${heading}</h2>`);
    for (const anomaly of list) {
      parts.push(`<section class="card ${kind}"><h3>${escapeHtml(anomaly.title)}</h3><p>${escapeHtml(anomaly.description)}</p></section>`);
    }
  }
  if (model.unexplained.length) parts.push(unexplainedTable(t, model.unexplained));
  // Nothing to share and nothing to say about it: no section at all.
  const { sharing } = model;
  if (sharing && (sharing.text !== null || sharing.sharedAt !== null || sharing.message))
    parts.push(sharingSection(t, model.lang, model.prefix, model.token, sharing));
  parts.push(`<footer class="muted"><a href="${escapeHtml(model.prefix)}/privacy?lang=${model.lang}">${t.privacy}</a></footer>`);
  return parts.join('\n');
}

function sessionFacts(t: ScanText, session: StoredSession | null): string {
  if (!session) return '';
  const when = `${new Date(session.firstSeenAt).toISOString().replace('T', ' ').slice(0, 16)} UTC`;
  return `<p class="muted">${t.page}: <code class="url">${breakableUrl(session.documentUri)}</code> · ${t.checked}: ${when}</p>`;
}

function unexplainedTable(t: ScanText, unexplained: readonly UnexplainedViolation[]): string {
  const cell = (label: string, content: string, kind: string) =>
    `<td class="${kind}"><span class="cell-label">${label}</span>${content}</td>`;
  const rows = unexplained
    .slice(0, MAX_LISTED)
    .map(
      ({ violation: v }) =>
        `<tr>${cell(t.directive, `<code>${escapeHtml(v.effectiveDirective)}</code>`, 'short')}` +
        `${cell(t.blocked, `<code>${breakableUrl(v.blockedUri)}</code>`, 'url')}` +
        `${cell(t.source, `<code>${breakableUrl(v.sourceFile)}</code>`, 'url')}` +
        `${cell(t.sample, `<code>${escapeHtml(v.sample)}</code>`, 'code')}</tr>`,
    )
    .join('');
  return (
    `<h2>${t.unexplainedHeading}</h2><p>${escapeHtml(t.unexplainedIntro)}</p>` +
    `<table class="unexplained"><thead><tr><th class="directive">${t.directive}</th><th>${t.blocked}</th><th>${t.source}</th>` +
    `<th class="sample">${t.sample}</th></tr></thead><tbody>${rows}</tbody></table>`
  );
}

function sharingSection(
  t: ScanText,
  lang: VisitorLanguage,
  prefix: string,
  token: string,
  sharing: NonNullable<ScanPageModel['sharing']>,
): string {
  const parts = [`<h2 id="share">${t.sharingHeading}</h2>`];
  if (sharing.message) {
    const kind = sharing.message === 'ok' ? 'ok' : sharing.message === 'already' ? '' : 'error';
    parts.push(`<p class="message ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${escapeHtml(t.messages[sharing.message])}</p>`);
  }
  if (sharing.sharedAt !== null) {
    parts.push(`<p>${escapeHtml(t.shared(`${new Date(sharing.sharedAt).toISOString().replace('T', ' ').slice(0, 16)} UTC`))}</p>`);
  } else if (sharing.text === null) {
    parts.push(`<p class="muted">${t.nothingToShare}</p>`);
  } else {
    parts.push(
      `<p>${escapeHtml(t.sharingIntro)}</p>`,
      `<pre class="shared-data" aria-label="${escapeHtml(t.sharedDataLabel)}">${escapeHtml(sharing.text)}</pre>`,
      `<form method="post" action="${escapeHtml(prefix)}/scan/${escapeHtml(token)}/share?lang=${lang}">` +
        `<input type="hidden" name="digest" value="${escapeHtml(sharing.digest ?? '')}">` +
        `<button type="submit">${t.shareButton}</button></form>`,
    );
  }
  return parts.join('\n');
}

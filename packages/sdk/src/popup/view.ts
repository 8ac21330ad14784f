import type { PopupStrings, Verdict } from '@csp-observer/core';
import { h, type VNode } from 'preact';

export type PopupPhase = 'observing' | 'clean' | 'problems';

export interface PopupProps {
  phase: PopupPhase;
  verdict: Verdict | null;
  /** The scan report page of this page view. */
  scanUrl: string;
  fading: boolean;
  strings: PopupStrings;
  onClose: () => void;
}

/**
 * The problems and the signs of tampering of a verdict: `[key, title]` pairs. Notices (reports
 * a privacy tool held back, say) are for the scan page, not for the popup.
 */
export function findingsOf(verdict: Verdict | null): Array<[string, string]> {
  if (!verdict) return [];
  return [
    ...verdict.problems.map((p): [string, string] => [p.ruleId, p.title]),
    ...verdict.anomalies.filter((a) => a.severity !== 'notice').map((a): [string, string] => [a.kind, a.title]),
  ];
}

/**
 * The popup: a labelled region in a corner with a live status line. Not modal: it never takes
 * the focus; Escape closes it when the focus is inside.
 */
export function Popup(props: PopupProps): VNode {
  const { phase, strings: t } = props;
  const findings = findingsOf(props.verdict);
  const n = findings.length;
  const title =
    phase === 'problems' ? (n === 1 ? t.problem : t.problems.replace('{n}', String(n))) : phase === 'clean' ? t.clean : t.observing;
  return h(
    'section',
    {
      class: `box ${phase}${props.fading ? ' fading' : ''}`,
      role: 'region',
      'aria-label': t.label,
      onKeyDown: (event: KeyboardEvent) => {
        if (event.key === 'Escape') props.onClose();
      },
    },
    h('span', { class: 'dot', 'aria-hidden': 'true' }),
    h(
      'div',
      { class: 'body' },
      h('p', { role: 'status', 'aria-live': 'polite' }, title),
      phase === 'problems' && findings.length > 0
        ? h(
            'ul',
            null,
            findings.map(([, text]) => h('li', null, text)),
          )
        : null,
      phase === 'problems'
        ? h('a', { href: props.scanUrl, target: '_blank', rel: 'noopener', 'aria-label': `${t.learnMore} ${t.newTab}` }, t.learnMore)
        : null,
    ),
    h('button', { type: 'button', 'aria-label': t.close, title: t.close, onClick: props.onClose }, '×'),
  );
}

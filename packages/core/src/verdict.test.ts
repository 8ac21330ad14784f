import { describe, expect, it } from 'vitest';
import { fingerprint } from './fingerprint.js';
import { compileRules } from './rules/matcher.js';
import type { Rule } from './rules/rule.js';
import { computeVerdict, pairChannels, type EvidenceViolation, type SessionEvidence, type VerdictSettings } from './verdict.js';
import { emptyViolation, type Channel, type Violation } from './violation.js';

const rule = (id: string, blockedUri: string, ignore = false): Rule => ({
  id,
  cause: 'malware',
  title: `Title ${id}`,
  shortDescription: `Short ${id}`,
  longDescription: '',
  ignore,
  origin: 'global',
  references: [],
  match: [{ blockedUri, directive: '', sourceFile: '', sample: '', documentUri: '', policy: '', engine: '' }],
});

const rules = compileRules([rule('miner', 'coinhive\\.com'), rule('noise', '^about:', true)], (source) => {
  const re = new RegExp(source, 'i');
  return (input) => re.test(input);
});
const settings: VerdictSettings = { rules, canaryApplicable: true, nativeDelayMs: 2000 };

const page = 'https://site.test/';
const canaryViolation: Violation = {
  ...emptyViolation(),
  documentUri: page,
  blockedUri: 'eval',
  effectiveDirective: 'script-src',
  sample: "'csp-canary:abc123'",
};
const minerViolation: Violation = {
  ...emptyViolation(),
  documentUri: page,
  blockedUri: 'https://coinhive.com/lib.js',
  effectiveDirective: 'script-src-elem',
};
const ownViolation: Violation = { ...emptyViolation(), documentUri: page, blockedUri: 'inline', effectiveDirective: 'style-src-attr' };

function seen(
  violation: Violation,
  channel: Channel,
  via: 'listener' | 'observer' | null = channel === 'sdk' ? 'listener' : null,
): EvidenceViolation {
  return {
    channel,
    via,
    violation,
    fingerprint: fingerprint(violation),
    receivedAt: 1000,
    canary: violation.sample.includes('csp-canary:'),
  };
}

function evidence(fields: Partial<SessionEvidence>): SessionEvidence {
  return {
    now: 1100,
    sdkSeenAt: 1000,
    canary: { outcome: 'listener', threw: false, receivedAt: 1000 },
    violations: [],
    hidden: [],
    ...fields,
  };
}

const kinds = (e: SessionEvidence, s = settings) => computeVerdict(e, s).verdict.anomalies.map((a) => a.kind);

/** A violation as WebKit reports it natively: no sample, no disposition. */
const webkitNative = (v: Violation): Violation => ({ ...v, sample: '', disposition: '' });

describe('pairChannels', () => {
  const inlineA: Violation = {
    ...ownViolation,
    effectiveDirective: 'script-src-elem',
    sourceFile: page,
    lineNumber: 3,
    columnNumber: 9,
    sample: 'alert(1)',
    disposition: 'report',
  };
  const inlineB: Violation = { ...inlineA, sample: 'alert(2)' };
  const distinct = (items: EvidenceViolation[]) => pairChannels(items).map((v) => v.sample || '-');

  it("pairs WebKit's sampleless native report with the event of the same violation", () => {
    expect(distinct([seen(inlineA, 'sdk'), seen(webkitNative(inlineA), 'report-uri')])).toEqual(['alert(1)']);
  });

  it('keeps violations with different samples apart when both channels carry samples', () => {
    expect(distinct([seen(inlineA, 'sdk'), seen(inlineB, 'sdk'), seen(inlineA, 'report-uri'), seen(inlineB, 'report-uri')])).toEqual([
      'alert(1)',
      'alert(2)',
    ]);
  });

  it('lets sampleless native reports pair with any sighting of their place, and stand alone where the page saw none', () => {
    expect(
      distinct([
        seen(inlineA, 'sdk'),
        seen(inlineB, 'sdk'),
        seen(webkitNative(inlineA), 'report-uri'),
        seen(webkitNative(inlineB), 'report-uri'),
      ]),
    ).toEqual(['alert(1)', 'alert(2)']);
    // The page's events hidden: the browser's reports alone.
    expect(distinct([seen(webkitNative(inlineA), 'report-uri'), seen(webkitNative(inlineA), 'report-uri')])).toEqual(['-']);
  });

  it("counts one violation once however often it was seen: WebKit's preload scanner and parser, the listener and the observer", () => {
    // A blocked <script src>: WebKit's events say column 1, its native reports column 0; two of each.
    const script: Violation = { ...minerViolation, lineNumber: 0, columnNumber: 1, disposition: 'enforce' };
    const native = { ...webkitNative(script), columnNumber: 0 };
    expect(
      distinct([seen(script, 'sdk'), seen(script, 'sdk', 'observer'), seen(native, 'report-uri'), seen(native, 'report-uri')]),
    ).toEqual(['-']);
    expect(pairChannels([seen(script, 'sdk'), seen(native, 'report-to')])).toHaveLength(1);
  });

  it("pairs WebKit's style attribute: its event names the HTML's line, its report none", () => {
    const attribute: Violation = { ...ownViolation, sourceFile: '', lineNumber: 11, columnNumber: 1, sample: 'color: crimson' };
    const native = { ...webkitNative(attribute), lineNumber: 0, columnNumber: 0 };
    expect(distinct([seen(attribute, 'sdk'), seen(native, 'report-uri')])).toEqual(['color: crimson']);
  });

  it('pairs the two dispositions of one violation as one', () => {
    const enforced = { ...inlineA, disposition: 'enforce' };
    expect(distinct([seen(inlineA, 'sdk'), seen(enforced, 'sdk'), seen(inlineA, 'report-uri'), seen(enforced, 'report-uri')])).toEqual([
      'alert(1)',
    ]);
  });
});

describe('computeVerdict', () => {
  it('is observing before anything arrived', () => {
    const { verdict } = computeVerdict(evidence({ sdkSeenAt: null, canary: null }), settings);
    expect(verdict).toEqual({ status: 'observing', final: false, problems: [], anomalies: [], unknown: 0 });
  });

  it('is clean and final once the canary was seen by the page and reported natively', () => {
    const { verdict, changesAt } = computeVerdict(
      evidence({ violations: [seen(canaryViolation, 'sdk'), seen(canaryViolation, 'report-uri')] }),
      settings,
    );
    expect(verdict).toEqual({ status: 'clean', final: true, problems: [], anomalies: [], unknown: 0 });
    expect(changesAt).toBeNull();
  });

  it('counts each violation once, however often and by whichever channels it was seen, and the unexplained ones as unknown', () => {
    const v = [
      seen(canaryViolation, 'sdk'),
      seen(canaryViolation, 'report-uri'),
      // Three identical events, one collapsed native report: one violation.
      seen(minerViolation, 'sdk'),
      seen(minerViolation, 'sdk'),
      seen(minerViolation, 'sdk'),
      seen(minerViolation, 'report-uri'),
      seen(ownViolation, 'sdk'),
      seen(ownViolation, 'report-to'),
    ];
    const { verdict, unexplained } = computeVerdict(evidence({ violations: v }), settings);
    expect(verdict.status).toBe('problems');
    expect(verdict.problems).toEqual([
      { ruleId: 'miner', cause: 'malware', title: 'Title miner', shortDescription: 'Short miner', count: 1 },
    ]);
    expect(verdict.unknown).toBe(1);
    // The scan page lists what no rule explains: the site's own violation, once, not the canary.
    expect(unexplained).toEqual([{ violation: ownViolation }]);
    expect(verdict.final).toBe(true);
  });

  it('never makes a problem of an ignore rule', () => {
    const noise = { ...ownViolation, blockedUri: 'about' };
    const { verdict } = computeVerdict(
      evidence({ violations: [seen(canaryViolation, 'sdk'), seen(canaryViolation, 'report-uri'), seen(noise, 'report-uri')] }),
      settings,
    );
    expect(verdict.status).toBe('clean');
    expect(verdict.unknown).toBe(0);
  });

  it('waits for the native canary, then says calmly that reports did not come, and the page stays clean', () => {
    const e = evidence({ violations: [seen(canaryViolation, 'sdk')] });
    const early = computeVerdict(e, settings);
    expect(early.verdict.status).toBe('clean');
    expect(early.verdict.final).toBe(false);
    expect(early.changesAt).toBe(3000);
    expect(kinds({ ...e, now: 3000 })).toEqual(['reports-blocked']);
    // Privacy tools block reports on purpose (uBlock Origin in Firefox by default, Brave): a notice, not a problem.
    const late = computeVerdict({ ...e, now: 3000 }, settings).verdict;
    expect(late).toMatchObject({ status: 'clean', final: true, anomalies: [{ kind: 'reports-blocked', severity: 'notice' }] });
    expect(late.anomalies[0]!.description).not.toMatch(/malware/i);
  });

  it('reports blocked next to a real problem: the problem decides the status', () => {
    const v = [seen(canaryViolation, 'sdk'), seen(minerViolation, 'sdk')];
    expect(computeVerdict(evidence({ now: 3000, violations: v }), settings).verdict).toMatchObject({
      status: 'problems',
      problems: [{ ruleId: 'miner', count: 1 }],
      anomalies: [{ kind: 'reports-blocked', severity: 'notice' }],
    });
  });

  it('says the policy is not in force when nobody saw the canary', () => {
    const e = evidence({ canary: { outcome: 'missing', threw: false, receivedAt: 1000 } });
    expect(computeVerdict(e, settings).verdict.status).toBe('observing');
    expect(kinds({ ...e, now: 3000 })).toEqual(['policy-not-enforced']);
  });

  it('says events are hidden when only the observer or the browser saw the canary', () => {
    expect(
      kinds(
        evidence({
          canary: { outcome: 'observer', threw: false, receivedAt: 1000 },
          violations: [seen(canaryViolation, 'sdk', 'observer'), seen(canaryViolation, 'report-uri')],
        }),
      ),
    ).toEqual(['events-suppressed']);
    expect(
      kinds(
        evidence({ canary: { outcome: 'missing', threw: false, receivedAt: 1000 }, violations: [seen(canaryViolation, 'report-uri')] }),
      ),
    ).toEqual(['events-suppressed']);
    // Enforced (the eval threw) but neither the page nor the browser reported it.
    expect(kinds(evidence({ now: 5000, canary: { outcome: 'missing', threw: true, receivedAt: 1000 } }))).toEqual([
      'events-suppressed',
      'reports-blocked',
    ]);
  });

  it('raises no canary anomaly when the policy allows eval', () => {
    const e = evidence({ now: 9000, canary: { outcome: 'missing', threw: false, receivedAt: 1000 } });
    const { verdict } = computeVerdict(e, { ...settings, canaryApplicable: false });
    expect(verdict).toMatchObject({ status: 'clean', final: true, anomalies: [] });
  });

  it('is observing while the SDK ran but its canary message has not come', () => {
    expect(computeVerdict(evidence({ canary: null }), settings).verdict.status).toBe('observing');
  });

  it('reports hidden content found by the tripwire', () => {
    const e = evidence({
      violations: [seen(canaryViolation, 'sdk'), seen(canaryViolation, 'report-uri')],
      hidden: [{ tag: 'script', url: 'https://x.test/a.js', directive: 'script-src-elem' }],
    });
    expect(kinds(e)).toEqual(['hidden-content']);
  });

  it('marks every sign of tampering a warning', () => {
    const e = evidence({
      now: 5000,
      canary: { outcome: 'missing', threw: true, receivedAt: 1000 },
      hidden: [{ tag: 'script', url: 'https://x.test/a.js', directive: 'script-src-elem' }],
    });
    expect(computeVerdict(e, settings).verdict.anomalies.map((a) => `${a.kind} ${a.severity}`)).toEqual([
      'events-suppressed warning',
      'reports-blocked notice',
      'hidden-content warning',
    ]);
    expect(
      computeVerdict({ ...e, canary: { outcome: 'missing', threw: false, receivedAt: 1000 }, hidden: [] }, settings).verdict.anomalies.map(
        (a) => `${a.kind} ${a.severity}`,
      ),
    ).toEqual(['policy-not-enforced warning']);
  });

  it('judges native reports alone when the SDK never ran', () => {
    const { verdict } = computeVerdict(
      evidence({ sdkSeenAt: null, canary: null, violations: [seen(minerViolation, 'report-uri')] }),
      settings,
    );
    expect(verdict.status).toBe('problems');
    expect(verdict.final).toBe(false);
  });
});

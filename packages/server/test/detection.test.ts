import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRule, type SdkViolationEvent } from '@csp-observer/core';
import { mintSessionToken } from '../src/session/session-token.js';
import { updateRules } from '../src/rules/update-rules.js';
import { resolveOptions } from '../src/options/options.js';
import { summarize } from '../src/storage/summary-queries.js';
import { sdkEvent } from './fixtures/browser-reports.js';
import { testDatabases } from './support/databases.js';
import { SECRET, serveDuringTests, type TestServer } from './support/test-server.js';

const PAGE = 'http://127.0.0.1:3000/shop';
const POLICY = "default-src 'self'; script-src 'self' 'nonce-abc' 'report-sample'";

function nativeReport(blockedUri: string, extra: Record<string, unknown> = {}) {
  return {
    'csp-report': {
      'document-uri': PAGE,
      referrer: '',
      'violated-directive': 'script-src-elem',
      'effective-directive': 'script-src-elem',
      'original-policy': POLICY,
      disposition: 'report',
      'blocked-uri': blockedUri,
      'status-code': 200,
      'script-sample': '',
      ...extra,
    },
  };
}

function event(blockedUri: string, extra: Partial<SdkViolationEvent> = {}): SdkViolationEvent {
  return sdkEvent({ documentURI: PAGE, blockedURI: blockedUri, originalPolicy: POLICY, ...extra });
}

/** The canary as Chromium reports it: an eval with the token in the sample. */
const CANARY = { blocked: 'eval', sample: "'csp-canary:0123456789abcdef'" };
const canaryEvent = event(CANARY.blocked, {
  effectiveDirective: 'script-src',
  violatedDirective: 'script-src',
  sample: CANARY.sample,
  sourceFile: PAGE,
  lineNumber: 1,
  columnNumber: 5,
});
const canaryNative = nativeReport(CANARY.blocked, {
  'effective-directive': 'script-src',
  'violated-directive': 'script-src',
  'script-sample': CANARY.sample,
  'source-file': PAGE,
  'line-number': 1,
  'column-number': 5,
});

const KASPERSKY = 'https://gc.kis.v2.scr.kaspersky-labs.com/FD126C42-EBFA-4E12-B309-BB3FDD723AC1/main.js';
const TRANSLATE = 'https://translate.googleapis.com/translate_static/js/element/main.js';

describe.each(testDatabases())('detection on $name', (database) => {
  let server: TestServer;
  const post = (path: string, body: unknown, type = 'application/csp-report') =>
    fetch(server.url + path, { method: 'POST', headers: { 'Content-Type': type }, body: JSON.stringify(body) });
  const native = (token: string, report: unknown) => post(`/csp/report/${token}`, report);
  const events = (token: string, batch: Record<string, unknown>) =>
    post(`/csp/events/${token}`, { v: 1, events: [], ...batch }, 'application/json');
  const verdict = async (token: string, query = '') => {
    const response = await fetch(`${server.url}/csp/verdict/${token}${query}`);
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  serveDuringTests(database, {}, (started) => (server = started));

  describe.skipIf(Boolean(database.skip))('with a database', () => {
    it('installs the bundled rules on first start', async () => {
      const state = await server.observer.ruleStore.state();
      expect(state.source).toBe('bundled');
      expect(await server.observer.ruleStore.countGlobal()).toBeGreaterThanOrEqual(30);
      expect(server.observer.rules.size).toBe(await server.observer.ruleStore.countGlobal());
    });

    it('stores the rule and cause that explain a report, matched on the full URL', async () => {
      const { token, session } = mintSessionToken(SECRET);
      expect((await native(token, nativeReport(`${KASPERSKY}?id=visitor-secret`))).status).toBe(204);
      const [report] = await server.observer.store.reportsOfSession(session.id);
      expect(report).toMatchObject({ ruleId: 'other.kaspersky', cause: 'other', blockedUri: KASPERSKY });
    });

    it('drops what an ignore rule names, and counts it per rule and cause', async () => {
      const { token, session } = mintSessionToken(SECRET);
      const before = Date.now();
      expect((await native(token, nativeReport(TRANSLATE))).status).toBe(204);
      expect((await events(token, { events: [event(TRANSLATE)] })).status).toBe(204);
      expect(await server.observer.store.reportsOfSession(session.id)).toEqual([]);
      const summary = await summarize(server.observer.store.db, new Date(before - 3600_000), new Date(Date.now() + 3600_000), 10);
      expect(summary.dropped.by_rule['browser.translate']).toBeGreaterThanOrEqual(2);
      expect(summary.dropped.by_cause.browser).toBeGreaterThanOrEqual(2);
    });

    it('answers 404 to a token that fails verification, and observing to a fresh one', async () => {
      const { token } = mintSessionToken(SECRET);
      expect((await verdict(`${token.slice(0, -2)}xx`)).status).toBe(404);
      expect((await verdict(mintSessionToken('another-secret-0123456789').token)).status).toBe(404);
      const fresh = await verdict(token);
      expect(fresh.status).toBe(200);
      expect(fresh.body).toMatchObject({ status: 'observing', final: false, problems: [], anomalies: [], unknown: 0 });
    });

    it('is clean and final when the canary went through both channels', async () => {
      const { token } = mintSessionToken(SECRET);
      await events(token, { events: [canaryEvent], canary: { outcome: 'listener', threw: false } });
      await native(token, canaryNative);
      expect((await verdict(token)).body).toMatchObject({ status: 'clean', final: true, problems: [], anomalies: [], unknown: 0 });
    });

    it('names the problem a rule explains, counting a violation seen on both channels once', async () => {
      const { token } = mintSessionToken(SECRET);
      await events(token, {
        events: [canaryEvent, event(KASPERSKY), event('https://own-cdn.test/lib.js')],
        canary: { outcome: 'listener', threw: false },
      });
      await native(token, canaryNative);
      await native(token, nativeReport(KASPERSKY));
      await native(token, nativeReport('https://own-cdn.test/lib.js'));
      const { body } = await verdict(token);
      expect(body.status).toBe('problems');
      expect(body.problems).toEqual([
        {
          ruleId: 'other.kaspersky',
          cause: 'other',
          title: 'Kaspersky web protection',
          shortDescription: expect.stringContaining('Kaspersky'),
          count: 1,
        },
      ]);
      expect(body.unknown).toBe(1);
      expect(body.anomalies).toEqual([]);
    });

    it('keeps another session out of a verdict', async () => {
      const a = mintSessionToken(SECRET);
      const b = mintSessionToken(SECRET);
      await native(a.token, nativeReport(KASPERSKY));
      expect((await verdict(b.token)).body.problems).toEqual([]);
    });

    it('says events are hidden when only the ReportingObserver saw the canary', async () => {
      const { token } = mintSessionToken(SECRET);
      await events(token, { events: [{ ...canaryEvent, source: 'observer' }], canary: { outcome: 'observer', threw: false } });
      await native(token, canaryNative);
      const { body } = await verdict(token);
      expect(body.anomalies.map((a: { kind: string }) => a.kind)).toEqual(['events-suppressed']);
      expect(body.status).toBe('problems');
    });

    it('long-polls: answers as soon as new evidence changes the verdict', async () => {
      const { token } = mintSessionToken(SECRET);
      await events(token, { events: [canaryEvent], canary: { outcome: 'listener', threw: false } });
      await native(token, canaryNative);
      const first = await verdict(token);
      const pending = verdict(token, `?after=${first.body.version}&wait=20000`);
      // The poll must still be waiting: nothing changed yet.
      const raced = await Promise.race([pending.then(() => 'answered'), new Promise((r) => setTimeout(() => r('waiting'), 300))]);
      expect(raced).toBe('waiting');
      await native(token, nativeReport('https://coinhive.com/lib/coinhive.min.js'));
      const changed = await pending;
      expect(changed.body.version).not.toBe(first.body.version);
      expect(changed.body.problems.map((p: { ruleId: string }) => p.ruleId)).toEqual(['malware.cryptominer']);
    });

    it('long-polls across a closing window: reports blocked (a notice, still clean) once the native canary is overdue', async () => {
      const { token } = mintSessionToken(SECRET);
      await events(token, { events: [canaryEvent], canary: { outcome: 'listener', threw: false } });
      const first = await verdict(token);
      expect(first.body).toMatchObject({ status: 'clean', final: false });
      const later = await verdict(token, `?after=${first.body.version}&wait=10000`);
      expect(later.body).toMatchObject({ status: 'clean', final: true });
      expect(later.body.anomalies.map((a: { kind: string; severity: string }) => `${a.kind} ${a.severity}`)).toEqual([
        'reports-blocked notice',
      ]);
    });

    it('says the policy is not in force when no channel saw the canary', async () => {
      const { token } = mintSessionToken(SECRET);
      await events(token, { canary: { outcome: 'missing', threw: false } });
      const first = await verdict(token);
      expect(first.body.status).toBe('observing');
      const later = await verdict(token, `?after=${first.body.version}&wait=10000`);
      expect(later.body.anomalies.map((a: { kind: string }) => a.kind)).toEqual(['policy-not-enforced']);
    });

    it('streams the verdict as server-sent events', async () => {
      const { token } = mintSessionToken(SECRET);
      const controller = new AbortController();
      const response = await fetch(`${server.url}/csp/verdict/${token}`, {
        headers: { Accept: 'text/event-stream' },
        signal: controller.signal,
      });
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      const nextVerdict = async () => {
        let text = '';
        for (;;) {
          const { value } = await reader.read();
          text += value;
          const match = /event: verdict\nid: [^\n]*\ndata: ([^\n]*)\n\n/.exec(text);
          if (match) return JSON.parse(match[1]!) as Record<string, any>;
        }
      };
      expect((await nextVerdict()).status).toBe('observing');
      await native(token, nativeReport(KASPERSKY));
      expect((await nextVerdict()).problems[0].ruleId).toBe('other.kaspersky');
      controller.abort();
    });

    it('stores tripwire findings as evidence of hidden content', async () => {
      const { token, session } = mintSessionToken(SECRET);
      const response = await events(token, {
        hidden: [{ tag: 'script', url: 'https://hidden.test/x.js?k=1', directive: 'script-src-elem' }],
      });
      expect(response.status).toBe(204);
      const [row] = await server.observer.store.reportsOfSession(session.id);
      expect(row).toMatchObject({ reportType: 'hidden-element', blockedUri: 'https://hidden.test/x.js', sample: 'script' });
      expect((await verdict(token)).body.anomalies.map((a: { kind: string }) => a.kind)).toContain('hidden-content');
    });

    it('refuses a wait that is not a number of milliseconds with a 400', async () => {
      const { token } = mintSessionToken(SECRET);
      for (const wait of ['soon', '-5', 'Infinity']) {
        const { status, body } = await verdict(token, `?after=x&wait=${wait}`);
        expect(status, wait).toBe(400);
        expect(body).toEqual({ error: 'wait must be a number of milliseconds' });
      }
    });

    it('refuses malformed canary and tripwire fields with a 400', async () => {
      const { token } = mintSessionToken(SECRET);
      expect((await events(token, { canary: { outcome: 'maybe' } })).status).toBe(400);
      expect((await events(token, { hidden: 'x' })).status).toBe(400);
      expect((await events(token, { hidden: Array.from({ length: 21 }, () => ({})) })).status).toBe(400);
    });
  });
});

describe.each(testDatabases())('rule updates on $name', (database) => {
  let server: TestServer;
  const dir = mkdtempSync(join(tmpdir(), 'cspo-rules-'));
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(content));
    return path;
  };
  const rule = (id: string, url: string) => ({
    id,
    cause: 'malware',
    title: `T ${id}`,
    short_description: 's',
    long_description: 'l',
    directives: [{ url, directive: '' }],
  });
  /** More than half the bundled rules: an update may not shrink the rules in use by half. */
  const N = 400;

  serveDuringTests(database, {}, (started) => (server = started));

  describe.skipIf(Boolean(database.skip))('with a database', () => {
    it("imports django-csp-observer's rules format, keeps custom rules, and says what changed", async () => {
      const store = server.observer.ruleStore;
      await store.saveCustom(
        readRule({ id: 'custom:mine', cause: 'other', title: 'Mine', match: [{ blocked_uri: 'mine\\.test' }] }, 'custom'),
      );
      const djangoFile = file('django-csp-observer.json', {
        last_updated: 2_000_000_000,
        rules: Array.from({ length: N }, (_, i) => rule(`dj-${i}`, `dj${i}\\.test`)),
      });
      const result = await updateRules(store, { source: djangoFile, force: true });
      expect(result).toMatchObject({ status: 'updated', total: N, lastUpdated: 2_000_000_000 });
      expect(result.added).toHaveLength(N);
      expect(result.removed.length).toBeGreaterThanOrEqual(300);
      expect((await store.list()).map((r) => r.id)).toContain('custom:mine');

      const next = file('next.json', {
        last_updated: 2_000_000_100,
        rules: [...Array.from({ length: N - 1 }, (_, i) => rule(`dj-${i}`, `dj${i}\\.test`)), rule('dj-0b', 'new\\.test')].map((r, i) =>
          i === 1 ? { ...r, title: 'Changed' } : r,
        ),
      });
      const changed = await updateRules(store, { source: next, force: true });
      expect(changed).toMatchObject({ status: 'updated', added: ['dj-0b'], removed: [`dj-${N - 1}`], changed: ['dj-1'], unchanged: N - 2 });
    });

    it('respects the interval unless forced, and refuses older or much smaller files', async () => {
      const store = server.observer.ruleStore;
      const newer = file('newer.json', {
        last_updated: 2_100_000_000,
        rules: Array.from({ length: N }, (_, i) => rule(`r-${i}`, `r${i}\\.test`)),
      });
      expect((await updateRules(store, { source: newer })).status).toBe('skipped');
      expect((await updateRules(store, { source: newer, force: true })).status).toBe('updated');
      const older = file('older.json', { last_updated: 1_000, rules: Array.from({ length: N }, (_, i) => rule(`r-${i}`, `r${i}\\.test`)) });
      expect(await updateRules(store, { source: older, force: true })).toMatchObject({
        status: 'refused',
        message: expect.stringContaining('before the rules in use'),
      });
      const small = file('small.json', {
        last_updated: 2_200_000_000,
        rules: Array.from({ length: 9 }, (_, i) => rule(`r-${i}`, `r${i}\\.test`)),
      });
      expect(await updateRules(store, { source: small, force: true })).toMatchObject({
        status: 'refused',
        message: expect.stringContaining('fewer than half'),
      });
      expect(await store.countGlobal()).toBe(N);
    });

    it("takes a feed's file only with its publisher's signature, or with the pinned SHA-256", async () => {
      const store = server.observer.ruleStore;
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const path = file('feed.json', {
        last_updated: 2_250_000_000,
        rules: Array.from({ length: N }, (_, i) => rule(`f-${i}`, `f${i}\\.test`)),
      });
      const bytes = readFileSync(path);
      const signature = sign(null, bytes, privateKey).toString('base64');

      // Unsigned, or signed by someone else: refused, nothing changes.
      await expect(updateRules(store, { source: path, force: true, verify: { publicKey: pem } })).rejects.toThrow(
        /must be signed, and its signature could not be read/,
      );
      writeFileSync(`${path}.sig`, sign(null, bytes, generateKeyPairSync('ed25519').privateKey).toString('base64'));
      await expect(updateRules(store, { source: path, force: true, verify: { publicKey: pem } })).rejects.toThrow(
        /does not match the rules public key: refused/,
      );
      // Signed, then changed on the way: refused.
      writeFileSync(`${path}.sig`, signature);
      writeFileSync(path, bytes.toString().replace('"f-0"', '"f-evil"'));
      await expect(updateRules(store, { source: path, force: true, verify: { publicKey: pem } })).rejects.toThrow(/does not match/);
      expect((await store.list()).some((r) => r.id.startsWith('f-'))).toBe(false);
      // As signed: taken (the key as base64 SPKI works too).
      writeFileSync(path, bytes);
      const der = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
      expect(await updateRules(store, { source: path, force: true, verify: { publicKey: der } })).toMatchObject({
        status: 'updated',
        total: N,
      });

      const sha = createHash('sha256').update(bytes).digest('hex');
      await expect(updateRules(store, { source: path, force: true, verify: { sha256: '0'.repeat(64) } })).rejects.toThrow(/not the pinned/);
      expect(await updateRules(store, { source: path, force: true, verify: { sha256: sha } })).toMatchObject({ status: 'updated' });
      // The bundled file needs neither (it is older than the feed's: refused for that, not for a signature).
      expect(await updateRules(store, { source: 'bundled', force: true, verify: { publicKey: pem } })).toMatchObject({
        status: 'refused',
        message: expect.stringContaining('before the rules in use'),
      });
    });

    it('refuses a public key or digest that cannot be one, at start-up', () => {
      const base = { secret: SECRET, database: ':memory:' };
      expect(() => resolveOptions({ ...base, rules: { publicKey: 'not a key' } })).toThrow(
        /rules.publicKey: the rules public key cannot be read/,
      );
      const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
      expect(() => resolveOptions({ ...base, rules: { publicKey: rsa } })).toThrow(/must be an Ed25519 key, not rsa/);
      expect(() => resolveOptions({ ...base, rules: { sha256: 'abc' } })).toThrow(/64 hexadecimal digits/);
    });

    it('cannot be stalled by a catastrophic pattern, and refuses what RE2 cannot run', async () => {
      const store = server.observer.ruleStore;
      const rules = [
        ...Array.from({ length: N }, (_, i) => rule(`x-${i}`, `x${i}\\.test`)),
        rule('redos', '^(a+)+$'),
        rule('redos-alt', '^(a|a)*b$'),
        rule('lookahead', '^(?=evil)'),
        rule('custom:taken', 'x'),
      ];
      const result = await updateRules(store, { source: file('redos.json', { last_updated: 2_300_000_000, rules }), force: true });
      expect(result.status).toBe('updated');
      expect(result.rejected.map((r) => r.id).sort()).toEqual(['custom:taken', 'lookahead']);
      await server.observer.rules.load();
      // With a backtracking engine each of these would take longer than the test's lifetime.
      const { token, session } = mintSessionToken(SECRET);
      const hostile = `${'a'.repeat(3000)}!`;
      const response = await fetch(`${server.url}/csp/report/${token}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/csp-report' },
        body: JSON.stringify(nativeReport(hostile)),
      });
      expect(response.status).toBe(204);
      expect((await server.observer.store.reportsOfSession(session.id))[0]).toMatchObject({ ruleId: null });
      const matching = mintSessionToken(SECRET);
      await fetch(`${server.url}/csp/report/${matching.token}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/csp-report' },
        body: JSON.stringify(nativeReport('a'.repeat(3000))),
      });
      expect((await server.observer.store.reportsOfSession(matching.session.id))[0]).toMatchObject({ ruleId: 'redos' });
    });
  });
});

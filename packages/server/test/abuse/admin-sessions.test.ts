// Issue 21, item 7 (and the login half of item 3): admin sessions, bearer tokens and the login throttle under attack.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { testDatabases } from '../support/databases.js';
import { startStandalone, type Standalone } from './standalone.js';

const PASSWORD = 'correct horse battery';
const TOKEN = 'admin-token-0123456789abcdef';

describe.each(testDatabases())('admin access under attack on $name (issue 21, item 7)', (database) => {
  let server: Standalone;
  beforeAll(async () => {
    if (database.skip) return;
    server = await startStandalone({ database: await database.create(), proxy: 1, admin: { password: PASSWORD, token: TOKEN } });
  });
  afterAll(async () => {
    await server?.close();
    await database.cleanup();
  });
  afterEach(() => vi.useRealTimers());

  /** A call as the one proxy in front delivers it from `address` (the client may have written X-Forwarded-For itself: `written`). */
  const call = (path: string, address: string, init: { body?: unknown; headers?: Record<string, string>; written?: string } = {}) =>
    fetch(`${server.url}/csp/admin/api${path}`, {
      method: init.body === undefined ? 'GET' : 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Sec-Fetch-Site': 'same-origin',
        'X-Forwarded-For': init.written ? `${init.written}, ${address}` : address,
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  const cookies = (response: Response) =>
    Object.fromEntries(response.headers.getSetCookie().map((line) => line.split(';')[0]!.split(/=(.*)/s).slice(0, 2) as [string, string]));
  const login = async (address: string, extra: Record<string, string> = {}) => {
    const response = await call('/login', address, { body: { password: PASSWORD }, headers: extra });
    expect(response.status).toBe(204);
    return cookies(response);
  };

  it.skipIf(Boolean(database.skip))('refuses a session cookie replayed after logout, also for changes', async () => {
    const { cspo_admin: session } = await login('198.51.100.1');
    const cookie = `cspo_admin=${session}`;
    const info = await call('/session', '198.51.100.1', { headers: { Cookie: cookie } });
    expect(info.status).toBe(200);
    const { csrfToken } = (await info.json()) as { csrfToken: string };
    expect((await call('/logout', '198.51.100.1', { body: {}, headers: { Cookie: cookie } })).status).toBe(204);

    expect((await call('/session', '198.51.100.1', { headers: { Cookie: cookie } })).status).toBe(401);
    const change = await call('/rules', '198.51.100.1', {
      body: { id: 'custom.replayed', title: 'replayed', match: [{ blocked_uri: '^https://x\\.test/' }] },
      headers: { Cookie: cookie, 'X-CSRF-Token': csrfToken },
    });
    expect(change.status).toBe(401);
  });

  it.skipIf(Boolean(database.skip))('throttles wrong bearer tokens per address, with Retry-After', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const bearer = (token: string) => call('/session', '203.0.113.50', { headers: { Authorization: `Bearer ${token}` } });
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await bearer(`wrong-token-${i}-0123456789`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
    const limited = await bearer(TOKEN);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('Retry-After')).toBe('1');
    // Another address is not slowed down, and the right token still works there.
    expect((await call('/session', '203.0.113.51', { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  it.skipIf(Boolean(database.skip))('throttles the address the proxy saw, whatever X-Forwarded-For the guesser writes', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const statuses = [];
    for (let i = 0; i < 8; i++) {
      statuses.push((await call('/login', '192.0.2.66', { body: { password: `guess-${i}` }, written: `10.1.${i}.1` })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
  });

  it.skipIf(Boolean(database.skip))('cannot be aimed at the admin: not by writing their address, not by sharing it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    // The admin logged in from this browser before: it holds a device cookie.
    const { cspo_admin_device: device } = await login('192.0.2.10');
    // A guesser writes the admin's address into X-Forwarded-For, then guesses from the admin's own address (a shared NAT).
    for (let i = 0; i < 10; i++) await call('/login', '192.0.2.99', { body: { password: `guess-${i}` }, written: '192.0.2.10' });
    for (let i = 0; i < 10; i++) await call('/login', '192.0.2.10', { body: { password: `guess-${i}` } });
    expect((await call('/login', '192.0.2.10', { body: { password: PASSWORD } })).status).toBe(429);
    // The admin's browser is its own source: it logs in.
    expect((await login('192.0.2.10', { Cookie: `cspo_admin_device=${device}` })).cspo_admin).toMatch(/^\d+\.[\w-]+\.[\w-]+$/);
  });

  it.skipIf(Boolean(database.skip))(
    'spreads guessing over many addresses in vain: unknown browsers wait, the known one logs in',
    async () => {
      const spread = await startStandalone({ database: await database.create(), proxy: 1, admin: { password: PASSWORD } });
      const attempt = (address: string, password: string, cookie?: string) =>
        fetch(`${spread.url}/csp/admin/api/login`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'Sec-Fetch-Site': 'same-origin',
            'X-Forwarded-For': address,
            ...(cookie ? { Cookie: cookie } : {}),
          },
          body: JSON.stringify({ password }),
        });
      try {
        const known = cookies(await attempt('192.0.2.1', PASSWORD)).cspo_admin_device;
        // 100 failures in all, one from each of 100 addresses: the account's budget for unknown browsers.
        for (let i = 0; i < 100; i++) expect((await attempt(`10.2.${i}.1`, `guess-${i}`)).status).toBe(401);
        const unknown = await attempt('10.3.0.1', PASSWORD);
        expect(unknown.status).toBe(429);
        expect(unknown.headers.get('Retry-After')).toBe('900');
        expect((await attempt('10.3.0.2', PASSWORD, `cspo_admin_device=${known}`)).status).toBe(204);
      } finally {
        await spread.close();
      }
    },
  );

  it.skipIf(Boolean(database.skip))('marks the cookies Secure behind a TLS proxy, even one the app was not told to trust', async () => {
    const untrusting = await startStandalone({ database: await database.create(), admin: { password: PASSWORD } });
    try {
      const response = await fetch(`${untrusting.url}/csp/admin/api/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-origin', 'X-Forwarded-Proto': 'https' },
        body: JSON.stringify({ password: PASSWORD }),
      });
      expect(response.status).toBe(204);
      const lines = response.headers.getSetCookie();
      expect(lines[0]!.toLowerCase().split('; ')).toContain('secure');
      expect(lines.map((line) => line.split('=')[0])).toEqual(['cspo_admin', 'cspo_admin_device']);
      expect(lines[1]!.toLowerCase().split('; ')).toContain('secure');
    } finally {
      await untrusting.close();
    }
  });
});

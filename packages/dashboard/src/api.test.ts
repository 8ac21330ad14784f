import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { api, ApiError, query, setCsrfToken, whenUnauthorized } from './api';

type FetchMock = Mock<(url: string, init: RequestInit) => Promise<Response>>;
let fetchMock: FetchMock;

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

beforeEach(() => {
  fetchMock = vi.fn(async () => json(200, { ok: true }));
  vi.stubGlobal('fetch', fetchMock);
  // The module keeps these between calls: each test starts logged out of both.
  setCsrfToken(null);
  whenUnauthorized(() => {});
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('api', () => {
  it('GETs api/{path} relative to the page, same-origin credentials, JSON accepted, no body', async () => {
    await expect(api.get('overview?from=x')).resolves.toEqual({ ok: true });
    expect(fetchMock).toHaveBeenCalledWith('api/overview?from=x', {
      method: 'GET',
      headers: { Accept: 'application/json' },
      body: undefined,
      credentials: 'same-origin',
    });
  });

  it('sends a JSON body with POST and PUT, and {} when POST is given none', async () => {
    await api.post('rules', { id: 'x' });
    await api.put('rules/x', { enabled: false });
    await api.post('logout');
    const calls = fetchMock.mock.calls.map(([url, init]) => [
      url,
      init.method,
      init.body,
      (init.headers as Record<string, string>)['Content-Type'],
    ]);
    expect(calls).toEqual([
      ['api/rules', 'POST', '{"id":"x"}', 'application/json'],
      ['api/rules/x', 'PUT', '{"enabled":false}', 'application/json'],
      ['api/logout', 'POST', '{}', 'application/json'],
    ]);
  });

  it('DELETEs without a body', async () => {
    await api.del('rules/x');
    expect(fetchMock.mock.calls[0]![1]).toMatchObject({ method: 'DELETE', body: undefined });
  });

  it('sends the CSRF token with every call but GET, once known', async () => {
    await api.post('rules', {});
    expect(fetchMock.mock.calls[0]![1].headers).not.toHaveProperty('X-CSRF-Token');
    setCsrfToken('csrf-1');
    await api.get('rules');
    await api.post('rules', {});
    await api.put('rules/x', {});
    await api.del('rules/x');
    expect(fetchMock.mock.calls.slice(1).map(([, init]) => (init.headers as Record<string, string>)['X-CSRF-Token'])).toEqual([
      undefined,
      'csrf-1',
      'csrf-1',
      'csrf-1',
    ]);
    setCsrfToken(null);
    await api.post('logout');
    expect(fetchMock.mock.calls[5]![1].headers).not.toHaveProperty('X-CSRF-Token');
  });

  it('answers undefined for 204', async () => {
    fetchMock.mockResolvedValue(new Response(null, { status: 204 }));
    await expect(api.del('rules/x')).resolves.toBeUndefined();
  });

  it("throws an ApiError with the server's message and status", async () => {
    fetchMock.mockResolvedValue(json(400, { error: 'Invalid pattern' }));
    const error = await api.post('rules', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, message: 'Invalid pattern' });
  });

  it('says HTTP {status} when the error has no JSON message', async () => {
    fetchMock.mockResolvedValue(new Response('<html>Bad gateway</html>', { status: 502 }));
    await expect(api.get('overview')).rejects.toMatchObject({ status: 502, message: 'HTTP 502' });
    fetchMock.mockResolvedValue(json(500, { detail: 'x' }));
    await expect(api.get('overview')).rejects.toMatchObject({ status: 500, message: 'HTTP 500' });
  });

  it('tells the app when the login expired (401), but not for the login and session calls themselves', async () => {
    const expired = vi.fn();
    whenUnauthorized(expired);
    fetchMock.mockImplementation(async () => json(401, { error: 'Log in' }));
    await expect(api.get('overview')).rejects.toMatchObject({ status: 401, message: 'Log in' });
    expect(expired).toHaveBeenCalledTimes(1);
    await expect(api.post('login', { password: 'x' })).rejects.toMatchObject({ status: 401 });
    await expect(api.get('session')).rejects.toMatchObject({ status: 401 });
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('does not call it for other errors', async () => {
    const expired = vi.fn();
    whenUnauthorized(expired);
    fetchMock.mockResolvedValue(json(403, { error: 'Forbidden' }));
    await expect(api.get('overview')).rejects.toMatchObject({ status: 403 });
    expect(expired).not.toHaveBeenCalled();
  });
});

describe('query', () => {
  it('is empty without values', () => {
    expect(query({})).toBe('');
    expect(query({ a: undefined, b: null, c: '' })).toBe('');
  });

  it('keeps set values, zero included, encoded', () => {
    expect(query({ from: '2026-01-01T00:00:00.000Z', page: 0, q: 'a b&c', site: undefined })).toBe(
      '?from=2026-01-01T00%3A00%3A00.000Z&page=0&q=a+b%26c',
    );
  });
});

// @vitest-environment happy-dom
import type { AdminSite, AdminSites } from '@csp-observer/core';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { LOCAL_SITE, useSites } from './sites';

const container = document.createElement('div');
let sites: AdminSite[];
function Probe() {
  sites = useSites();
  return null;
}
let fetchMock: Mock<(url: string, init: RequestInit) => Promise<Response>>;
/** What fetch answers: a status and a JSON body. */
const answer = (status: number, body: unknown) => ({ status, ok: status >= 200 && status < 300, json: async () => body }) as Response;
/** Lets the answer reach the state. */
const flush = () =>
  act(async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  });

beforeEach(() => {
  fetchMock = vi.fn();
  vi.stubGlobal('fetch', fetchMock);
});
afterEach(() => {
  render(null, container);
  vi.unstubAllGlobals();
});

describe('useSites', () => {
  it("lists a collector's sites from GET api/sites", async () => {
    const list: AdminSite[] = [{ id: 'shop', origins: ['https://shop.example'], secrets: 1, graceUntil: [] }];
    fetchMock.mockResolvedValue(answer(200, { collector: true, sites: list } satisfies AdminSites));
    await act(async () => render(<Probe />, container));
    await flush();
    expect(fetchMock.mock.calls[0]![0]).toBe('api/sites');
    expect(sites).toEqual(list);
  });

  it('is empty while loading and on a server that is not a collector', async () => {
    fetchMock.mockResolvedValue(answer(200, { collector: false, sites: [] } satisfies AdminSites));
    await act(() => render(<Probe />, container));
    expect(sites).toEqual([]);
    await flush();
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(sites).toEqual([]);
  });

  it('is empty when the call fails', async () => {
    fetchMock.mockResolvedValue(answer(500, { error: 'HTTP 500' }));
    await act(() => render(<Probe />, container));
    await flush();
    expect(sites).toEqual([]);
  });

  it("names the collector's own pages `local`", () => {
    expect(LOCAL_SITE).toBe('local');
  });
});

// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hrefOf, navigate, parseHash, useRoute, type Route } from './route';

describe('parseHash', () => {
  it('reads the view path and its parameters', () => {
    expect(parseHash('#/reports?cause=malware&page=2')).toEqual({ path: ['reports'], params: { cause: 'malware', page: '2' } });
    expect(parseHash('#/sessions/abc')).toEqual({ path: ['sessions', 'abc'], params: {} });
  });

  it('is the empty route for no hash, `#` or `#/`', () => {
    for (const hash of ['', '#', '#/']) expect(parseHash(hash)).toEqual({ path: [], params: {} });
  });

  it('takes the hash without its slash, and drops empty path parts', () => {
    expect(parseHash('#reports//x/')).toEqual({ path: ['reports', 'x'], params: {} });
  });

  it('decodes path parts and parameters', () => {
    expect(parseHash('#/reports/a%2Fb%20c?q=https%3A%2F%2Fcdn.example%2Fx.js&r=a+b')).toEqual({
      path: ['reports', 'a/b c'],
      params: { q: 'https://cdn.example/x.js', r: 'a b' },
    });
  });

  it('reads back what hrefOf wrote', () => {
    const params = { q: "'unsafe-inline' & ?#", site: 'shop' };
    expect(parseHash(hrefOf('reports', params))).toEqual({ path: ['reports'], params });
  });
});

describe('hrefOf', () => {
  it('writes #/{path} and only the parameters that are set', () => {
    expect(hrefOf('overview')).toBe('#/overview');
    expect(hrefOf('reports', { days: '30', from: undefined, site: '' })).toBe('#/reports?days=30');
    expect(hrefOf('reports', { q: 'a b&c' })).toBe('#/reports?q=a+b%26c');
  });
});

describe('navigate and useRoute', () => {
  const container = document.createElement('div');
  afterEach(() => {
    render(null, container);
    location.hash = '';
    vi.restoreAllMocks();
  });

  it('follows the location hash', async () => {
    location.hash = '#/sessions?status=problems';
    const seen: Route[] = [];
    function Probe() {
      seen.push(useRoute());
      return null;
    }
    await act(() => render(<Probe />, container));
    expect(seen.at(-1)).toEqual({ path: ['sessions'], params: { status: 'problems' } });
    await act(async () => {
      navigate('reports', { rule: 'ext.grammarly', page: undefined });
      window.dispatchEvent(new Event('hashchange'));
    });
    expect(location.hash).toBe('#/reports?rule=ext.grammarly');
    expect(seen.at(-1)).toEqual({ path: ['reports'], params: { rule: 'ext.grammarly' } });
  });

  it('stops listening once unmounted', async () => {
    const added = vi.spyOn(window, 'addEventListener');
    const removed = vi.spyOn(window, 'removeEventListener');
    function Probe() {
      useRoute();
      return null;
    }
    await act(() => render(<Probe />, container));
    const listener = added.mock.calls.find(([type]) => type === 'hashchange')?.[1];
    expect(listener).toBeTypeOf('function');
    await act(() => render(null, container));
    expect(removed).toHaveBeenCalledWith('hashchange', listener);
  });
});

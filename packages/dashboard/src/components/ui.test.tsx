// @vitest-environment happy-dom
import type { AdminSites } from '@csp-observer/core';
import { render, type ComponentChild } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Card, causeLabel, Code, ErrorBox, Loading, Pager, PeriodPicker, Ranking } from './ui';

const container = document.createElement('div');
const show = (node: ComponentChild) => act(() => render(node, container));
const flush = () =>
  act(async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  });
const links = (selector = 'a') =>
  [...container.querySelectorAll<HTMLAnchorElement>(selector)].map((a) => [
    a.textContent,
    a.getAttribute('href'),
    a.getAttribute('aria-current'),
  ]);

let sites: AdminSites;
beforeEach(() => {
  // GET api/sites: a plain server has none.
  sites = { collector: false, sites: [] };
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => ({ status: 200, ok: true, json: async () => sites }) as Response),
  );
});
afterEach(() => {
  render(null, container);
  vi.unstubAllGlobals();
});

describe('small pieces', () => {
  it('Code shows report text as text', async () => {
    await show(<Code>{'<script>alert(1)</script>'}</Code>);
    expect(container.querySelector('code.value')!.textContent).toBe('<script>alert(1)</script>');
    expect(container.querySelector('script')).toBeNull();
  });

  it('Loading is a status, ErrorBox an alert', async () => {
    await show(<Loading />);
    expect(container.querySelector('[role="status"]')!.textContent).toBe('Loading…');
    await show(<ErrorBox message="HTTP 500" />);
    expect(container.querySelector('[role="alert"]')!.textContent).toBe('HTTP 500');
  });

  it('Card has a heading, and the wide class when asked', async () => {
    await show(<Card title="Top rules">x</Card>);
    expect(container.querySelector('section')!.className).toBe('card');
    expect(container.querySelector('h2')!.textContent).toBe('Top rules');
    await show(
      <Card title="Per day" wide>
        x
      </Card>,
    );
    expect(container.querySelector('section')!.className).toBe('card wide');
  });

  it('causeLabel says unknown for no cause', () => {
    expect(causeLabel(null)).toBe('unknown');
    expect(causeLabel('malware')).toBe('malware');
  });
});

describe('PeriodPicker', () => {
  it("links each preset, keeping the view's other parameters and dropping dates and page", async () => {
    await show(<PeriodPicker view="reports" params={{ cause: 'malware', from: '2026-01-01', to: '2026-01-02', page: '3' }} />);
    await flush();
    expect(links()).toEqual([
      ['Last 24 hours', '#/reports?cause=malware&days=1', null],
      ['Last 7 days', '#/reports?cause=malware&days=7', null],
      ['Last 30 days', '#/reports?cause=malware&days=30', null],
      ['Last 90 days', '#/reports?cause=malware&days=90', null],
    ]);
  });

  it('marks the current preset, 7 days by default', async () => {
    await show(<PeriodPicker view="overview" params={{}} />);
    expect(container.querySelector('[aria-current="true"]')!.textContent).toBe('Last 7 days');
    await show(<PeriodPicker view="overview" params={{ days: '30' }} />);
    expect(container.querySelector('[aria-current="true"]')!.textContent).toBe('Last 30 days');
  });

  it('has no site picker on a plain server', async () => {
    await show(<PeriodPicker view="overview" params={{}} />);
    await flush();
    expect(container.querySelector('nav[aria-label="Site"]')).toBeNull();
  });

  it("offers a collector's sites: all, each site, this server; keeping the period, dropping the page", async () => {
    sites = {
      collector: true,
      sites: [
        { id: 'shop', origins: [], secrets: 1, graceUntil: [] },
        { id: 'blog', origins: [], secrets: 1, graceUntil: [] },
      ],
    };
    await show(<PeriodPicker view="sessions" params={{ days: '30', site: 'shop', page: '2' }} />);
    await flush();
    expect(links('nav[aria-label="Site"] a')).toEqual([
      ['All sites', '#/sessions?days=30', null],
      ['shop', '#/sessions?days=30&site=shop', 'true'],
      ['blog', '#/sessions?days=30&site=blog', null],
      ['This server', '#/sessions?days=30&site=local', null],
    ]);
  });

  it('marks "All sites" when no site is chosen', async () => {
    sites = { collector: true, sites: [{ id: 'shop', origins: [], secrets: 1, graceUntil: [] }] };
    await show(<PeriodPicker view="overview" params={{}} />);
    await flush();
    expect(container.querySelector('nav[aria-label="Site"] [aria-current="true"]')!.textContent).toBe('All sites');
  });
});

describe('Ranking', () => {
  it('says the empty message without rows', async () => {
    await show(<Ranking rows={[]} empty="Nothing blocked in this period." />);
    expect(container.textContent).toBe('Nothing blocked in this period.');
    expect(container.querySelector('table')).toBeNull();
  });

  it('draws bars relative to the largest count, at least 2% wide', async () => {
    await show(
      <Ranking
        rows={[
          { label: 'a', count: 200 },
          { label: 'b', count: 50 },
          { label: 'c', count: 1 },
        ]}
        empty=""
      />,
    );
    const widths = [...container.querySelectorAll<HTMLElement>('.bar')].map((bar) => bar.style.width);
    expect(widths).toEqual(['100%', '25%', '2%']);
    expect([...container.querySelectorAll('td.num')].map((td) => td.textContent)).toEqual(['200', '50', '1']);
  });

  it('shows the title when there is one, linked by its label', async () => {
    await show(
      <Ranking
        rows={[
          { label: 'ext.grammarly', title: 'Grammarly', count: 3 },
          { label: 'plain', count: 1 },
        ]}
        empty=""
        link={(label) => `#/reports?rule=${label}`}
      />,
    );
    expect(links()).toEqual([
      ['Grammarly', '#/reports?rule=ext.grammarly', null],
      ['plain', '#/reports?rule=plain', null],
    ]);
  });

  it('shows plain labels without a link function', async () => {
    await show(
      <Ranking
        rows={[
          { label: 'sdk', count: 3 },
          { label: 'ext.x', title: 'Extension X', count: 1 },
        ]}
        empty=""
      />,
    );
    expect(container.querySelector('a')).toBeNull();
    expect([...container.querySelectorAll('.ranking-label')].map((td) => td.textContent)).toEqual(['sdk', 'Extension X']);
  });
});

describe('Pager', () => {
  const href = (page: number) => `#/reports?page=${page}`;

  it('links newer and older pages where there are some', async () => {
    await show(<Pager page={2} pageSize={10} total={25} href={href} />);
    expect(links()).toEqual([
      ['← Newer', '#/reports?page=1', null],
      ['Older →', '#/reports?page=3', null],
    ]);
    expect(container.querySelector('.muted')!.textContent).toBe('Page 2 of 3 · 25 in all');
  });

  it('has no newer link on the first page, no older link on the last', async () => {
    await show(<Pager page={1} pageSize={10} total={25} href={href} />);
    expect(links().map(([text]) => text)).toEqual(['Older →']);
    await show(<Pager page={3} pageSize={10} total={25} href={href} />);
    expect(links().map(([text]) => text)).toEqual(['← Newer']);
  });

  it('counts one page when there is nothing', async () => {
    await show(<Pager page={1} pageSize={10} total={0} href={href} />);
    expect(container.querySelector('.muted')!.textContent).toBe('Page 1 of 1 · 0 in all');
    expect(links()).toEqual([]);
  });

  it('counts a full last page as one page', async () => {
    await show(<Pager page={2} pageSize={10} total={20} href={href} />);
    expect(container.querySelector('.muted')!.textContent).toBe('Page 2 of 2 · 20 in all');
  });
});

describe('urlPieces', () => {
  it('splits a URL after / ? & # - and before . = so it wraps between its parts, never inside one', async () => {
    const { urlPieces } = await import('./ui');
    expect(urlPieces('https://cdn.example/lib/app.js?v=1&x=2')).toEqual([
      'https://',
      'cdn',
      '.example/',
      'lib/',
      'app',
      '.js?',
      'v',
      '=1&',
      'x',
      '=2',
    ]);
    expect(urlPieces('https://cdn.example/lib/app.js?v=1&x=2').join('')).toBe('https://cdn.example/lib/app.js?v=1&x=2');
    expect(urlPieces('/checkout/step-2')).toEqual(['/', 'checkout/', 'step-', '2']);
    expect(urlPieces('inline')).toEqual(['inline']);
    expect(urlPieces('malware.superfish')).toEqual(['malware.superfish']);
  });
});

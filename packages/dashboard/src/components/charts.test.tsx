// @vitest-environment happy-dom
import { render, type ComponentChild } from 'preact';
import { act } from 'preact/test-utils';
import type uPlot from 'uplot';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CAUSE_TONES, CHANNEL_TONES } from '../colors';
import { BarChart, bucketLabel, bucketsBetween, COUNT_INCRS, daysBetween, labelledSplits, TimelineChart, type TimelineRow } from './charts';

// uPlot draws on a canvas happy-dom does not have: a stand-in keeps what each chart was built with.
const charts = vi.hoisted(
  () => [] as Array<{ options: uPlot.Options; data: uPlot.AlignedData; el: HTMLElement; destroyed: boolean; sizes: unknown[] }>,
);
vi.mock('uplot', () => {
  class FakeUplot {
    static paths = { bars: (options: unknown) => ({ bars: options }) };
    height: number;
    record: (typeof charts)[number];
    constructor(options: uPlot.Options, data: uPlot.AlignedData, el: HTMLElement) {
      this.height = options.height;
      this.record = { options, data, el, destroyed: false, sizes: [] };
      charts.push(this.record);
    }
    setSize(size: unknown) {
      this.record.sizes.push(size);
    }
    destroy() {
      this.record.destroyed = true;
    }
  }
  return { default: FakeUplot };
});

const observers: Array<{ callback: () => void; disconnected: boolean }> = [];
class FakeResizeObserver {
  record: { callback: () => void; disconnected: boolean };
  constructor(callback: () => void) {
    this.record = { callback, disconnected: false };
    observers.push(this.record);
  }
  observe() {}
  disconnect() {
    this.record.disconnected = true;
  }
}

const container = document.createElement('div');
const show = (node: ComponentChild) => act(() => render(node, container));
const last = () => charts.at(-1)!;
type Axis = { splits: (u?: unknown) => number[]; values: (u: unknown, splits: number[]) => string[]; incrs?: number[] };
const xAxis = () => last().options.axes![0] as unknown as Axis;
const yAxis = () => last().options.axes![1] as unknown as Axis;
const yRange = () => last().options.scales!.y!.range as (u: unknown, min: number, max: number) => [number, number];
type Series = {
  label?: string;
  stroke?: string;
  fill?: string;
  value: (u: unknown, v: number | null, si: number, d: number | null) => string;
};
const series = () => last().options.series as unknown as Series[];

beforeEach(() => {
  charts.length = 0;
  observers.length = 0;
  vi.stubGlobal('ResizeObserver', FakeResizeObserver);
  vi.stubGlobal('matchMedia', () => ({ matches: false }));
});
afterEach(() => {
  render(null, container);
  vi.unstubAllGlobals();
});

describe('daysBetween', () => {
  it('lists the UTC days from the day of `from` up to `to`, excluded', () => {
    expect(daysBetween('2026-01-01T10:00:00.000Z', '2026-01-04T00:00:00.000Z')).toEqual(['2026-01-01', '2026-01-02', '2026-01-03']);
    expect(daysBetween('2026-01-01T10:00:00.000Z', '2026-01-04T00:00:01.000Z')).toEqual([
      '2026-01-01',
      '2026-01-02',
      '2026-01-03',
      '2026-01-04',
    ]);
  });

  it('crosses month and year ends', () => {
    expect(daysBetween('2025-12-30T23:59:00.000Z', '2026-01-01T12:00:00.000Z')).toEqual(['2025-12-30', '2025-12-31', '2026-01-01']);
  });

  it('is empty when `to` is not after the start of that day, and stops at 400 days', () => {
    expect(daysBetween('2026-01-05T00:00:00.000Z', '2026-01-01T00:00:00.000Z')).toEqual([]);
    const many = daysBetween('2000-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
    expect(many).toHaveLength(400);
    expect(many[0]).toBe('2000-01-01');
  });
});

describe('TimelineChart', () => {
  const days = ['2026-01-01', '2026-01-02', '2026-01-03'];
  const rows: TimelineRow[] = [
    { at: '2026-01-01', channel: 'sdk', count: 1 },
    { at: '2026-01-01', channel: 'report-uri', count: 4 },
    { at: '2026-01-03', channel: 'report-uri', count: 2 },
    { at: '2026-01-02', channel: 'csp-custom', count: 5 },
  ];
  const PerDayChart = ({ rows, days, label }: { rows: TimelineRow[]; days: string[]; label: string }) => (
    <TimelineChart rows={rows} buckets={days} bucket="day" label={label} />
  );

  it('stacks the channels (sorted): each series is drawn at the sum of itself and the ones after it', async () => {
    await show(<PerDayChart rows={rows} days={days} label="Reports per day" />);
    expect(
      series()
        .slice(1)
        .map((s) => s.label),
    ).toEqual(['csp-custom', 'report-uri', 'sdk']);
    expect(last().data).toEqual([
      [0, 1, 2],
      [5, 5, 2],
      [5, 0, 2],
      [1, 0, 0],
    ]);
  });

  it("shows each channel's own count and the day under the cursor, the period's totals and span without it (no placeholder)", async () => {
    await show(<PerDayChart rows={rows} days={days} label="Reports per day" />);
    const [day, custom, reportUri, sdk] = series();
    expect(day!.label).toBe('Day (UTC)');
    expect([day!.value(null, null, 0, null), day!.value(null, 1, 0, 1)]).toEqual(['2026-01-01 to 2026-01-03', '2026-01-02']);
    expect([0, 1, 2].map((d) => reportUri!.value(null, 0, 2, d))).toEqual(['4', '0', '2']);
    expect(custom!.value(null, 0, 1, 1)).toBe('5');
    expect([custom, reportUri, sdk].map((s) => s!.value(null, null, 0, null))).toEqual(['5', '6', '1']);
  });

  it('labels hours as HH:00, midnight as the day, and the legend with the full hour', async () => {
    const hours = bucketsBetween('2026-01-01T22:30:00.000Z', '2026-01-02T02:00:00.000Z', 'hour');
    expect(hours).toEqual(['2026-01-01T22:00:00.000Z', '2026-01-01T23:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-02T01:00:00.000Z']);
    await show(<TimelineChart rows={[{ at: hours[1]!, channel: 'sdk', count: 3 }]} buckets={hours} bucket="hour" label="x" />);
    expect(xAxis().values(null, [0, 1, 2, 3])).toEqual(['22:00', '23:00', '01-02', '01:00']);
    const [hour, sdk] = series();
    expect(hour!.label).toBe('Hour (UTC)');
    expect(hour!.value(null, 1, 0, 1)).toBe('2026-01-01 23:00');
    expect(hour!.value(null, null, 0, null)).toBe('2026-01-01 22:00 to 2026-01-02 01:00');
    expect(sdk!.value(null, 0, 1, 1)).toBe('3');
    expect(last().data[1]).toEqual([0, 3, 0, 0]);
  });

  it('colours the known channels from the colour table and the others from its fallbacks, dark shades in the dark', async () => {
    await show(<PerDayChart rows={rows} days={days} label="x" />);
    const [, custom, reportUri, sdk] = series();
    expect(reportUri!.stroke).toBe(CHANNEL_TONES['report-uri'].light);
    expect(sdk!.fill).toBe(CHANNEL_TONES.sdk.light);
    expect(custom!.stroke).toMatch(/^#[0-9a-f]{6}$/);
    expect(Object.values(CHANNEL_TONES).map((t) => t.light)).not.toContain(custom!.stroke);
    vi.stubGlobal('matchMedia', () => ({ matches: true }));
    await show(<PerDayChart rows={rows.slice(1)} days={days} label="x" />);
    expect(series()[2]!.fill).toBe(CHANNEL_TONES['report-uri'].dark);
  });

  it('counts in whole steps: the y axis offers uPlot only integer increments', async () => {
    await show(<PerDayChart rows={rows} days={days} label="x" />);
    expect(yAxis().incrs!.every(Number.isInteger)).toBe(true);
    expect(yAxis().incrs).toBe(COUNT_INCRS);
    expect(yAxis().values(null, [0, 1, 2, 1000])).toEqual(['0', '1', '2', '1,000']);
    expect(last().el.dataset.yTicks).toBe('0 1 2 1,000');
  });

  it('labels every day while the labels fit (56 px each), as MM-DD', async () => {
    const week = daysBetween('2026-01-01T00:00:00.000Z', '2026-01-08T00:00:00.000Z');
    await show(<PerDayChart rows={[]} days={week} label="x" />);
    expect(xAxis().splits({ width: 600 })).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(xAxis().values(null, [0, 6])).toEqual(['01-01', '01-07']);
  });

  it('labels every k-th bucket when they do not fit: a phone gets fewer labels', async () => {
    expect(labelledSplits(30, 600)).toEqual([0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
    expect(labelledSplits(25, 320)).toEqual([0, 5, 10, 15, 20]);
    expect(labelledSplits(3, 50)).toEqual([0, 2]);
    expect(bucketLabel('2026-01-05', 'day')).toBe('01-05');
  });

  it('scales y from 0 to a whole number 10% over the highest bar, at least to 1; x around the bars', async () => {
    await show(<PerDayChart rows={rows} days={days} label="x" />);
    expect(yRange()(null, 0, 0)).toEqual([0, 1]);
    expect(yRange()(null, 0, 1)).toEqual([0, 2]);
    expect(yRange()(null, 0, 50)).toEqual([0, 55]);
    expect(last().options.scales!.x!.range).toEqual([-0.6, 2.6]);
  });

  it('is an image with the label, in a box uPlot draws into, 600 px wide without layout', async () => {
    await show(<PerDayChart rows={rows} days={days} label="Reports per day" />);
    const box = container.querySelector<HTMLElement>('[data-testid="chart-timeline"]')!;
    expect(box.getAttribute('role')).toBe('img');
    expect(box.getAttribute('aria-label')).toBe('Reports per day');
    expect(last().el).toBe(box);
    expect(last().options.width).toBe(600);
    expect(last().options.height).toBe(240);
  });

  it('builds the chart again only when its rows or days change, and cleans up the old one', async () => {
    await show(<PerDayChart rows={rows} days={days} label="x" />);
    await show(<PerDayChart rows={rows.map((r) => ({ ...r }))} days={[...days]} label="x" />);
    expect(charts).toHaveLength(1);
    await show(<PerDayChart rows={rows.slice(1)} days={days} label="x" />);
    expect(charts).toHaveLength(2);
    expect(charts[0]!.destroyed).toBe(true);
    expect(observers[0]!.disconnected).toBe(true);
    await show(null);
    expect(charts[1]!.destroyed).toBe(true);
  });

  it('follows resizes of its box', async () => {
    await show(<PerDayChart rows={rows} days={days} label="x" />);
    observers[0]!.callback();
    Object.defineProperty(last().el, 'clientWidth', { value: 900, configurable: true });
    observers[0]!.callback();
    expect(last().sizes).toEqual([
      { width: 600, height: 240 },
      { width: 900, height: 240 },
    ]);
  });
});

describe('BarChart', () => {
  const tones = [CAUSE_TONES.extension, CAUSE_TONES.malware];
  type Bars = { bars: { disp: { fill: { values: () => string[] } } } };

  it('draws one bar per label, with its values, each in its own colour', async () => {
    await show(<BarChart labels={['extension', 'malware']} values={[3, 1]} label="By cause" tones={tones} testId="chart-causes" />);
    expect(last().data).toEqual([
      [0, 1],
      [3, 1],
    ]);
    expect(xAxis().splits()).toEqual([0, 1]);
    expect(xAxis().values(null, [0, 1])).toEqual(['extension', 'malware']);
    const [, bars] = series();
    expect(bars).toMatchObject({ label: 'By cause' });
    const paths = (bars as unknown as { paths: Bars }).paths;
    expect(paths.bars.disp.fill.values()).toEqual([CAUSE_TONES.extension.light, CAUSE_TONES.malware.light]);
    expect(last().options.legend).toEqual({ show: false });
    expect(container.querySelector('[data-testid="chart-causes"]')!.getAttribute('aria-label')).toBe('By cause');
  });

  it('scales y to a whole number 15% over the highest bar, in whole steps', async () => {
    await show(<BarChart labels={['a']} values={[20]} label="x" tones={[CAUSE_TONES.unknown]} />);
    expect(yRange()(null, 0, 20)).toEqual([0, 23]);
    expect(yAxis().incrs).toBe(COUNT_INCRS);
    expect(yRange()(null, 0, 0)).toEqual([0, 1]);
  });

  it('builds again when the values change', async () => {
    await show(<BarChart labels={['a', 'b']} values={[1, 2]} label="x" tones={tones} />);
    await show(<BarChart labels={['a', 'b']} values={[1, 2]} label="x" tones={tones} />);
    expect(charts).toHaveLength(1);
    await show(<BarChart labels={['a', 'b']} values={[1, 3]} label="x" tones={tones} />);
    expect(charts).toHaveLength(2);
  });
});

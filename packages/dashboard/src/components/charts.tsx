import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { channelTone, prefersDark, shade, type Tone } from '../colors';

const axisColor = () => (prefersDark() ? '#a3acbb' : '#5b6475');
const gridColor = () => (prefersDark() ? '#2f3540' : '#e6e9ef');

/**
 * The y axis of counts: whole-number steps only (uPlot picks the smallest that keeps its
 * spacing), so a chart of 1 or 2 reports is labelled 0, 1, 2 and never 0.2, 0.4...
 */
export const COUNT_INCRS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 1e7, 1e8, 1e9];

/** A count's scale: from 0 to a whole number a little over the highest bar, at least 1. */
export const countRange =
  (headroom: number) =>
  (_u: uPlot, _min: number, max: number): uPlot.Range.MinMax => [0, Math.max(1, Math.ceil(Math.round(max * headroom * 1000) / 1000))];

/** The y axis of counts, which writes the labels it drew into the chart box's `data-y-ticks` (read by the e2e layout checks: the canvas has no text). */
function countAxis(box: HTMLElement): uPlot.Axis {
  return {
    stroke: axisColor(),
    grid: { stroke: gridColor() },
    incrs: COUNT_INCRS,
    values: (_u, splits) => {
      const labels = splits.map((n) => n.toLocaleString('en'));
      box.dataset.yTicks = labels.join(' ');
      return labels;
    },
  };
}

/** A uPlot chart that fills its container's width and follows resizes. */
function useUplot(build: (width: number, box: HTMLElement) => uPlot.Options, data: uPlot.AlignedData, deps: unknown[]) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const chart = new uPlot(build(el.clientWidth || 600, el), data, el);
    const observer = new ResizeObserver(() => chart.setSize({ width: el.clientWidth || 600, height: chart.height }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, deps);
  return box;
}

/** A timeline's buckets: UTC hours (short periods) or UTC days. */
export type Bucket = 'hour' | 'day';

const HOUR = 3600_000;
const DAY = 86400_000;
/** The most buckets a timeline draws (400 days, or 7 days of hours). */
const MAX_BUCKETS = 400;

/**
 * Every UTC bucket from the one holding `from` up to `to` (excluded), by key: `YYYY-MM-DD` for
 * days (AdminDayCount.day), the hour's ISO date-time for hours (AdminHourCount.hour).
 */
export function bucketsBetween(from: string, to: string, bucket: Bucket): string[] {
  const size = bucket === 'hour' ? HOUR : DAY;
  const keys: string[] = [];
  const end = Date.parse(to);
  for (let at = Math.floor(Date.parse(from) / size) * size; at < end && keys.length < MAX_BUCKETS; at += size) {
    const iso = new Date(at).toISOString();
    keys.push(bucket === 'hour' ? iso : iso.slice(0, 10));
  }
  return keys;
}

/** Every UTC day from `from` to `to` (ISO date-times), as `YYYY-MM-DD`. */
export const daysBetween = (from: string, to: string): string[] => bucketsBetween(from, to, 'day');

/** A bucket's label on the x axis: `MM-DD` for a day; `HH:00` for an hour, `MM-DD` at midnight. */
export function bucketLabel(key: string, bucket: Bucket): string {
  if (bucket === 'day') return key.slice(5, 10);
  const hour = key.slice(11, 16);
  return hour === '00:00' ? key.slice(5, 10) : hour;
}

/** A bucket in the legend, in full: `2026-11-20` or `2026-11-20 14:00`. */
const bucketText = (key: string, bucket: Bucket) => (bucket === 'day' ? key : `${key.slice(0, 10)} ${key.slice(11, 16)}`);

/** The x splits to label: every bucket while they fit (about 56 px a label), else every k-th. */
export function labelledSplits(count: number, width: number): number[] {
  const room = Math.max(2, Math.floor(width / 56));
  const step = Math.max(1, Math.ceil(count / room));
  return Array.from({ length: count }, (_, i) => i).filter((i) => i % step === 0);
}

/** One count of a timeline: a bucket's key (see bucketsBetween), a channel, a count. */
export interface TimelineRow {
  at: string;
  channel: string;
  count: number;
}

/**
 * Reports per bucket, stacked by channel: series i is drawn at the sum of channels i..n, each
 * over the previous, so the visible bands are the channels. The legend shows each channel's
 * own count under the cursor and, with no bucket under the cursor, the period's totals.
 */
export function TimelineChart({ rows, buckets, bucket, label }: { rows: TimelineRow[]; buckets: string[]; bucket: Bucket; label: string }) {
  const channels = [...new Set(rows.map((r) => r.channel))].sort();
  const own = channels.map((channel) => buckets.map((at) => rows.find((r) => r.at === at && r.channel === channel)?.count ?? 0));
  const totals = own.map((values) => values.reduce((sum, n) => sum + n, 0));
  const stacked = own.map((_, i) => buckets.map((_, d) => own.slice(i).reduce((sum, values) => sum + (values[d] ?? 0), 0)));
  const xs = buckets.map((_, i) => i);
  const period = buckets.length ? `${bucketText(buckets[0]!, bucket)} to ${bucketText(buckets.at(-1)!, bucket)}` : 'no period';
  const box = useUplot(
    (width, el) => ({
      width,
      height: 240,
      cursor: { points: { show: false } },
      scales: {
        x: { time: false, range: [-0.6, Math.max(buckets.length - 0.4, 0.4)] },
        y: { range: countRange(1.1) },
      },
      axes: [
        {
          stroke: axisColor(),
          grid: { show: false },
          splits: (u) => labelledSplits(buckets.length, u?.width ?? width),
          values: (_u, splits) => splits.map((i) => (buckets[i] ? bucketLabel(buckets[i], bucket) : '')),
        },
        countAxis(el),
      ],
      series: [
        {
          label: bucket === 'hour' ? 'Hour (UTC)' : 'Day (UTC)',
          value: (_u, i) => (i === null ? period : bucketText(buckets[i] ?? '', bucket)),
        },
        ...channels.map((channel, i) => {
          const color = shade(channelTone(channel, i));
          return {
            label: channel,
            stroke: color,
            fill: color,
            width: 0,
            paths: uPlot.paths.bars!({ size: [0.7, 60] }),
            points: { show: false },
            value: (_u: uPlot, _v: number | null, _si: number, d: number | null) =>
              (d === null ? (totals[i] ?? 0) : (own[i]?.[d] ?? 0)).toLocaleString('en'),
          };
        }),
      ],
    }),
    [xs, ...stacked],
    [JSON.stringify(rows), buckets.join(), bucket],
  );
  return <div class="chart" ref={box} role="img" aria-label={label} data-testid="chart-timeline" />;
}

/** One bar per category, each in its own colour (a cause's from the colour table). */
export function BarChart({
  labels,
  values,
  label,
  tones,
  testId,
}: {
  labels: string[];
  values: number[];
  label: string;
  tones: Tone[];
  testId?: string;
}) {
  const xs = labels.map((_, i) => i);
  const colors = tones.map(shade);
  const box = useUplot(
    (width, el) => ({
      width,
      height: 220,
      legend: { show: false },
      scales: {
        x: { time: false, range: [-0.6, Math.max(labels.length - 0.4, 0.4)] },
        y: { range: countRange(1.15) },
      },
      axes: [
        { stroke: axisColor(), grid: { show: false }, splits: () => xs, values: (_u, splits) => splits.map((i) => labels[i] ?? '') },
        countAxis(el),
      ],
      series: [
        {},
        {
          label,
          width: 0,
          // Each bar its own colour: uPlot's bars take per-bar fills when the series has no stroke width.
          paths: uPlot.paths.bars!({ size: [0.6, 80], disp: { fill: { unit: 3, values: () => colors } } }),
          points: { show: false },
        },
      ],
    }),
    [xs, values],
    [labels.join('\u0000'), values.join(','), colors.join()],
  );
  return <div class="chart" ref={box} role="img" aria-label={label} data-testid={testId} />;
}

import type { AdminDayCount } from '@csp-observer/core';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** Channel colours, also used by the legends. */
export const CHANNEL_COLORS: Record<string, string> = { 'report-uri': '#1f5fbf', 'report-to': '#8250df', sdk: '#1a7f37' };
const FALLBACK_COLORS = ['#bf8700', '#cf222e', '#0a7ea4', '#6e7781'];

const axisColor = () => (matchMedia('(prefers-color-scheme: dark)').matches ? '#a3acbb' : '#5b6475');

/** A uPlot chart that fills its container's width and follows resizes. */
function useUplot(build: (width: number) => uPlot.Options, data: uPlot.AlignedData, deps: unknown[]) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const chart = new uPlot(build(el.clientWidth || 600), data, el);
    const observer = new ResizeObserver(() => chart.setSize({ width: el.clientWidth || 600, height: chart.height }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, deps);
  return box;
}

/** Every UTC day from `from` to `to` (ISO date-times), as `YYYY-MM-DD`. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const end = Date.parse(to);
  for (let at = Date.parse(`${from.slice(0, 10)}T00:00:00Z`); at < end && days.length < 400; at += 86400_000)
    days.push(new Date(at).toISOString().slice(0, 10));
  return days;
}

/**
 * Reports per day, stacked by channel: series i is drawn at the sum of channels i..n, each over
 * the previous, so the visible bands are the channels; the legend shows each channel's own count.
 */
export function PerDayChart({ rows, days, label }: { rows: AdminDayCount[]; days: string[]; label: string }) {
  const channels = [...new Set(rows.map((r) => r.channel))].sort();
  const own = channels.map((channel) => days.map((day) => rows.find((r) => r.day === day && r.channel === channel)?.count ?? 0));
  const stacked = own.map((_, i) => days.map((_, d) => own.slice(i).reduce((sum, values) => sum + (values[d] ?? 0), 0)));
  const xs = days.map((_, i) => i);
  const box = useUplot(
    (width) => ({
      width,
      height: 240,
      cursor: { points: { show: false } },
      scales: {
        x: { time: false, range: [-0.6, Math.max(days.length - 0.4, 0.4)] },
        y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
      },
      axes: [
        {
          stroke: axisColor(),
          splits: () => xs.filter((i) => days.length <= 14 || i % Math.ceil(days.length / 14) === 0),
          values: (_u, splits) => splits.map((i) => days[i]?.slice(5) ?? ''),
        },
        { stroke: axisColor() },
      ],
      series: [
        { label: 'Day', value: (_u, i) => (i === null ? '--' : (days[i] ?? '')) },
        ...channels.map((channel, i) => {
          const color = CHANNEL_COLORS[channel] ?? FALLBACK_COLORS[i % 4]!;
          return {
            label: channel,
            stroke: color,
            fill: color,
            paths: uPlot.paths.bars!({ size: [0.7, 60] }),
            points: { show: false },
            value: (_u: uPlot, _v: number | null, _si: number, d: number | null) => (d === null ? '--' : String(own[i]?.[d] ?? 0)),
          };
        }),
      ],
    }),
    [xs, ...stacked],
    [JSON.stringify(rows), days.join()],
  );
  return <div class="chart" ref={box} role="img" aria-label={label} data-testid="chart-per-day" />;
}

/** One bar per category. */
export function BarChart({
  labels,
  values,
  label,
  color = '#1f5fbf',
  testId,
}: {
  labels: string[];
  values: number[];
  label: string;
  color?: string;
  testId?: string;
}) {
  const xs = labels.map((_, i) => i);
  const box = useUplot(
    (width) => ({
      width,
      height: 220,
      legend: { show: false },
      scales: {
        x: { time: false, range: [-0.6, Math.max(labels.length - 0.4, 0.4)] },
        y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] },
      },
      axes: [
        { stroke: axisColor(), splits: () => xs, values: (_u, splits) => splits.map((i) => labels[i] ?? '') },
        { stroke: axisColor() },
      ],
      series: [{}, { label, stroke: color, fill: `${color}cc`, paths: uPlot.paths.bars!({ size: [0.6, 80] }), points: { show: false } }],
    }),
    [xs, values],
    [labels.join('\u0000'), values.join(',')],
  );
  return <div class="chart" ref={box} role="img" aria-label={label} data-testid={testId} />;
}

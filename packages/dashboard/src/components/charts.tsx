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

export interface DaySeries {
  day: string;
  channel: string;
  count: number;
}

/** Reports per day, one line per channel. */
export function PerDayChart({ rows, label }: { rows: DaySeries[]; label: string }) {
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const channels = [...new Set(rows.map((r) => r.channel))].sort();
  const xs = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
  const series = channels.map((channel) => days.map((day) => rows.find((r) => r.day === day && r.channel === channel)?.count ?? 0));
  const box = useUplot(
    (width) => ({
      width,
      height: 240,
      scales: { x: { time: true, range: (_u, min, max) => (min === max ? [min - 86400, max + 86400] : [min, max]) }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [{ stroke: axisColor() }, { stroke: axisColor() }],
      series: [{}, ...channels.map((channel, i) => ({ label: channel, stroke: CHANNEL_COLORS[channel] ?? FALLBACK_COLORS[i % 4], width: 2, points: { show: true, size: 6 } }))],
    }),
    [xs, ...series],
    [JSON.stringify(rows)],
  );
  return <div class="chart" ref={box} role="img" aria-label={label} data-testid="chart-per-day" />;
}

/** One bar per category. */
export function BarChart({ labels, values, label, color = '#1f5fbf', testId }: { labels: string[]; values: number[]; label: string; color?: string; testId?: string }) {
  const xs = labels.map((_, i) => i);
  const box = useUplot(
    (width) => ({
      width,
      height: 220,
      legend: { show: false },
      scales: { x: { time: false, range: [-0.6, Math.max(labels.length - 0.4, 0.4)] }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] } },
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

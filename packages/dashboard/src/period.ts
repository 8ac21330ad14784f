/** The period a view covers: the last N days, or explicit dates (UTC days). */
export interface PeriodParams {
  days?: string;
  from?: string;
  to?: string;
}

export const PRESETS = [
  ['1', 'Last 24 hours'],
  ['7', 'Last 7 days'],
  ['30', 'Last 30 days'],
  ['90', 'Last 90 days'],
] as const;

/** The API's from/to for the route's period parameters (default the last 7 days). */
export function periodQuery(params: PeriodParams): { from: string; to?: string } {
  if (params.from) return { from: params.from, ...(params.to ? { to: params.to } : {}) };
  const days = Number(params.days) > 0 ? Number(params.days) : 7;
  return { from: new Date(Date.now() - days * 86400_000).toISOString() };
}

export const formatTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/** The period a view covers: the last N days, or explicit dates (UTC days). */
export interface PeriodParams {
  days?: string;
  from?: string;
  to?: string;
  /** A collector's site (or `local`); absent for every site. */
  site?: string;
}

export const PRESETS = [
  ['1', 'Last 24 hours'],
  ['7', 'Last 7 days'],
  ['30', 'Last 30 days'],
  ['90', 'Last 90 days'],
] as const;

/** The API's from/to/site for the route's period parameters (default the last 7 days, every site). */
export function periodQuery(params: PeriodParams): { from: string; to?: string; site?: string } {
  const site = params.site ? { site: params.site } : {};
  if (params.from) return { from: params.from, ...(params.to ? { to: params.to } : {}), ...site };
  const days = Number(params.days) > 0 ? Number(params.days) : 7;
  // To the minute: the query is a view's data key, and a `from` that moved with every render
  // made each answer stale before it arrived (a view could reload forever and never show).
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  return { from: new Date(now - days * 86400_000).toISOString(), ...site };
}

/** Periods up to this long are drawn per hour (an incident's view); longer ones per day. */
export const HOURLY_UP_TO_MS = 2 * 86400_000;

/**
 * How a period's timeline is bucketed: per UTC hour up to two days (the "Last 24 hours" preset,
 * a date range of one or two days), per UTC day beyond. A bare date `to` includes that day, as
 * the API reads it.
 */
export function bucketOf(params: PeriodParams): 'hour' | 'day' {
  const query = periodQuery(params);
  const day = /^\d{4}-\d{2}-\d{2}$/;
  const from = Date.parse(day.test(query.from) ? `${query.from}T00:00:00Z` : query.from);
  const to = query.to
    ? Date.parse(day.test(query.to) ? `${query.to}T00:00:00Z` : query.to) + (day.test(query.to) ? 86400_000 : 0)
    : Date.now();
  return Number.isFinite(from) && Number.isFinite(to) && to - from <= HOURLY_UP_TO_MS ? 'hour' : 'day';
}

/** The route parameters that say what a view looks at, to keep in links to other views. */
export const scopeOf = (params: PeriodParams) => ({ days: params.days, from: params.from, to: params.to, site: params.site });

export const formatTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

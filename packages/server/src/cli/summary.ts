import { Command, Option } from 'commander';
import { summarize, type Summary } from '../storage/summary-queries.js';
import { dbOption, dateTime, EXIT, fail, positiveInteger, withDatabase, EXIT_CODES_HELP } from './common.js';

function startOfToday(): Date {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d;
}

function table(title: string, rows: Array<{ uri: string; count: number }>): string[] {
  if (rows.length === 0) return [title, '  (none)'];
  const width = Math.max(...rows.map((r) => String(r.count).length));
  return [title, ...rows.map((r) => `  ${String(r.count).padStart(width)}  ${r.uri}`)];
}

function counts(values: Record<string, number>): string {
  const entries = Object.entries(values);
  return entries.length ? entries.map(([k, v]) => `${k} ${v}`).join(', ') : 'none';
}

/** The human-readable summary, as django-csp-reports prints it, plus causes, channels and drops. */
export function formatSummary(s: Summary, top: number): string {
  return [
    `CSP report summary from ${s.since} to ${s.to}`,
    `Reports: ${s.total} (valid ${s.valid}, invalid ${s.invalid})`,
    '',
    ...table(`Top ${top} violation sources (document URI)`, s.sources),
    '',
    ...table(`Top ${top} blocked URIs`, s.blocked),
    '',
    `Top ${top} invalid reports`,
    ...(s.invalid_reports.length
      ? s.invalid_reports.map((r) => `  #${r.id} ${r.received_at} ${r.problems.join('; ')}\n    ${r.raw.slice(0, 200)}`)
      : ['  (none)']),
    '',
    `Causes: ${counts(s.causes)}`,
    `Channels: ${counts(s.channels)}`,
    `Dropped: ${s.dropped.total}${s.dropped.total ? ` (${counts(s.dropped.by_reason)})` : ''}`,
  ].join('\n');
}

export const summaryCommand = new Command('summary')
  .description('summarize the reports of a period (default: yesterday)')
  .addOption(dbOption())
  .addHelpText('after', EXIT_CODES_HELP)
  .addOption(new Option('--since <date>', 'oldest report included (default: yesterday 00:00)').argParser(dateTime))
  .addOption(new Option('--to <date>', 'reports before this (default: today 00:00; now when --since is given)').argParser(dateTime))
  .addOption(new Option('--top <n>', 'rows per ranking').default(10).argParser(positiveInteger))
  .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
  .action(async (opts: { db: string; since?: Date; to?: Date; top: number; format: 'text' | 'json' }) => {
    // `--since` alone means "since then": up to now, not up to today's midnight (before it, for a --since of today).
    const to = opts.to ?? (opts.since ? new Date() : startOfToday());
    const since = opts.since ?? new Date(to.getTime() - 86400_000);
    if (since >= to) fail(`--since (${since.toISOString()}) must be before --to (${to.toISOString()})`, EXIT.usage);
    const summary = await withDatabase(opts.db, (db) => summarize(db, since, to, opts.top), { mustExist: true });
    console.log(opts.format === 'json' ? JSON.stringify(summary, null, 2) : formatSummary(summary, opts.top));
  });

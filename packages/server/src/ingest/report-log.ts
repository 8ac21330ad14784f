import type { Logger } from '../logger.js';
import type { LogLevel } from '../options/ingest-options.js';
import type { ReceivedReport } from '../report/received-report.js';

/** One log line a report, as django-csp-reports' CSP_REPORTS_LOG: what was blocked, where, by which channel. */
export function logReport(logger: Logger, level: LogLevel, name: string, report: ReceivedReport): void {
  const v = report.violation;
  const what = v
    ? `${v.effectiveDirective || '?'} blocked ${JSON.stringify(v.blockedUri)} on ${v.documentUri || report.url || '?'}`
    : `${report.type} report from ${report.url || '?'}`;
  const line = `[${name}] ${what} (${report.channel}${report.valid ? '' : `, invalid: ${report.problems.join('; ')}`})`;
  const write = level === 'debug' ? (logger.debug ?? logger.info) : logger[level];
  write.call(logger, line);
}

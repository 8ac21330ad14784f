import type { Logger } from '../logger.js';
import type { LogLevel } from '../options/ingest-options.js';
import type { ReceivedReport } from '../report/received-report.js';

/** Control characters (newlines first) and Unicode line separators, which would start a forged line. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

const ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A field as it may appear in a log line: control characters escaped as in JSON (`\n`, `\u001b`). */
export function logSafe(text: string): string {
  return text.replace(UNSAFE, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One log line a report, as django-csp-reports' CSP_REPORTS_LOG: what was blocked, where, by which channel. */
export function logReport(logger: Logger, level: LogLevel, name: string, report: ReceivedReport): void {
  const v = report.violation;
  const what = v
    ? `${logSafe(v.effectiveDirective || '?')} blocked ${JSON.stringify(v.blockedUri)} on ${logSafe(v.documentUri || report.url || '?')}`
    : `${logSafe(report.type)} report from ${logSafe(report.url || '?')}`;
  const line = `[${name}] ${what} (${report.channel}${report.valid ? '' : `, invalid: ${logSafe(report.problems.join('; '))}`})`;
  if (level !== 'debug') logger[level](line);
  else if (logger.debug) logger.debug(line);
  else logger.info(line);
}

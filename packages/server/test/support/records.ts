import type { ReportRecord } from '../../src/report/report-record.js';

/** A valid report row with every field set; tests override what they are about. */
export function reportRecord(overrides: Partial<ReportRecord> = {}): ReportRecord {
  return {
    sessionId: 'S'.repeat(22),
    site: '',
    channel: 'report-uri',
    reportType: 'csp-violation',
    receivedAt: Date.now(),
    documentUri: 'https://a.test/',
    referrer: '',
    blockedUri: 'eval',
    effectiveDirective: 'script-src',
    violatedDirective: 'script-src',
    originalPolicy: "script-src 'self'",
    disposition: 'report',
    sourceFile: '',
    lineNumber: 0,
    columnNumber: 0,
    statusCode: 200,
    sample: '',
    fingerprint: '0123456789abcdef',
    isValid: true,
    problems: [],
    raw: '{}',
    userAgent: 'UA',
    ip: '127.0.0.0',
    cause: null,
    ruleId: null,
    via: null,
    extra: null,
    sdkSeq: null,
    ...overrides,
  };
}

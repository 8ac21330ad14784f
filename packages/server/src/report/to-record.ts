import { emptyViolation, fingerprint, scrubUrls, stripQuery, type SdkHiddenElement } from '@csp-observer/core';
import { HIDDEN_ELEMENT_TYPE } from './report-types.js';
import { siteOfSession } from '../session/session-token.js';
import type { ReportRecord } from './report-record.js';
import type { ReceivedReport } from './received-report.js';

/** The raw body kept per report is evidence, bounded like the request that carried it. */
const MAX_RAW = 64 * 1024;

function serializeRaw(raw: unknown): string {
  const text = typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? '');
  return text.length > MAX_RAW ? text.slice(0, MAX_RAW) : text;
}

/**
 * The row stored for a report. The fingerprint is taken from the full URLs (both channels see
 * the same), then `strip` removes query strings and fragments from the URLs and the raw body.
 */
export function toRecord(report: ReceivedReport, strip: boolean, extra: Record<string, unknown> | undefined): ReportRecord {
  const v = report.violation;
  const url = strip ? stripQuery : (value: string) => value;
  const raw = serializeRaw(report.raw);
  return {
    sessionId: report.sessionId,
    site: report.site,
    channel: report.channel,
    reportType: report.type,
    receivedAt: report.receivedAt,
    documentUri: url(v?.documentUri || report.url),
    referrer: url(v?.referrer ?? ''),
    blockedUri: url(v?.blockedUri ?? ''),
    effectiveDirective: v?.effectiveDirective ?? '',
    violatedDirective: v?.violatedDirective ?? '',
    originalPolicy: v?.originalPolicy ?? '',
    disposition: v?.disposition ?? '',
    sourceFile: url(v?.sourceFile ?? ''),
    lineNumber: v?.lineNumber ?? 0,
    columnNumber: v?.columnNumber ?? 0,
    statusCode: v?.statusCode ?? 0,
    // A sample may quote a URL (an eval'd string, a blocked script's first characters).
    sample: strip ? scrubUrls(v?.sample ?? '') : (v?.sample ?? ''),
    fingerprint: v && report.sessionId ? fingerprint(v) : null,
    isValid: report.valid,
    problems: report.problems,
    raw: strip ? scrubUrls(raw) : raw,
    userAgent: report.userAgent,
    ip: report.ip,
    cause: report.rule?.cause ?? null,
    ruleId: report.rule?.id ?? null,
    via: report.via,
    extra: extra === undefined ? null : JSON.stringify(extra),
    sdkSeq: report.sdkSeq,
  };
}

const MAX_HIDDEN_FIELD = 2048;

/** The row for an element the tripwire found: forbidden by the policy, ran, and never reported. */
export function hiddenElementRecord(
  element: SdkHiddenElement,
  sessionId: string,
  receivedAt: number,
  ip: string,
  userAgent: string,
  strip: boolean,
): ReportRecord {
  const tag = element.tag.slice(0, MAX_HIDDEN_FIELD);
  const directive = element.directive.slice(0, MAX_HIDDEN_FIELD);
  const fullUrl = element.url.slice(0, MAX_HIDDEN_FIELD);
  const url = strip ? stripQuery(fullUrl) : fullUrl;
  return {
    sessionId,
    site: siteOfSession(sessionId),
    channel: 'sdk',
    reportType: HIDDEN_ELEMENT_TYPE,
    receivedAt,
    ...emptyViolation(),
    blockedUri: url,
    effectiveDirective: directive.slice(0, 64),
    sample: tag.slice(0, 40),
    fingerprint: null,
    isValid: true,
    problems: [],
    raw: JSON.stringify({ tag, url, directive }),
    userAgent,
    ip,
    cause: null,
    ruleId: null,
    via: 'listener',
    extra: null,
    sdkSeq: element.seq ?? null,
  };
}

/**
 * The report with query strings and fragments removed from its URLs and raw body, for the
 * built-in outputs (log lines, e-mail) under `stripQuery`. Custom handlers get the full report.
 */
export function withoutQueries(report: ReceivedReport): ReceivedReport {
  const v = report.violation;
  return {
    ...report,
    url: stripQuery(report.url),
    violation: v && {
      ...v,
      documentUri: stripQuery(v.documentUri),
      referrer: stripQuery(v.referrer),
      blockedUri: stripQuery(v.blockedUri),
      sourceFile: stripQuery(v.sourceFile),
      sample: scrubUrls(v.sample),
    },
    raw: typeof report.raw === 'string' ? scrubUrls(report.raw) : JSON.parse(scrubUrls(JSON.stringify(report.raw) ?? 'null')),
  };
}

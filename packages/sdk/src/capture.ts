import { fingerprintFields, SAMPLE_LENGTH, SDK_EVENT_FIELDS, type SdkViolationEvent } from '@csp-observer/core';

/** Copies the fields the server needs from a `securitypolicyviolation` event. */
export function fromEvent(event: SecurityPolicyViolationEvent): SdkViolationEvent {
  const out: Record<string, unknown> = {};
  for (const field of SDK_EVENT_FIELDS) out[field] = (event as unknown as Record<string, unknown>)[field] ?? '';
  out.t = Math.round(event.timeStamp);
  out.source = 'listener';
  return out as unknown as SdkViolationEvent;
}

/** The body of a ReportingObserver `csp-violation` report (URL spellings differ from the event's). */
export interface CspReportBody {
  documentURL?: string;
  referrer?: string | null;
  blockedURL?: string | null;
  effectiveDirective?: string;
  originalPolicy?: string;
  sourceFile?: string | null;
  sample?: string | null;
  disposition?: string;
  statusCode?: number;
  lineNumber?: number | null;
  columnNumber?: number | null;
}

/** Where a report body names an event field differently (it has no violatedDirective). */
const REPORT_NAMES: Record<string, string> = {
  documentURI: 'documentURL',
  blockedURI: 'blockedURL',
  violatedDirective: 'effectiveDirective',
};

/** The same violation as the event would describe it, from a ReportingObserver report. */
export function fromReportBody(body: CspReportBody): SdkViolationEvent {
  const out: Record<string, unknown> = {};
  for (const field of SDK_EVENT_FIELDS) {
    // Missing numbers (lineNumber, columnNumber, statusCode) are 0, as in the event.
    out[field] = (body as Record<string, unknown>)[REPORT_NAMES[field] ?? field] ?? (/Number|Code/.test(field) ? 0 : '');
  }
  out.t = Math.round(performance.now());
  out.source = 'observer';
  return out as unknown as SdkViolationEvent;
}

/**
 * What one violation looks like from both the listener and the observer: the fields the
 * fingerprint uses, and the sample (both carry it in every engine). Used to count each
 * violation once on the page.
 */
export function violationKey(e: SdkViolationEvent): string {
  return fingerprintFields({
    documentUri: e.documentURI,
    referrer: e.referrer,
    blockedUri: e.blockedURI,
    effectiveDirective: e.effectiveDirective,
    violatedDirective: e.violatedDirective,
    originalPolicy: '',
    disposition: e.disposition,
    sourceFile: e.sourceFile,
    lineNumber: e.lineNumber,
    columnNumber: e.columnNumber,
    statusCode: e.statusCode,
    sample: e.sample,
  })
    .concat(e.sample.slice(0, SAMPLE_LENGTH))
    .join('\n');
}

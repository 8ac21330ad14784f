import { fingerprintFields, SDK_EVENT_FIELDS, type SdkViolationEvent } from '@csp-observer/core';

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

/** The same violation as the event would describe it, from a ReportingObserver report. */
export function fromReportBody(body: CspReportBody): SdkViolationEvent {
  return {
    documentURI: body.documentURL ?? '',
    referrer: body.referrer ?? '',
    blockedURI: body.blockedURL ?? '',
    effectiveDirective: body.effectiveDirective ?? '',
    violatedDirective: body.effectiveDirective ?? '',
    originalPolicy: body.originalPolicy ?? '',
    disposition: body.disposition ?? '',
    sourceFile: body.sourceFile ?? '',
    lineNumber: body.lineNumber ?? 0,
    columnNumber: body.columnNumber ?? 0,
    statusCode: body.statusCode ?? 0,
    sample: body.sample ?? '',
    t: Math.round(performance.now()),
    source: 'observer',
  };
}

/**
 * What one violation looks like from both the listener and the observer: the fields the
 * fingerprint uses. Used to count each violation once on the page.
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
  }).join('\n');
}

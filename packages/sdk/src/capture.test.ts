import { SAMPLE_LENGTH, SDK_EVENT_FIELDS, type SdkViolationEvent } from '@csp-observer/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fromEvent, fromReportBody, violationKey, type CspReportBody } from './capture.js';

/** What a browser's SecurityPolicyViolationEvent carries (with fields of Event the wire has no use for). */
const domEvent = (fields: Partial<Record<keyof SecurityPolicyViolationEvent, unknown>> = {}) =>
  ({
    type: 'securitypolicyviolation',
    isTrusted: true,
    bubbles: true,
    timeStamp: 1234.56,
    documentURI: 'https://site.example/page#top',
    referrer: 'https://search.example/',
    blockedURI: 'https://cdn.example/x.js',
    effectiveDirective: 'script-src-elem',
    violatedDirective: 'script-src-elem',
    originalPolicy: "script-src 'self'; report-uri /csp/report",
    disposition: 'report',
    sourceFile: 'https://site.example/app.js',
    lineNumber: 12,
    columnNumber: 7,
    statusCode: 200,
    sample: '',
    ...fields,
  }) as unknown as SecurityPolicyViolationEvent;

/** The ReportingObserver body of the same violation, in its own spellings. */
const reportBody = (fields: Partial<CspReportBody> = {}): CspReportBody => ({
  documentURL: 'https://site.example/page#top',
  referrer: 'https://search.example/',
  blockedURL: 'https://cdn.example/x.js',
  effectiveDirective: 'script-src-elem',
  originalPolicy: "script-src 'self'; report-uri /csp/report",
  sourceFile: 'https://site.example/app.js',
  sample: '',
  disposition: 'report',
  statusCode: 200,
  lineNumber: 12,
  columnNumber: 7,
  ...fields,
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('fromEvent', () => {
  it('copies exactly the wire fields, with the time rounded and the source', () => {
    expect(fromEvent(domEvent())).toEqual({
      documentURI: 'https://site.example/page#top',
      referrer: 'https://search.example/',
      blockedURI: 'https://cdn.example/x.js',
      effectiveDirective: 'script-src-elem',
      violatedDirective: 'script-src-elem',
      originalPolicy: "script-src 'self'; report-uri /csp/report",
      disposition: 'report',
      sourceFile: 'https://site.example/app.js',
      lineNumber: 12,
      columnNumber: 7,
      statusCode: 200,
      sample: '',
      t: 1235,
      source: 'listener',
    });
  });

  it('keeps zeros and writes "" for a field the engine left out', () => {
    const event = fromEvent(domEvent({ statusCode: 0, lineNumber: 0, sample: undefined, referrer: null }));
    expect(event.statusCode).toBe(0);
    expect(event.lineNumber).toBe(0);
    expect(event.sample).toBe('');
    expect(event.referrer).toBe('');
  });

  it('has every field of SDK_EVENT_FIELDS', () => {
    expect(Object.keys(fromEvent(domEvent())).sort()).toEqual([...SDK_EVENT_FIELDS, 't', 'source'].sort());
  });
});

describe('fromReportBody', () => {
  it("renames the report's URL fields, takes violatedDirective from effectiveDirective, and stamps the time", () => {
    vi.spyOn(performance, 'now').mockReturnValue(99.5);
    expect(fromReportBody(reportBody())).toEqual({ ...fromEvent(domEvent()), t: 100, source: 'observer' });
  });

  it('writes 0 for missing numbers and "" for missing or null text', () => {
    const event = fromReportBody({ effectiveDirective: 'img-src', blockedURL: null, sourceFile: null, sample: null, lineNumber: null });
    expect(event).toMatchObject({
      documentURI: '',
      referrer: '',
      blockedURI: '',
      sourceFile: '',
      sample: '',
      disposition: '',
      originalPolicy: '',
      lineNumber: 0,
      columnNumber: 0,
      statusCode: 0,
    });
    expect(event.violatedDirective).toBe('img-src');
  });
});

describe('violationKey', () => {
  const key = (fields: Partial<Record<keyof SecurityPolicyViolationEvent, unknown>> = {}) => violationKey(fromEvent(domEvent(fields)));

  it('is the same for the listener event and the observer report of one violation', () => {
    expect(violationKey(fromReportBody(reportBody()))).toBe(key());
    expect(violationKey(fromReportBody(reportBody({ sample: 'alert(1)' })))).toBe(key({ sample: 'alert(1)' }));
  });

  it('ignores what only one channel carries or what says nothing of the violation: time, source, seq, policy, referrer, fragment', () => {
    const base = key();
    expect(violationKey({ ...fromEvent(domEvent()), t: 5, source: 'observer', seq: 3 } as SdkViolationEvent)).toBe(base);
    expect(key({ originalPolicy: "default-src 'none'", referrer: '', documentURI: 'https://site.example/page' })).toBe(base);
  });

  it('compares samples to the length reports keep', () => {
    const long = 'x'.repeat(SAMPLE_LENGTH);
    expect(key({ sample: `${long}AAA` })).toBe(key({ sample: `${long}BBB` }));
    expect(key({ sample: `${long.slice(1)}A` })).not.toBe(key({ sample: `${long.slice(1)}B` }));
  });

  it('tells different violations apart', () => {
    const base = key();
    expect(key({ blockedURI: 'https://cdn.example/y.js' })).not.toBe(base);
    expect(key({ effectiveDirective: 'style-src-elem' })).not.toBe(base);
    expect(key({ sourceFile: 'https://site.example/other.js' })).not.toBe(base);
    expect(key({ lineNumber: 13 })).not.toBe(base);
    expect(key({ sample: 'eval' })).not.toBe(base);
    expect(key({ documentURI: 'https://site.example/other' })).not.toBe(base);
  });
});

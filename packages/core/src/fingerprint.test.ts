import { describe, expect, it } from 'vitest';
import { fingerprint } from './fingerprint.js';
import { normalizeReportUriBody, normalizeSdkEvent } from './normalize.js';

describe('fingerprint', () => {
  const event = {
    documentURI: 'http://127.0.0.1:3000/violations',
    referrer: '',
    blockedURI: 'eval',
    effectiveDirective: 'script-src',
    violatedDirective: 'script-src',
    originalPolicy: "script-src 'self'",
    disposition: 'report',
    sourceFile: 'http://127.0.0.1:3000/static/app.js',
    lineNumber: 4,
    columnNumber: 10,
    statusCode: 200,
    sample: '',
  };
  const report = {
    'csp-report': {
      'document-uri': 'http://127.0.0.1:3000/violations',
      referrer: '',
      'violated-directive': 'script-src',
      'effective-directive': 'script-src',
      'original-policy': "script-src 'self'; report-uri /csp/report/x",
      disposition: 'report',
      'blocked-uri': 'eval',
      'line-number': 4,
      'column-number': 10,
      'source-file': 'http://127.0.0.1:3000/static/app.js',
      'status-code': 200,
      'script-sample': '',
    },
  };

  it('pairs the DOM event with its native report', () => {
    const a = normalizeSdkEvent(event).violation!;
    const b = normalizeReportUriBody(report)[0]!.violation!;
    expect(fingerprint(a)).toBe(fingerprint(b));
    expect(fingerprint(a)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('tells different violations apart', () => {
    const a = normalizeSdkEvent(event).violation!;
    const b = normalizeSdkEvent({ ...event, lineNumber: 5 }).violation!;
    expect(fingerprint(a)).not.toBe(fingerprint(b));
  });

  it('ignores the fragment and sample beyond 40 characters', () => {
    const a = normalizeSdkEvent({ ...event, documentURI: `${event.documentURI}#top`, sample: 'x'.repeat(60) }).violation!;
    const b = normalizeSdkEvent({ ...event, sample: 'x'.repeat(40) }).violation!;
    expect(fingerprint(a)).toBe(fingerprint(b));
  });
});

import { describe, expect, it } from 'vitest';
import { normalizeReportingApiBody, normalizeReportUriBody, normalizeSdkEvent } from './normalize.js';

// Bodies as Chromium 156 sends them (see shared notes); Firefox and Safari variants below.
const chromiumReport = {
  'csp-report': {
    'document-uri': 'http://127.0.0.1:3000/violations',
    referrer: '',
    'violated-directive': 'script-src-elem',
    'effective-directive': 'script-src-elem',
    'original-policy': "default-src 'self'; script-src 'self' 'nonce-abc'; report-uri /csp/report/t",
    disposition: 'report',
    'blocked-uri': 'inline',
    'line-number': 12,
    'column-number': 5,
    'source-file': 'http://127.0.0.1:3000/violations',
    'status-code': 200,
    'script-sample': '',
  },
};

describe('normalizeReportUriBody', () => {
  it('reads the kebab-case csp-report shape', () => {
    const [report] = normalizeReportUriBody(chromiumReport);
    expect(report?.valid).toBe(true);
    expect(report?.violation).toMatchObject({
      documentUri: 'http://127.0.0.1:3000/violations',
      blockedUri: 'inline',
      effectiveDirective: 'script-src-elem',
      lineNumber: 12,
      columnNumber: 5,
      statusCode: 200,
      disposition: 'report',
    });
  });

  it('derives the effective directive from Firefox violated-directive with sources', () => {
    const [report] = normalizeReportUriBody({
      'csp-report': {
        'document-uri': 'https://example.com/',
        referrer: '',
        'violated-directive': "script-src-elem 'self'",
        'original-policy': "script-src 'self'",
        'blocked-uri': 'inline',
        'line-number': '3',
      },
    });
    expect(report?.valid).toBe(true);
    expect(report?.violation?.effectiveDirective).toBe('script-src-elem');
    expect(report?.violation?.lineNumber).toBe(3);
  });

  it('marks a report without the required fields invalid but keeps it', () => {
    const [report] = normalizeReportUriBody({ 'csp-report': { 'blocked-uri': 'eval' } });
    expect(report?.valid).toBe(false);
    expect(report?.problems).toContain('documentUri is missing');
    expect(report?.raw).toEqual({ 'csp-report': { 'blocked-uri': 'eval' } });
  });

  it('rejects numbers that do not parse and unknown dispositions', () => {
    const body = JSON.parse(JSON.stringify(chromiumReport)) as { 'csp-report': Record<string, unknown> };
    body['csp-report']['line-number'] = 'twelve';
    body['csp-report'].disposition = 'block';
    const [report] = normalizeReportUriBody(body);
    expect(report?.valid).toBe(false);
    expect(report?.problems).toEqual(['line-number is not a number', 'disposition "block" is neither enforce nor report']);
  });

  it('accepts camelCase keys and a bare object', () => {
    const [report] = normalizeReportUriBody({
      documentURI: 'https://a.test/',
      referrer: '',
      blockedURI: 'eval',
      violatedDirective: 'script-src',
      originalPolicy: "script-src 'self'",
    });
    expect(report?.valid).toBe(true);
    expect(report?.violation?.blockedUri).toBe('eval');
  });

  it('reads the same report the same way every time, and ignores keys that only Object.prototype knows', () => {
    const hostile = JSON.parse('{"csp-report": {"constructor": "x", "__proto__": {"blocked-uri": "eval"}, "toString": 1}}');
    const source = { ...chromiumReport['csp-report'], ...hostile['csp-report'] };
    for (let i = 0; i < 3; i++) {
      const [report] = normalizeReportUriBody({ 'csp-report': source });
      expect(report?.valid).toBe(true);
      expect(report?.problems).toEqual([]);
      expect(Object.keys(report!.violation!).sort()).toEqual(Object.keys(normalizeReportUriBody(chromiumReport)[0]!.violation!).sort());
      expect(report?.violation?.blockedUri).toBe('inline');
    }
  });

  it('treats a non-object body as one invalid report', () => {
    const reports = normalizeReportUriBody('hello');
    expect(reports).toHaveLength(1);
    expect(reports[0]?.valid).toBe(false);
    expect(reports[0]?.violation).toBeNull();
  });
});

describe('normalizeReportingApiBody', () => {
  it('reads csp-violation entries and keeps other types generically', () => {
    const reports = normalizeReportingApiBody([
      {
        age: 10,
        type: 'csp-violation',
        url: 'https://a.test/page',
        user_agent: 'Mozilla/5.0',
        body: {
          blockedURL: 'inline',
          columnNumber: 3,
          disposition: 'enforce',
          documentURL: 'https://a.test/page',
          effectiveDirective: 'style-src-attr',
          lineNumber: 9,
          originalPolicy: "style-src 'self'",
          referrer: '',
          sample: 'color:red',
          sourceFile: 'https://a.test/page',
          statusCode: 200,
        },
      },
      { age: 1, type: 'deprecation', url: 'https://a.test/', user_agent: 'UA', body: { id: 'X', message: 'm' } },
    ]);
    expect(reports.map((r) => [r.type, r.valid])).toEqual([
      ['csp-violation', true],
      ['deprecation', true],
    ]);
    expect(reports[0]?.violation).toMatchObject({ violatedDirective: 'style-src-attr', sample: 'color:red' });
    expect(reports[0]?.userAgent).toBe('Mozilla/5.0');
    expect(reports[1]?.violation).toBeNull();
  });
});

describe('WebKit bodies (WebKitGTK 2.50, measured: docs/engines.md)', () => {
  // report-uri: top-level type and url beside csp-report; never a sample nor a disposition.
  const reportUri = {
    type: 'csp-violation',
    url: 'http://127.0.0.1:5101/',
    'csp-report': {
      'document-uri': 'http://127.0.0.1:5101/',
      referrer: '',
      'violated-directive': 'script-src',
      'effective-directive': 'script-src',
      'original-policy': "default-src 'self'; script-src 'nonce-x' 'report-sample'; report-uri /csp/report/t",
      'blocked-uri': 'eval',
      'status-code': 200,
      'source-file': 'http://127.0.0.1:5101/csp/sdk.js',
      'line-number': 1,
      'column-number': 3025,
    },
  };
  // Reporting API: one object per POST, sent as application/csp-report; :443 in the blocked URL.
  const reportTo = {
    type: 'csp-violation',
    url: 'https://127.0.0.1:5102/',
    body: {
      documentURL: 'https://127.0.0.1:5102/',
      disposition: 'report',
      referrer: '',
      effectiveDirective: 'script-src-elem',
      blockedURL: 'https://coinhive.com:443/lib/coinhive.min.js',
      originalPolicy: "default-src 'self'; report-to csp-endpoint",
      statusCode: 200,
      sample: '',
      sourceFile: 'https://127.0.0.1:5102/',
      lineNumber: 0,
      columnNumber: 1,
    },
  };

  it('reads a report-uri body with top-level type and url', () => {
    const [report] = normalizeReportUriBody(reportUri);
    expect(report).toMatchObject({ valid: true, type: 'csp-violation' });
    expect(report?.violation).toMatchObject({
      blockedUri: 'eval',
      sample: '',
      disposition: '',
      sourceFile: 'http://127.0.0.1:5101/csp/sdk.js',
      columnNumber: 3025,
    });
  });

  it('reads a single Reporting API object at the report-uri parser (its content type says csp-report), without the default port', () => {
    const [report] = normalizeReportUriBody(reportTo);
    expect(report).toMatchObject({ valid: true, url: 'https://127.0.0.1:5102/' });
    expect(report?.violation).toMatchObject({
      blockedUri: 'https://coinhive.com/lib/coinhive.min.js',
      effectiveDirective: 'script-src-elem',
      disposition: 'report',
    });
    expect(normalizeReportingApiBody(reportTo)[0]?.violation?.blockedUri).toBe('https://coinhive.com/lib/coinhive.min.js');
  });
});

describe('normalizeSdkEvent', () => {
  it('needs only what every DOM event has', () => {
    expect(normalizeSdkEvent({ documentURI: 'https://a.test/', blockedURI: 'eval', effectiveDirective: 'script-src' }).valid).toBe(true);
    expect(normalizeSdkEvent({ blockedURI: 'eval' }).valid).toBe(false);
  });
});

/**
 * The one shape every CSP violation takes once normalized, whichever channel it came by
 * (the SDK's DOM event, a report-uri POST or a Reporting API batch).
 */
export interface Violation {
  /** The page on which the violation happened. */
  documentUri: string;
  referrer: string;
  /** A URL, or a keyword such as `inline`, `eval`, `wasm-eval`, `data`, `chrome-extension`. */
  blockedUri: string;
  /** The directive that was enforced, e.g. `script-src-elem`. */
  effectiveDirective: string;
  /** As the browser sent it; old browsers send the whole directive with its sources. */
  violatedDirective: string;
  originalPolicy: string;
  /** `enforce`, `report`, or empty when the browser did not say. */
  disposition: string;
  sourceFile: string;
  lineNumber: number;
  columnNumber: number;
  statusCode: number;
  /** The first characters of the offending script or style (`script-sample`). */
  sample: string;
}

/** How a report reached the server. */
export type Channel = 'sdk' | 'report-uri' | 'report-to';

export const CHANNELS: readonly Channel[] = ['sdk', 'report-uri', 'report-to'];

/** The Reporting API type of a CSP violation; every other type is stored generically. */
export const CSP_VIOLATION = 'csp-violation';

/** A report after normalization, valid or not: nothing a browser sent is thrown away. */
export interface NormalizedReport {
  /** `csp-violation`, or another Reporting API type (`deprecation`, `coep`, ...). */
  type: string;
  /** Present for `csp-violation` reports, even invalid ones (missing fields are empty). */
  violation: Violation | null;
  valid: boolean;
  /** Why the report is invalid; empty when valid. */
  problems: string[];
  /** The page URL of a Reporting API entry (`url`); the document URI otherwise. */
  url: string;
  /** The Reporting API entry's `user_agent`, when it carries one. */
  userAgent: string;
  /** The report object as received, before any normalization. */
  raw: unknown;
}

/** A violation with every field empty: the starting point of normalization. */
export function emptyViolation(): Violation {
  return {
    documentUri: '',
    referrer: '',
    blockedUri: '',
    effectiveDirective: '',
    violatedDirective: '',
    originalPolicy: '',
    disposition: '',
    sourceFile: '',
    lineNumber: 0,
    columnNumber: 0,
    statusCode: 0,
    sample: '',
  };
}

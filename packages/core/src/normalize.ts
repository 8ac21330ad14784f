import { directiveName } from './directives.js';
import { withoutDefaultPort } from './url.js';
import { CSP_VIOLATION, emptyViolation, type NormalizedReport, type Violation } from './violation.js';

type ViolationKey = keyof Violation;
type NumberKey = 'lineNumber' | 'columnNumber' | 'statusCode';

const NUMBER_KEYS: ReadonlySet<ViolationKey> = new Set<ViolationKey>(['lineNumber', 'columnNumber', 'statusCode']);
/** Fields holding URLs: written without their scheme's default port, whichever engine sent them. */
const URL_KEYS: ReadonlySet<ViolationKey> = new Set<ViolationKey>(['documentUri', 'referrer', 'blockedUri', 'sourceFile']);

/**
 * Browsers and old clients spell the same field in kebab case (`document-uri`), camel case
 * (`documentURL`) or anything in between; keys are compared without case, `-` and `_`.
 */
const KEY_ALIASES: Readonly<Record<string, ViolationKey>> = {
  documenturi: 'documentUri',
  documenturl: 'documentUri',
  referrer: 'referrer',
  blockeduri: 'blockedUri',
  blockedurl: 'blockedUri',
  effectivedirective: 'effectiveDirective',
  violateddirective: 'violatedDirective',
  originalpolicy: 'originalPolicy',
  disposition: 'disposition',
  sourcefile: 'sourceFile',
  linenumber: 'lineNumber',
  lineno: 'lineNumber',
  columnnumber: 'columnNumber',
  colno: 'columnNumber',
  statuscode: 'statusCode',
  scriptsample: 'sample',
  sample: 'sample',
};

/** The fields django-csp-reports requires (an empty string counts as present). */
const REQUIRED_REPORT_URI: readonly ViolationKey[] = ['documentUri', 'referrer', 'blockedUri', 'violatedDirective', 'originalPolicy'];
/** Reporting API bodies have no violatedDirective: effectiveDirective stands in for it. */
const REQUIRED_REPORT_TO: readonly ViolationKey[] = ['documentUri', 'referrer', 'blockedUri', 'effectiveDirective', 'originalPolicy'];

const DISPOSITIONS = new Set(['enforce', 'report']);
/** Longer strings are cut: a report is evidence, not a place to store megabytes. */
const MAX_FIELD_LENGTH = 8192;

/** Spellings seen so far (`document-uri`, `documentURL` ...): a report's keys repeat across reports. */
const knownSpellings = new Map<string, ViolationKey>();
const MAX_KNOWN_SPELLINGS = 512;

function canonicalKey(key: string): ViolationKey | undefined {
  const known = knownSpellings.get(key);
  if (known) return known;
  const folded = key.replace(/[-_]/g, '').toLowerCase();
  // Own keys only: `constructor` is not a field, whatever Object.prototype says.
  const field = Object.hasOwn(KEY_ALIASES, folded) ? KEY_ALIASES[folded] : undefined;
  // Only real fields are remembered, and boundedly: hostile keys cannot grow the map.
  if (field && knownSpellings.size < MAX_KNOWN_SPELLINGS) knownSpellings.set(key, field);
  return field;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed === '') return 0;
    if (!/^-?\d+(\.\d+)?$/.test(trimmed)) return undefined;
    return Math.trunc(Number(trimmed));
  }
  if (value === null) return 0;
  return undefined;
}

function toText(value: unknown): string {
  if (typeof value === 'string') return value.length > MAX_FIELD_LENGTH ? value.slice(0, MAX_FIELD_LENGTH) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/**
 * Reads one violation object in any spelling. Returns the violation, the fields that were
 * present and the problems found (numbers that do not parse, an unknown disposition).
 */
function readViolation(source: Record<string, unknown>): {
  violation: Violation;
  present: Set<ViolationKey>;
  problems: string[];
} {
  const violation = emptyViolation();
  const present = new Set<ViolationKey>();
  const problems: string[] = [];
  for (const [key, value] of Object.entries(source)) {
    const field = canonicalKey(key);
    if (!field || present.has(field)) continue;
    if (value === undefined) continue;
    present.add(field);
    if (NUMBER_KEYS.has(field)) {
      const parsed = parseNumber(value);
      if (parsed === undefined) problems.push(`${key} is not a number`);
      else violation[field as NumberKey] = parsed;
    } else {
      if (typeof value === 'object' && value !== null) problems.push(`${key} is not a string`);
      const text = toText(value);
      (violation[field] as string) = URL_KEYS.has(field) ? withoutDefaultPort(text) : text;
    }
  }
  if (present.has('disposition') && !DISPOSITIONS.has(violation.disposition)) {
    problems.push(`disposition "${violation.disposition}" is neither enforce nor report`);
  }
  if (!present.has('effectiveDirective') || violation.effectiveDirective === '') {
    // Firefox sends no effective-directive; old Chromium sent the whole directive.
    violation.effectiveDirective = directiveName(violation.violatedDirective);
  } else {
    violation.effectiveDirective = violation.effectiveDirective.trim().toLowerCase();
  }
  if (!present.has('violatedDirective') && present.has('effectiveDirective')) {
    violation.violatedDirective = violation.effectiveDirective;
  }
  return { violation, present, problems };
}

/**
 * A Reporting API entry (`{type, url, body: {...}}`), as opposed to a report-uri body, which has
 * its fields under `csp-report` (WebKit adds top-level `type` and `url` to those too).
 */
function isReportingApiEntry(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && typeof value.type === 'string' && isRecord(value.body) && !('csp-report' in value);
}

function missing(present: Set<ViolationKey>, required: readonly ViolationKey[]): string[] {
  return required.filter((field) => !present.has(field)).map((field) => `${field} is missing`);
}

function cspReport(
  violation: Violation,
  problems: string[],
  raw: unknown,
  extra: { url?: string; userAgent?: string } = {},
): NormalizedReport {
  return {
    type: CSP_VIOLATION,
    violation,
    valid: problems.length === 0,
    problems,
    url: extra.url ?? violation.documentUri,
    userAgent: extra.userAgent ?? '',
    raw,
  };
}

function invalid(raw: unknown, problem: string): NormalizedReport {
  return { type: CSP_VIOLATION, violation: null, valid: false, problems: [problem], url: '', userAgent: '', raw };
}

/**
 * Normalizes the JSON body of a report-uri POST (`application/csp-report` and friends):
 * `{"csp-report": {...}}`, a bare report object, or an array of either. A Reporting API
 * array sent to the report-uri endpoint is understood too.
 */
export function normalizeReportUriBody(body: unknown): NormalizedReport[] {
  if (Array.isArray(body)) {
    return body.flatMap((item) =>
      isRecord(item) && typeof item.type === 'string' && 'body' in item ? [normalizeReportingApiEntry(item)] : normalizeReportUriBody(item),
    );
  }
  // WebKit delivers each Reporting API report as one object, under `application/csp-report`.
  if (isReportingApiEntry(body)) return [normalizeReportingApiEntry(body)];
  if (!isRecord(body)) return [invalid(body, 'the report is not a JSON object')];
  const inner = body['csp-report'] ?? body.cspReport ?? body.csp_report;
  const source = inner === undefined ? body : inner;
  if (!isRecord(source)) return [invalid(body, 'csp-report is not an object')];
  const { violation, present, problems } = readViolation(source);
  return [cspReport(violation, [...missing(present, REQUIRED_REPORT_URI), ...problems], body)];
}

/**
 * Normalizes one Reporting API entry (`{type, age, url, user_agent, body}`). Entries of
 * other types than csp-violation are kept as they are, valid when they have a type and a body.
 */
export function normalizeReportingApiEntry(entry: unknown): NormalizedReport {
  if (!isRecord(entry)) return invalid(entry, 'the report is not a JSON object');
  const type = typeof entry.type === 'string' && entry.type ? entry.type.slice(0, 64) : '';
  const url = toText(entry.url);
  const userAgent = toText(entry.user_agent ?? entry.userAgent);
  if (!type) {
    return { type: 'unknown', violation: null, valid: false, problems: ['type is missing'], url, userAgent, raw: entry };
  }
  if (type !== CSP_VIOLATION) {
    const valid = isRecord(entry.body);
    return { type, violation: null, valid, problems: valid ? [] : ['body is missing'], url, userAgent, raw: entry };
  }
  if (!isRecord(entry.body)) return { ...invalid(entry, 'body is missing'), url, userAgent };
  const { violation, present, problems } = readViolation(entry.body);
  if (!violation.documentUri && url) violation.documentUri = url;
  return cspReport(violation, [...missing(present, REQUIRED_REPORT_TO), ...problems], entry, { url, userAgent });
}

/** Normalizes an `application/reports+json` body: an array of entries (a lone entry is accepted). */
export function normalizeReportingApiBody(body: unknown): NormalizedReport[] {
  if (Array.isArray(body)) return body.map(normalizeReportingApiEntry);
  return [normalizeReportingApiEntry(body)];
}

/**
 * Normalizes one violation captured by the SDK from a `securitypolicyviolation` event or a
 * ReportingObserver entry. The page saw it, so only the fields the event always has are
 * required.
 */
export function normalizeSdkEvent(event: unknown): NormalizedReport {
  if (!isRecord(event)) return invalid(event, 'the event is not a JSON object');
  const { violation, present, problems } = readViolation(event);
  const required: ViolationKey[] = ['documentUri', 'blockedUri', 'effectiveDirective'];
  return cspReport(violation, [...missing(present, required), ...problems], event);
}

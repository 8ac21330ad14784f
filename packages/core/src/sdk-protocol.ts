import { stripQuery } from './url.js';
import type { Violation } from './violation.js';

/**
 * The wire format between the SDK and `POST {prefix}/events/{token}`. Kept in core so that
 * both ends compile against one definition.
 */

/** How the SDK saw a violation. */
export type SdkSource = 'listener' | 'observer';

/** One violation as the SDK sends it: the event's own camelCase field names. */
export interface SdkViolationEvent {
  documentURI: string;
  referrer: string;
  blockedURI: string;
  effectiveDirective: string;
  violatedDirective: string;
  originalPolicy: string;
  disposition: string;
  sourceFile: string;
  lineNumber: number;
  columnNumber: number;
  statusCode: number;
  sample: string;
  /** Milliseconds since the page's time origin. */
  t?: number;
  source?: SdkSource;
  /**
   * The event's number within its page view. A batch retried from the SDK's queue carries the
   * same numbers, so the server stores each event once however often it arrives.
   */
  seq?: number;
}

/**
 * What became of the canary, the violation the SDK causes on purpose: seen by the page's
 * listener, only by its ReportingObserver (events are being hidden), or by neither.
 */
export type CanaryOutcome = 'listener' | 'observer' | 'missing';

export const CANARY_OUTCOMES: readonly CanaryOutcome[] = ['listener', 'observer', 'missing'];

export interface SdkCanary {
  outcome: CanaryOutcome;
  /** The policy stopped the canary's code (it never ran): the policy is enforced. Named for the eval the canary once was. */
  threw: boolean;
}

/** An element the tripwire found: the policy forbids it, it ran, and no violation named it. */
export interface SdkHiddenElement {
  tag: string;
  url: string;
  directive: string;
  /** Numbered with the events of the page view (see SdkViolationEvent.seq). */
  seq?: number;
}

/** The largest `seq` the server keeps; others are stored without one (and not deduplicated). */
export const MAX_SDK_SEQ = 2_147_483_647;

/** Reads a `seq` from a hostile body: a non-negative integer, or null. */
export function sdkSeqOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_SDK_SEQ ? value : null;
}

/**
 * How the visitor's popup behaves, as django-csp-observer's CLIENTUI_VISIBILITY: `always` visible from
 * load, `minimized` shown only when a problem is found, `off` never (collect only).
 */
export type PopupMode = 'always' | 'minimized' | 'off';

export const POPUP_MODES: readonly PopupMode[] = ['always', 'minimized', 'off'];

/** The body of one POST to the events endpoint. */
export interface SdkEventBatch {
  /** Protocol version. */
  v: 1;
  events: SdkViolationEvent[];
  /** Sent once per page view, as soon as the canary's fate is known. */
  canary?: SdkCanary;
  hidden?: SdkHiddenElement[];
}

/**
 * A body as the server first reads it: the protocol's field names, none of its values checked yet
 * (every endpoint is public). Reading a batch through this type ties the server's field names to
 * the SDK's: renaming one in SdkEventBatch or SdkViolationEvent breaks the server's build.
 */
export type Unchecked<T> = { [K in keyof T]?: unknown };

/**
 * The canary's code (a string given to a timer) starts with `'csp-canary:<token>'`; with
 * 'report-sample' the browser puts it in the sample of the event (every engine) and of its own
 * report (Chromium, Firefox, WebKit's Reporting API), which is how they are recognized.
 */
export const CANARY_PREFIX = 'csp-canary:';

/** Whether a violation's sample is the SDK's canary (never shown as a problem). */
export function isCanarySample(sample: string): boolean {
  return sample.includes(CANARY_PREFIX);
}

/**
 * Whether a violation is the SDK's canary. Chromium and Firefox name it in the sample on every
 * channel. WebKit's report-uri bodies carry no sample at all: there the canary is the one script
 * violation whose source file is the SDK itself (`sdkScripts`: the SDK's URLs as the page loads
 * it, without query), since the SDK causes no other violation. The SDK's own events carry the
 * sample in every engine.
 */
export function isCanaryViolation(
  v: Pick<Violation, 'sample' | 'sourceFile' | 'effectiveDirective'>,
  sdkScripts: readonly string[],
): boolean {
  if (isCanarySample(v.sample)) return true;
  if (v.sample !== '' || !v.effectiveDirective.startsWith('script-src') || v.sourceFile === '') return false;
  return sdkScripts.includes(stripQuery(v.sourceFile));
}

/** The most tripwire findings one batch may carry; the SDK sends the rest in the next. */
export const MAX_HIDDEN_PER_BATCH = 20;

/** The most events one batch may carry; the SDK splits larger queues. */
export const MAX_EVENTS_PER_BATCH = 50;

/** The fields copied from a `SecurityPolicyViolationEvent`, in one place for SDK and tests. */
export const SDK_EVENT_FIELDS = [
  'documentURI',
  'referrer',
  'blockedURI',
  'effectiveDirective',
  'violatedDirective',
  'originalPolicy',
  'disposition',
  'sourceFile',
  'lineNumber',
  'columnNumber',
  'statusCode',
  'sample',
] as const satisfies readonly (keyof SdkViolationEvent)[];

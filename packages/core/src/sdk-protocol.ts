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
}

/** The body of one POST to the events endpoint. */
export interface SdkEventBatch {
  /** Protocol version. */
  v: 1;
  events: SdkViolationEvent[];
}

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

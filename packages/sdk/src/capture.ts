import { SDK_EVENT_FIELDS, type SdkViolationEvent } from '@csp-observer/core';

/** Copies the fields the server needs from a `securitypolicyviolation` event. */
export function toSdkEvent(event: SecurityPolicyViolationEvent): SdkViolationEvent {
  const out: Record<string, unknown> = {};
  for (const field of SDK_EVENT_FIELDS) out[field] = (event as unknown as Record<string, unknown>)[field] ?? '';
  out.t = Math.round(event.timeStamp);
  out.source = 'listener';
  return out as unknown as SdkViolationEvent;
}

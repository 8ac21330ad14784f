export { CHANNELS, CSP_VIOLATION, emptyViolation } from './violation.js';
export type { Channel, NormalizedReport, Violation } from './violation.js';
export { baseDirective, directiveName, KNOWN_DIRECTIVES } from './directives.js';
export { closestName, didYouMean } from './did-you-mean.js';
export { parsePolicy, PolicyError, serializePolicy, validatePolicy, withSources } from './policy.js';
export type { Policy } from './policy.js';
export {
  normalizeReportingApiBody,
  normalizeReportingApiEntry,
  normalizeReportUriBody,
  normalizeSdkEvent,
} from './normalize.js';
export { fingerprint, fingerprintFields, SAMPLE_LENGTH } from './fingerprint.js';
export {
  CANARY_OUTCOMES,
  CANARY_PREFIX,
  isCanarySample,
  isCanaryViolation,
  MAX_EVENTS_PER_BATCH,
  MAX_HIDDEN_PER_BATCH,
  MAX_SDK_SEQ,
  POPUP_MODES,
  SDK_EVENT_FIELDS,
  sdkSeqOf,
} from './sdk-protocol.js';
export type {
  CanaryOutcome,
  PopupMode,
  SdkCanary,
  SdkEventBatch,
  SdkHiddenElement,
  SdkSource,
  SdkViolationEvent,
  Unchecked,
} from './sdk-protocol.js';
export { EXTENSION_SCHEMES, isExtensionUrl, scrubUrls, stripQuery, withoutDefaultPort } from './url.js';
export * from './rules/index.js';
export { ANOMALY_SEVERITY, ANOMALY_TEXT } from './anomalies.js';
export type { AnomalyKind, AnomalySeverity, AnomalyText } from './anomalies.js';
export { computeVerdict, pairChannels } from './verdict.js';
export type {
  CanaryEvidence,
  EvidenceViolation,
  HiddenElement,
  SessionEvidence,
  VerdictResult,
  UnexplainedViolation,
  VerdictSettings,
} from './verdict.js';
export type { Verdict, VerdictAnomaly, VerdictProblem, VerdictStatus, VersionedVerdict } from './wire/verdict.js';
export type * from './wire/admin-api.js';
export { engineOf, ENGINE_FAMILIES } from './engine.js';
export type { EngineFamily } from './engine.js';
export { sourceListAllows } from './source-list.js';
export type { UrlParts } from './source-list.js';
export {
  DEVICE_STORAGE,
  DISMISSED_KEY,
  OUTBOX_DATABASE,
  OUTBOX_MAX_AGE_MS,
  OUTBOX_MAX_BATCHES,
  OUTBOX_STORE,
} from './device-storage.js';
export type { DeviceStorageApi, DeviceStorageUse } from './device-storage.js';
export { EN_POPUP_STRINGS, mergePopupStrings, POPUP_STRING_KEYS, POPUP_STRINGS, popupStringsFor } from './popup-strings.js';
export type { PopupStrings } from './popup-strings.js';
export { advisePolicy, NONCE_PLACEHOLDER, policyWeaknesses, proposeAllowlist } from './policy-advice.js';
export type { AllowlistProposal, PolicyAdvice, PolicyWeakness, ViolationCount, WeaknessSeverity } from './policy-advice.js';

// `@csp-observer/server/internals`: the parts the project's benches, tests and examples reach
// into. Not covered by semantic versioning: any release may change them.

export { anonymizeIp } from './http/ip.js';
export { mintSessionToken, mintSiteToken, verifySessionToken, verifySiteToken } from './session/session-token.js';
export type { SessionPolicy, SessionToken, SiteSecret } from './session/session-token.js';
export { openDatabase } from './storage/database.js';
export { MIGRATIONS_TABLE } from './storage/migrations.js';
export { ReportStore } from './storage/report-store.js';
export type { ReportRecord } from './report/report-record.js';
export { CANARY_TYPE, HIDDEN_ELEMENT_TYPE } from './report/report-types.js';
export { RuleStore } from './storage/rule-store.js';
export type { RulesState } from './storage/rule-store.js';
export { RuleBook } from './rules/rule-book.js';
export { compilePattern, compileUntrustedPattern, MAX_PATTERN_INSTRUCTIONS } from './rules/pattern-engine.js';
export { DEFAULT_MATCH_BUDGET, MatchBudget } from './rules/match-budget.js';
export { checkRulePatterns, compileRuleSet } from './rules/rule-compiler.js';
export { CUSTOM_PREFIX, DEFAULT_RULES_UPDATE_INTERVAL } from './rules/update-rules.js';
export { BUNDLED_RULES } from './rules/rules-source.js';
export { VerdictService } from './verdict/verdict-service.js';
export type { VersionedVerdict } from './verdict/verdict-service.js';

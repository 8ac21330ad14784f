export { CAUSES, isCause, RULE_LIMITS } from './rule.js';
export type { Cause, Rule, RuleMatch, RuleOrigin } from './rule.js';
export { parseRulesFile, readRule, ruleToJson, RulesFileError } from './rules-file.js';
export type { ParsedRules, RejectedRule } from './rules-file.js';
export { compileRules, MAX_MATCH_INPUT } from './matcher.js';
export type { PatternCompiler, PatternTest, RuleMatcher } from './matcher.js';
export { foldCase, plainPattern, requiredAnyOf, requiredLiteral } from './literal.js';
export type { PlainPattern } from './literal.js';
export { isBacktrackingSafe } from './pattern-shape.js';

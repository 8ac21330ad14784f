import { ENGINE_FAMILIES, type EngineFamily } from '../engine.js';
import { RULE_LIMITS, isCause, type Cause, type Rule, type RuleMatch, type RuleOrigin, type RuleSource } from './rule.js';

/** The rules of a file that could be read, and why the others were refused. */
export interface ParsedRules {
  /** The file's `last_updated`, unix seconds (0 when absent). */
  lastUpdated: number;
  rules: Rule[];
  rejected: RejectedRule[];
}

export interface RejectedRule {
  /** The rule's id, or its position (`#3`) when it has none. */
  id: string;
  reason: string;
}

/** A file that is not a rules file at all (as opposed to one with some bad rules). */
export class RulesFileError extends Error {
  override name = 'RulesFileError';
}

type Json = Record<string, unknown>;

const ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;

const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function text(rule: Json, key: string, max: number, required: boolean): string {
  const value = rule[key];
  if (value === undefined || value === null) {
    if (required) throw new Error(`${key} is missing`);
    return '';
  }
  if (typeof value !== 'string') throw new Error(`${key} must be a string`);
  if (required && !value.trim()) throw new Error(`${key} is empty`);
  if (value.length > max) throw new Error(`${key} is longer than ${max} characters`);
  return value;
}

function pattern(entry: Json, keys: readonly string[]): string {
  for (const key of keys) {
    const value = entry[key];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') throw new Error(`${key} must be a string`);
    if (value.length > RULE_LIMITS.patternLength) throw new Error(`${key} is longer than ${RULE_LIMITS.patternLength} characters`);
    return value;
  }
  return '';
}

/**
 * One matcher. Ours: `{blocked_uri, directive, source_file, sample}`; django-csp-observer's
 * central rule repository: `{url, directive}`. camelCase spellings are accepted too.
 */
function readMatch(entry: unknown): RuleMatch {
  if (!isRecord(entry)) throw new Error('a matcher must be an object');
  const directive = entry.directive ?? '';
  if (typeof directive !== 'string' || !/^[a-z-]*$/i.test(directive)) throw new Error('directive must be a directive name or ""');
  const engine = entry.engine ?? '';
  if (engine !== '' && !ENGINE_FAMILIES.includes(engine as EngineFamily))
    throw new Error(`engine must be ${ENGINE_FAMILIES.join(', ')} or ""`);
  const match: RuleMatch = {
    blockedUri: pattern(entry, ['blocked_uri', 'blockedUri', 'url']),
    directive: directive.toLowerCase(),
    sourceFile: pattern(entry, ['source_file', 'sourceFile']),
    sample: pattern(entry, ['sample']),
    documentUri: pattern(entry, ['document_uri', 'documentUri']),
    policy: pattern(entry, ['policy']),
    engine: engine as EngineFamily | '',
  };
  if (!match.blockedUri && !match.sourceFile && !match.sample && !match.documentUri && !match.policy) {
    throw new Error('a matcher needs a blocked_uri, source_file, sample, document_uri or policy pattern');
  }
  return match;
}

/** Reads one rule in our format or django-csp-observer's; throws an Error saying what is wrong. */
export function readRule(raw: unknown, origin: RuleOrigin): Rule {
  if (!isRecord(raw)) throw new Error('a rule must be an object');
  const id = raw.id;
  if (typeof id !== 'string' && typeof id !== 'number') throw new Error('id is missing');
  const idText = String(id);
  if (!ID.test(idText) || idText.length > RULE_LIMITS.idLength) {
    throw new Error(`id must be letters, digits and . _ : / - (at most ${RULE_LIMITS.idLength})`);
  }
  if (!isCause(raw.cause)) throw new Error('cause must be extension, browser, malware or other');
  const entries = raw.match ?? raw.directives;
  if (!Array.isArray(entries) || entries.length === 0) throw new Error('match (or directives) must be a non-empty array');
  if (entries.length > RULE_LIMITS.matchesPerRule) throw new Error(`at most ${RULE_LIMITS.matchesPerRule} matchers per rule`);
  const references = raw.references ?? [];
  if (!Array.isArray(references) || references.length > RULE_LIMITS.references || references.some((r) => typeof r !== 'string')) {
    throw new Error(`references must be at most ${RULE_LIMITS.references} strings`);
  }
  if (raw.ignore !== undefined && typeof raw.ignore !== 'boolean') throw new Error('ignore must be true or false');
  const source = readSource(raw.source);
  return {
    id: idText,
    cause: raw.cause,
    title: text(raw, 'title', RULE_LIMITS.titleLength, true),
    shortDescription: text(raw, 'short_description', RULE_LIMITS.shortDescriptionLength, false),
    longDescription: text(raw, 'long_description', RULE_LIMITS.longDescriptionLength, false),
    ignore: raw.ignore === true,
    match: entries.map(readMatch),
    origin,
    references: references as string[],
    ...(source ? { source } : {}),
  };
}

function readSource(value: unknown): RuleSource | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw new Error('source must be {name, url, license}');
  const field = (key: string) => {
    const v = value[key];
    if (typeof v !== 'string' || !v.trim() || v.length > 300)
      throw new Error(`source.${key} must be a non-empty string of at most 300 characters`);
    return v;
  };
  return { name: field('name'), url: field('url'), license: field('license') };
}

/**
 * Reads a rules file: ours (`{format, last_updated, rules:[{..., match:[...]}]}`) or
 * django-csp-observer's central rule repository format (`{last_updated, rules:[{..., directives:[{url, directive}]}]}`).
 * A bad rule is refused with its reason and the others are kept; a bad file throws.
 */
export function parseRulesFile(json: unknown): ParsedRules {
  if (!isRecord(json)) throw new RulesFileError('a rules file must be a JSON object');
  if (!Array.isArray(json.rules)) throw new RulesFileError('a rules file needs a "rules" array');
  if (json.rules.length > RULE_LIMITS.rules) throw new RulesFileError(`a rules file may hold at most ${RULE_LIMITS.rules} rules`);
  const lastUpdated = json.last_updated ?? json.lastUpdated ?? 0;
  if (typeof lastUpdated !== 'number' || !Number.isFinite(lastUpdated) || lastUpdated < 0) {
    throw new RulesFileError('last_updated must be a unix time in seconds');
  }
  const rules: Rule[] = [];
  const rejected: RejectedRule[] = [];
  const seen = new Set<string>();
  json.rules.forEach((raw, index) => {
    const label = isRecord(raw) && (typeof raw.id === 'string' || typeof raw.id === 'number') ? String(raw.id) : `#${index}`;
    try {
      const rule = readRule(raw, 'global');
      if (seen.has(rule.id)) throw new Error('duplicate id');
      seen.add(rule.id);
      rules.push(rule);
    } catch (error) {
      rejected.push({ id: label, reason: (error as Error).message });
    }
  });
  return { lastUpdated: Math.floor(lastUpdated), rules, rejected };
}

/**
 * One matcher as a rules file writes it (docs/rules.md). readRule also takes the camelCase
 * spellings and django-csp-observer's `url`; ruleToJson writes these names.
 */
export interface RuleMatchJson {
  /** Pattern for the violation's blocked URI ("" for any). */
  blocked_uri: string;
  /** Base directive (`script-src` covers `script-src-elem`); "" for any. */
  directive: string;
  /** Pattern for the script or style the violation happened in ("" for any). */
  source_file: string;
  /** Pattern for the offending code's first characters ("" for any). */
  sample: string;
  /** Pattern for the page the violation happened on; absent for any. */
  document_uri?: string;
  /** Pattern for the policy as the browser applied it (violated directive, then the original policy); absent for any. */
  policy?: string;
  /** Only reports from this engine; absent for any. */
  engine?: EngineFamily;
}

/** One rule as a rules file writes it (docs/rules.md): the admin API serves and takes rules in this shape too. */
export interface RuleJson {
  /** Stable id (`custom:` for the site owner's rules). */
  id: string;
  /** What on the visitor's side causes it. */
  cause: Cause;
  /** Short name of the cause, shown to the visitor. */
  title: string;
  /** One sentence for the popup and lists. */
  short_description: string;
  /** Markdown for the scan report page. */
  long_description: string;
  /** Noise: matching reports are dropped and counted, never shown. */
  ignore: boolean;
  /** The rule matches a violation when any matcher does. */
  match: RuleMatchJson[];
  /** Public sources that document the cause. */
  references: string[];
  /** Where a shipped rule's facts come from; absent for custom rules. */
  source?: RuleSource;
}

/** A rule in the file format (our superset of django-csp-observer's), for export and the admin API. */
export function ruleToJson(rule: Rule): RuleJson {
  return {
    id: rule.id,
    cause: rule.cause,
    title: rule.title,
    short_description: rule.shortDescription,
    long_description: rule.longDescription,
    ignore: rule.ignore,
    match: rule.match.map((m) => ({
      blocked_uri: m.blockedUri,
      directive: m.directive,
      source_file: m.sourceFile,
      sample: m.sample,
      ...(m.documentUri ? { document_uri: m.documentUri } : {}),
      ...(m.policy ? { policy: m.policy } : {}),
      ...(m.engine ? { engine: m.engine } : {}),
    })),
    references: rule.references,
    ...(rule.source ? { source: rule.source } : {}),
  };
}

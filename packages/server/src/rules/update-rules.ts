import { parseRulesFile, ruleToJson, type RejectedRule, type Rule } from '@csp-observer/core';
import type { RuleStore } from '../storage/rule-store.js';
import { usableRules } from './rule-compiler.js';
import { readRulesSource, type RulesVerification } from './rules-source.js';

/** django-csp-observer's RULE_UPDATE_INTERVAL default: six hours. */
export const DEFAULT_RULES_UPDATE_INTERVAL = 21600;

export interface UpdateRulesOptions {
  /** A URL, a file path or `bundled`. */
  source: string;
  /** Ignore the update interval. */
  force?: boolean;
  /** Seconds that must pass between two updates. */
  updateInterval?: number;
  now?: number;
  /** Told each step of a long update (reading, checking, writing), for progress output. */
  onProgress?: (step: string) => void;
  /** A pinned SHA-256 or the publisher's public key the file must prove (not for the bundled file). */
  verify?: RulesVerification;
}

export interface UpdateRulesResult {
  /** `updated`; `skipped` (too soon, or already up to date); `refused` (the file failed a sanity check). */
  status: 'updated' | 'skipped' | 'refused';
  message: string;
  source: string;
  /** Ids of global rules added, removed and changed by this update. */
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: number;
  /** Rules of the file that were not taken, with the reason. */
  rejected: RejectedRule[];
  /** Global rules in force afterwards. */
  total: number;
  /** The file's `last_updated`, unix seconds (0 if it was not read). */
  lastUpdated: number;
}

/** Custom rules' ids start with this, so that no rules file can replace one. */
export const CUSTOM_PREFIX = 'custom:';

const same = (a: Rule, b: Rule) => JSON.stringify(ruleToJson(a)) === JSON.stringify(ruleToJson(b));

/**
 * Replaces the global rules with those of a rules file (ours or django-csp-observer's
 * format), with django-csp-observer's safeguards: not more often than `updateInterval` unless forced, never from a file
 * older than the last one, never from one with fewer than half as many rules as now. Rules
 * whose patterns do not compile are left out and listed. Custom rules are never touched.
 */
export async function updateRules(store: RuleStore, options: UpdateRulesOptions): Promise<UpdateRulesResult> {
  const now = options.now ?? Date.now();
  const interval = options.updateInterval ?? DEFAULT_RULES_UPDATE_INTERVAL;
  const state = await store.state();
  const current = (await store.list()).filter((rule) => rule.origin === 'global');
  const base = {
    source: options.source,
    added: [],
    removed: [],
    changed: [],
    unchanged: current.length,
    rejected: [],
    total: current.length,
    lastUpdated: 0,
  };

  if (!options.force && state.updatedAt > 0 && now - state.updatedAt < interval * 1000) {
    const wait = Math.ceil((state.updatedAt + interval * 1000 - now) / 1000);
    return {
      ...base,
      status: 'skipped',
      message: `the rules were updated ${Math.floor((now - state.updatedAt) / 1000)} s ago; the next update is allowed in ${wait} s (or force it)`,
    };
  }

  const progress = options.onProgress ?? (() => {});
  progress(`reading ${options.source}`);
  if (options.verify?.sha256 || options.verify?.publicKey)
    progress(`verifying ${options.verify.publicKey ? 'the signature' : 'the SHA-256'}`);
  const parsed = parseRulesFile(await readRulesSource(options.source, options.verify));
  progress(`checking ${parsed.rules.length} rules (${parsed.rejected.length} malformed)`);
  const reserved = parsed.rules.filter((rule) => rule.id.startsWith(CUSTOM_PREFIX));
  const { usable, rejected } = usableRules(parsed.rules.filter((rule) => !rule.id.startsWith(CUSTOM_PREFIX)));
  rejected.unshift(...reserved.map((rule) => ({ id: rule.id, reason: `ids starting with "${CUSTOM_PREFIX}" are kept for custom rules` })));
  const result = { ...base, rejected: [...parsed.rejected, ...rejected], lastUpdated: parsed.lastUpdated };

  if (state.updatedAt > 0 && parsed.lastUpdated < state.lastUpdated) {
    return {
      ...result,
      status: 'refused',
      message: `the file was last updated at ${iso(parsed.lastUpdated)}, before the rules in use (${iso(state.lastUpdated)})`,
    };
  }
  if (usable.length < current.length / 2) {
    return {
      ...result,
      status: 'refused',
      message: `the file has ${usable.length} usable rules, fewer than half of the ${current.length} in use`,
    };
  }
  if (!options.force && state.updatedAt > 0 && parsed.lastUpdated === state.lastUpdated) {
    return { ...result, status: 'skipped', message: 'the rules are already up to date' };
  }

  const before = new Map(current.map((rule) => [rule.id, rule]));
  const after = new Set(usable.map((rule) => rule.id));
  const added: string[] = [];
  const changed: string[] = [];
  let unchanged = 0;
  for (const rule of usable) {
    const old = before.get(rule.id);
    if (!old) added.push(rule.id);
    else if (same(old, rule)) unchanged++;
    else changed.push(rule.id);
  }
  const removed = current.filter((rule) => !after.has(rule.id)).map((rule) => rule.id);
  progress(`writing ${usable.length} rules in one transaction`);
  await store.replaceGlobal(usable, { lastUpdated: parsed.lastUpdated, source: options.source, now });
  return {
    ...result,
    status: 'updated',
    message: `${usable.length} global rules: ${added.length} added, ${changed.length} changed, ${removed.length} removed, ${unchanged} unchanged`,
    added,
    removed,
    changed,
    unchanged,
    total: usable.length,
  };
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

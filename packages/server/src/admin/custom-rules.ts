import {
  engineOf,
  readRule,
  ruleToJson,
  type AdminRulePreview,
  type AdminRuleRequest,
  type AdminSavedRule,
  type Rule,
  type Unchecked,
} from '@csp-observer/core';
import type { Knex } from 'knex';
import { HttpError } from '../http/http-error.js';
import type { ResolvedOptions } from '../options/options.js';
import { checkRulePatterns, compileRuleSet } from '../rules/rule-compiler.js';
import { CUSTOM_PREFIX } from '../rules/update-rules.js';
import { DAY, recentViolations, SCAN_LIMIT } from '../storage/admin-queries.js';

const EXAMPLES = 5;

/** A title as an id fragment: `Our chat widget` -> `our-chat-widget`. */
function slug(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'rule'
  );
}

/**
 * A custom rule from the dashboard's JSON (the rules file format: snake_case fields, `match`
 * entries). Its id always starts with `custom:` (made from the title when absent), so no rules
 * update can replace it. Throws 400 naming what is wrong.
 */
export function customRuleFrom(body: Unchecked<AdminRuleRequest>, sites: ResolvedOptions['collector'] = null): Rule {
  const title = typeof body.title === 'string' ? body.title : '';
  const given = typeof body.id === 'string' ? body.id.trim() : '';
  const id = given ? (given.startsWith(CUSTOM_PREFIX) ? given : `${CUSTOM_PREFIX}${given}`) : `${CUSTOM_PREFIX}${slug(title)}`;
  let rule: Rule;
  try {
    rule = readRule({ ...body, id }, 'custom');
    checkRulePatterns(rule);
  } catch (error) {
    throw new HttpError(400, `rule: ${(error as Error).message}`);
  }
  const site = body.site;
  if (site === undefined || site === null || site === '') return rule;
  if (typeof site !== 'string' || !sites?.has(site)) {
    throw new HttpError(
      400,
      `rule: site must be one of the collector's sites${sites?.size ? ` (${[...sites.keys()].join(', ')})` : ' (this server is not a collector)'}, or empty for every site`,
    );
  }
  return { ...rule, site };
}

/** A rule as the dashboard shows and edits it: the rules file format plus where it comes from. */
export function ruleView(rule: Rule): AdminSavedRule {
  return { ...ruleToJson(rule), origin: rule.origin, site: rule.site ?? null };
}

/**
 * How many of the last `days` days' reports a rule would explain (the newest SCAN_LIMIT at
 * most), with a few examples and how many no rule explains today.
 */
export async function previewRule(db: Knex, rule: Rule, days: number, now = Date.now()): Promise<AdminRulePreview> {
  // Within the same per-report budget as the rules in force: a costly pattern cannot make the
  // preview of thousands of reports hold the process.
  const matcher = compileRuleSet([rule]);
  const rows = await recentViolations(db, { from: now - days * DAY, to: now + 1, ...(rule.site ? { site: rule.site } : {}) });
  let matched = 0;
  let unexplainedNow = 0;
  const examples: AdminRulePreview['examples'] = [];
  for (const row of rows) {
    if (!matcher.match(row, engineOf(row.userAgent))) continue;
    matched++;
    if (!row.ruleId) unexplainedNow++;
    if (examples.length < EXAMPLES) {
      examples.push({
        id: row.id,
        blockedUri: row.blockedUri,
        effectiveDirective: row.effectiveDirective,
        documentUri: row.documentUri,
        sourceFile: row.sourceFile,
        sample: row.sample,
        ruleId: row.ruleId,
      });
    }
  }
  return { matched, scanned: rows.length, limited: rows.length >= SCAN_LIMIT, days, unexplainedNow, examples };
}

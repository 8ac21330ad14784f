import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { measureAttribution, parseRulesFile, type LabelledReport } from '@csp-observer/core';
import { compileRuleSet } from '../src/rules/rule-compiler.js';
import { BUNDLED_RULES } from '../src/rules/rules-source.js';

/** The corpus of real reports (fixtures/corpus: each file says where its reports come from, and how they were labelled). */
const folder = new URL('./fixtures/corpus/', import.meta.url);
const corpus = readdirSync(folder)
  .filter((name) => name.endsWith('.json'))
  .flatMap((name) => (JSON.parse(readFileSync(new URL(name, folder), 'utf8')) as { reports: LabelledReport[] }).reports);

const matcher = compileRuleSet(parseRulesFile(JSON.parse(readFileSync(BUNDLED_RULES, 'utf8'))).rules);
const result = measureAttribution(corpus, matcher);

describe('the shipped rules on the corpus of real reports', () => {
  it('hold a corpus worth measuring: visitor-side and site-side reports', () => {
    expect(result.visitor.total).toBeGreaterThanOrEqual(200);
    expect(result.site.total).toBeGreaterThanOrEqual(40);
  });

  it('give at least 80% of the visitor-side reports a visitor cause', () => {
    const share = result.visitor.attributed / result.visitor.total;
    expect(
      share,
      `${result.visitor.attributed} of ${result.visitor.total}; misses: ${JSON.stringify(result.misses.slice(0, 20), null, 1)}`,
    ).toBeGreaterThanOrEqual(0.8);
  });

  it('never blame a site-side report on an extension or malware', () => {
    expect(result.wrong).toEqual([]);
  });
});

import { engineOf, type EngineFamily } from '../engine.js';
import { normalizeReportUriBody } from '../normalize.js';
import type { RuleMatcher } from './matcher.js';
import type { Cause } from './rule.js';

/** One report of a labelled corpus: a real report body, and who caused it. */
export interface LabelledReport {
  id: string;
  /** The report's fields as the browser sent them (kebab-case, as under `csp-report`). */
  report: Record<string, unknown>;
  label: { side: 'visitor' | 'site'; cause: Cause | 'site'; what: string };
  /** The engine, where the source says: `chromium`, `firefox`, `webkit`, or anything else for unknown. */
  browser?: string;
}

export interface AttributionResult {
  visitor: { total: number; attributed: number; byCause: Record<string, { total: number; attributed: number }> };
  site: { total: number; blamedOnExtensionOrMalware: number; explained: number };
  /** Visitor-side reports no rule explains, and site-side ones a rule blamed on the visitor. */
  misses: Array<{ id: string; what: string; blockedUri: string; sourceFile: string; sample: string }>;
  wrong: Array<{ id: string; what: string; ruleId: string; cause: Cause }>;
}

const ENGINES: Record<string, EngineFamily> = { chromium: 'chromium', firefox: 'firefox', webkit: 'webkit' };

/**
 * How well rules attribute a labelled corpus of real reports: the share of visitor-side reports
 * that get a visitor cause (any rule: extension, browser, malware or other), and the site-side
 * reports a rule blames on an extension or malware (which must never happen: the visitor would
 * be told their browser is compromised when the site is at fault).
 */
export function measureAttribution(reports: readonly LabelledReport[], matcher: RuleMatcher): AttributionResult {
  const result: AttributionResult = {
    visitor: { total: 0, attributed: 0, byCause: {} },
    site: { total: 0, blamedOnExtensionOrMalware: 0, explained: 0 },
    misses: [],
    wrong: [],
  };
  for (const entry of reports) {
    const violation = normalizeReportUriBody({ 'csp-report': entry.report })[0]?.violation;
    if (!violation) continue;
    const engine = ENGINES[entry.browser ?? ''] ?? engineOf(String(entry.report['user-agent'] ?? ''));
    const rule = matcher.match(violation, engine);
    if (entry.label.side === 'visitor') {
      result.visitor.total++;
      const cause = (result.visitor.byCause[entry.label.cause] ??= { total: 0, attributed: 0 });
      cause.total++;
      if (rule) {
        result.visitor.attributed++;
        cause.attributed++;
      } else {
        result.misses.push({
          id: entry.id,
          what: entry.label.what,
          blockedUri: violation.blockedUri,
          sourceFile: violation.sourceFile,
          sample: violation.sample,
        });
      }
    } else {
      result.site.total++;
      if (rule) result.site.explained++;
      if (rule && (rule.cause === 'extension' || rule.cause === 'malware')) {
        result.site.blamedOnExtensionOrMalware++;
        result.wrong.push({ id: entry.id, what: entry.label.what, ruleId: rule.id, cause: rule.cause });
      }
    }
  }
  return result;
}

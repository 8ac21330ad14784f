import type { EngineFamily, RuleMatcher, Violation } from '@csp-observer/core';

/**
 * The work untrusted patterns may do for one report, in RE2 instructions times characters of
 * text (what an automaton's run costs, within a small constant: about 1 to 40 ns a unit with
 * re2js, see docs/performance.md). Each untrusted pattern charges its run before it starts; what
 * the budget cannot pay does not run and counts as "no match".
 */
export const DEFAULT_MATCH_BUDGET = 100_000;

/** A per-report budget, shared by the untrusted patterns of one rule set and reset before each report. */
export class MatchBudget {
  /** Units spent on the current report. */
  spent = 0;
  /** Whether the current report ran out. */
  exhausted = false;
  /** Reports that ran out since this budget was made. */
  exhaustedReports = 0;

  constructor(readonly units: number = DEFAULT_MATCH_BUDGET) {}

  /** Starts a report. */
  reset(): void {
    this.spent = 0;
    this.exhausted = false;
  }

  /** Pays for a run of `units`; false (and the report marked as out of budget) when it cannot. */
  charge(units: number): boolean {
    if (this.spent + units > this.units) {
      if (!this.exhausted) this.exhaustedReports++;
      this.exhausted = true;
      return false;
    }
    this.spent += units;
    return true;
  }
}

/** A matcher whose every match starts with a fresh budget. */
export function budgeted(matcher: RuleMatcher, budget: MatchBudget): RuleMatcher {
  return {
    get size() {
      return matcher.size;
    },
    match(violation: Violation, engine?: EngineFamily | '') {
      budget.reset();
      return matcher.match(violation, engine);
    },
  };
}

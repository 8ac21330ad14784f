import type { Rule, RuleMatcher, Violation } from '@csp-observer/core';
import type { RuleBook } from '../rules/rule-book.js';

/**
 * One read of a session's evidence may spend this many reports' matching budgets on reports it
 * has not matched yet; the others keep the rule stored when they arrived until a later read.
 */
export const READ_BUDGET_REPORTS = 4;
/** Reports whose match this process remembers, over every session. */
export const MAX_REMEMBERED_MATCHES = 100_000;

interface SessionMatches {
  generation: number;
  byRow: Map<number, Rule | null>;
}

/**
 * What the rules in force say of each stored report, remembered per session until the rules
 * change (RuleBook.generation): the verdict of a page view is asked for again and again (each
 * long-poll, each stream wake-up, each scan page reload), and matching every stored report each
 * time would let one report that costs its full budget slow every read of its session. Each row is
 * matched at most once per rules generation in this process; a read matches at most
 * READ_BUDGET_REPORTS budgets' worth of new rows, bounding the work of any one read.
 */
export class StoredMatches {
  private readonly sessions = new Map<string, SessionMatches>();
  private entries = 0;
  /** Rows matched (not remembered) since start: for tests and the bench. */
  matched = 0;

  constructor(
    private readonly rules: RuleBook,
    private readonly maxEntries = MAX_REMEMBERED_MATCHES,
  ) {}

  /** The matcher for one read of a session's stored reports (rows with their `id`). */
  forRead(sessionId: string, site: string): RuleMatcher {
    const generation = this.rules.generation;
    let memo = this.sessions.get(sessionId);
    if (memo) {
      this.sessions.delete(sessionId);
      this.entries -= memo.byRow.size;
      if (memo.generation !== generation) memo = undefined;
    }
    const session: SessionMatches = memo ?? { generation, byRow: new Map() };
    this.sessions.set(sessionId, session);
    this.entries += session.byRow.size;
    const matcher = this.rules.forStoredReports(site);
    const limit = this.rules.matchBudgetState.units * READ_BUDGET_REPORTS;
    let spent = 0;
    return {
      size: matcher.size,
      match: (violation: Violation, engine) => {
        const id = (violation as Violation & { id?: number }).id;
        if (id === undefined) return matcher.match(violation, engine);
        const known = session.byRow.get(id);
        if (known !== undefined) return known;
        if (spent >= limit) return this.rules.storedRule(violation, site);
        const rule = matcher.match(violation, engine);
        this.matched++;
        spent += this.rules.matchBudgetState.spent;
        session.byRow.set(id, rule);
        this.entries++;
        this.trim(session);
        return rule;
      },
    };
  }

  /** Forgets the sessions read longest ago until the memory is within bounds (never the one being read). */
  private trim(current: SessionMatches): void {
    for (const [id, session] of this.sessions) {
      if (this.entries <= this.maxEntries || session === current) return;
      this.sessions.delete(id);
      this.entries -= session.byRow.size;
    }
  }
}

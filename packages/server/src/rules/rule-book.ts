import { compileRules, type EngineFamily, type Rule, type RuleMatcher, type Violation } from '@csp-observer/core';
import type { Logger } from '../logger.js';
import type { RuleStore } from '../storage/rule-store.js';
import { DEFAULT_MATCH_BUDGET, MatchBudget } from './match-budget.js';
import { compilePattern, patternCompiler } from './pattern-engine.js';
import { compileOnce, compileRuleSet, usableRules } from './rule-compiler.js';

const EMPTY: RuleMatcher = compileRules([], compilePattern);
/** At most one warning a minute that reports ran out of matching budget. */
const BUDGET_WARNING_MS = 60_000;

/**
 * The rules in force in this process, compiled once into one matcher. Reloaded when this
 * process changes them and, for processes sharing a database, when the stored revision moves
 * (checked every `pollMs`).
 */
export class RuleBook {
  private matcher: RuleMatcher = EMPTY;
  /** Collector sites with custom rules of their own: their matcher (their rules first, then the shared ones). */
  private siteMatchers = new Map<string, RuleMatcher>();
  private loaded: Rule[] = [];
  private byId = new Map<string, Rule>();
  private revision: string | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private reloading: Promise<void> | null = null;
  /** Pays for the untrusted patterns of the rules in force, per report (see MatchBudget). */
  private budget: MatchBudget;
  /** Generation of the compiled rules: moves on every load, so that caches of matches know when to forget. */
  private loads = 0;
  private warnedAt = 0;
  private warnedCount = 0;

  constructor(
    private readonly store: RuleStore,
    private readonly logger: Logger,
    /** Units of untrusted matching one report may spend (MatchBudget). */
    private readonly matchBudget = DEFAULT_MATCH_BUDGET,
  ) {
    this.budget = new MatchBudget(matchBudget);
  }

  /**
   * The first rule that explains the violation (custom rules first), or null; `site` adds that
   * collector site's own rules, `engine` (engineOf the reporter's User-Agent) lets engine-bound rules match.
   */
  match(violation: Violation, site = '', engine: EngineFamily | '' = ''): Rule | null {
    const rule = this.forSite(site).match(violation, engine);
    if (this.budget.exhausted) this.warnOutOfBudget();
    return rule;
  }

  /** The budget the rules in force charge: what the last match spent, and how many reports ran out. */
  get matchBudgetState(): Pick<MatchBudget, 'spent' | 'exhausted' | 'exhaustedReports' | 'units'> {
    return this.budget;
  }

  /** Moves on each time the rules are compiled anew. */
  get generation(): number {
    return this.loads;
  }

  private warnOutOfBudget(): void {
    const now = Date.now();
    if (now - this.warnedAt < BUDGET_WARNING_MS) return;
    const count = this.budget.exhaustedReports - this.warnedCount;
    this.warnedAt = now;
    this.warnedCount = this.budget.exhaustedReports;
    this.logger.warn(
      `rules: ${count} report(s) used up the matching budget of ${this.matchBudget} units for untrusted patterns; the rest of their custom or downloaded rules were not tried (see docs/security.md)`,
    );
  }

  /** A matcher bound to one collector site ("" for this server's own pages). */
  forSite(site: string): RuleMatcher {
    return (site && this.siteMatchers.get(site)) || this.matcher;
  }

  get size(): number {
    return this.loaded.length;
  }

  /** The rules in force, custom first. */
  get rules(): readonly Rule[] {
    return this.loaded;
  }

  /** The rule in force with this id. */
  rule(id: string): Rule | undefined {
    return this.byId.get(id);
  }

  /**
   * The matcher for stored reports of one site: today's rules, and where none matches what was
   * stored, the rule that matched the report when it arrived if it is still in force. Stored URLs
   * lost their query strings (stripQuery), and a rule may need the query (an adware beacon's shape).
   */
  forStoredReports(site: string): RuleMatcher {
    const matcher = this.forSite(site);
    return {
      size: matcher.size,
      match: (violation, engine) => matcher.match(violation, engine) ?? this.storedRule(violation, site),
    };
  }

  /** The rule that matched a stored report when it arrived, if it is still in force for its site. */
  storedRule(violation: Violation, site: string): Rule | null {
    const stored = (violation as Violation & { ruleId?: string | null }).ruleId;
    const rule = stored ? this.byId.get(stored) : undefined;
    return rule && (!rule.site || rule.site === site) ? rule : null;
  }

  /** Reads the rules from the database and compiles them. */
  async load(): Promise<void> {
    this.reloading ??= (async () => {
      try {
        const revision = await this.store.revision();
        // Checking the rules compiles their patterns; the matcher reuses them. One budget for
        // every matcher of this load: a report is matched by one of them at a time.
        const budget = new MatchBudget(this.matchBudget);
        const compile = compileOnce(patternCompiler(budget));
        const { usable, rejected } = usableRules(await this.store.list(), compile);
        for (const { id, reason } of rejected) this.logger.warn(`rule ${id} is not used: ${reason}`);
        const shared = usable.filter((rule) => !rule.site);
        this.matcher = compileRuleSet(shared, budget, compile);
        const sites = new Set(usable.flatMap((rule) => (rule.site ? [rule.site] : [])));
        this.siteMatchers = new Map(
          [...sites].map((site) => [site, compileRuleSet([...usable.filter((rule) => rule.site === site), ...shared], budget, compile)]),
        );
        budget.exhaustedReports = this.budget.exhaustedReports;
        this.budget = budget;
        this.warnedCount = Math.min(this.warnedCount, budget.exhaustedReports);
        this.loads++;
        this.loaded = usable;
        this.byId = new Map(usable.map((rule) => [rule.id, rule]));
        this.revision = revision;
      } finally {
        this.reloading = null;
      }
    })();
    await this.reloading;
  }

  /** Reloads if another process (or this one) changed the rules since the last load. */
  async refresh(): Promise<boolean> {
    const revision = await this.store.revision();
    if (revision === this.revision) return false;
    await this.load();
    return true;
  }

  /** Checks for changes made elsewhere every `pollMs`, without keeping the process alive. */
  watch(pollMs: number): void {
    this.timer ??= setInterval(() => {
      this.refresh().catch((error: unknown) => this.logger.error({ err: error }, 'could not reload the rules'));
    }, pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

import { randomUUID } from 'node:crypto';
import { readRule, ruleToJson, type Rule } from '@csp-observer/core';
import type { Knex } from 'knex';

/** What is known about the global rules' last update. */
export interface RulesState {
  /** The rules file's own `last_updated`, unix seconds (0 before any update). */
  lastUpdated: number;
  /** When this database last took an update, epoch ms (0 before any). */
  updatedAt: number;
  /** Where the last update came from (a URL, a file path or `bundled`). */
  source: string;
  /** Changes with every change to any rule, so other processes notice and reload. */
  revision: string;
}

type Row = Record<string, unknown>;

function toRow(rule: Rule, position: number, now: number) {
  const json = ruleToJson(rule);
  return {
    id: rule.id,
    origin: rule.origin,
    position,
    cause: rule.cause,
    title: rule.title,
    short_description: rule.shortDescription,
    long_description: rule.longDescription,
    ignore: rule.ignore,
    matches: JSON.stringify(json.match),
    refs: JSON.stringify(rule.references),
    site: rule.origin === 'custom' && rule.site ? rule.site : null,
    created_at: now,
    updated_at: now,
  };
}

function fromRow(row: Row): Rule {
  const rule = readRule(
    {
      id: row.id,
      cause: row.cause,
      title: row.title,
      short_description: row.short_description,
      long_description: row.long_description,
      ignore: Boolean(row.ignore),
      match: JSON.parse(String(row.matches)),
      references: JSON.parse(String(row.refs)),
    },
    row.origin === 'custom' ? 'custom' : 'global',
  );
  return row.site ? { ...rule, site: String(row.site) } : rule;
}

const STATE_KEYS = {
  lastUpdated: 'rules.last_updated',
  updatedAt: 'rules.updated_at',
  source: 'rules.source',
  revision: 'rules.revision',
} as const;

/** Reads and writes rules and their update state. The one place that knows those tables. */
export class RuleStore {
  constructor(private readonly db: Knex) {}

  /** Every rule: custom ones by creation, then the global ones in file order. */
  async list(): Promise<Rule[]> {
    const rows = (await this.db('cspo_rules')
      .orderByRaw("case when origin = 'custom' then 0 else 1 end")
      .orderBy('position')
      .orderBy('id')) as Row[];
    return rows.map(fromRow);
  }

  async get(id: string): Promise<Rule | null> {
    const row = (await this.db('cspo_rules').where({ id }).first()) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  async countGlobal(): Promise<number> {
    const row = (await this.db('cspo_rules').where({ origin: 'global' }).count({ n: '*' }).first()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }

  async state(): Promise<RulesState> {
    const rows = (await this.db('cspo_state').whereIn('key', Object.values(STATE_KEYS))) as Array<{ key: string; value: string }>;
    const value = (key: string) => rows.find((row) => row.key === key)?.value ?? '';
    return {
      lastUpdated: Number(value(STATE_KEYS.lastUpdated)) || 0,
      updatedAt: Number(value(STATE_KEYS.updatedAt)) || 0,
      source: value(STATE_KEYS.source),
      revision: value(STATE_KEYS.revision),
    };
  }

  /** Only the revision: cheap enough to poll. */
  async revision(): Promise<string> {
    const row = (await this.db('cspo_state').where({ key: STATE_KEYS.revision }).first()) as { value: string } | undefined;
    return row?.value ?? '';
  }

  /** Replaces every global rule in one transaction; custom rules are untouched. */
  async replaceGlobal(rules: readonly Rule[], meta: { lastUpdated: number; source: string; now: number }): Promise<void> {
    await this.db.transaction(async (trx) => {
      await trx('cspo_rules').where({ origin: 'global' }).delete();
      const rows = rules.map((rule, i) => toRow({ ...rule, origin: 'global' }, i, meta.now));
      for (let i = 0; i < rows.length; i += 200) await trx('cspo_rules').insert(rows.slice(i, i + 200));
      await this.setState(trx, {
        [STATE_KEYS.lastUpdated]: String(meta.lastUpdated),
        [STATE_KEYS.updatedAt]: String(meta.now),
        [STATE_KEYS.source]: meta.source,
      });
      await this.bump(trx);
    });
  }

  /** Creates or replaces a custom rule (its id must not belong to a global rule). */
  async saveCustom(rule: Rule, now = Date.now()): Promise<void> {
    await this.db.transaction(async (trx) => {
      const existing = (await trx('cspo_rules').where({ id: rule.id }).first()) as Row | undefined;
      if (existing && existing.origin !== 'custom') throw new Error(`rule ${rule.id} is a global rule`);
      const row = toRow({ ...rule, origin: 'custom' }, 0, now);
      if (existing)
        await trx('cspo_rules')
          .where({ id: rule.id })
          .update({ ...row, created_at: existing.created_at });
      else await trx('cspo_rules').insert(row);
      await this.bump(trx);
    });
  }

  /** Deletes a custom rule; false when there is none with that id. */
  async deleteCustom(id: string): Promise<boolean> {
    return this.db.transaction(async (trx) => {
      const deleted = await trx('cspo_rules').where({ id, origin: 'custom' }).delete();
      if (deleted) await this.bump(trx);
      return deleted > 0;
    });
  }

  private async setState(trx: Knex.Transaction, values: Record<string, string>): Promise<void> {
    const rows = Object.entries(values).map(([key, value]) => ({ key, value }));
    await trx('cspo_state').insert(rows).onConflict('key').merge();
  }

  /** A new revision value: unique, so two processes changing rules at once never write the same. */
  private async bump(trx: Knex.Transaction): Promise<void> {
    await this.setState(trx, { [STATE_KEYS.revision]: `${Date.now().toString(36)}-${randomUUID()}` });
  }
}

import type { Knex } from 'knex';
import { dialectOf } from './database.js';

/** csp-observer keeps its own migrations table so it never clashes with the host app's. */
export const MIGRATIONS_TABLE = 'cspo_migrations';

interface Migration {
  name: string;
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

const initial: Migration = {
  name: '0001_sessions_and_reports',
  async up(db) {
    await db.schema.createTable('cspo_sessions', (t) => {
      t.string('id', 32).primary().comment('Session id from the signed token (one page view)');
      t.bigInteger('issued_at').notNullable().comment('When the token was minted, epoch ms');
      t.bigInteger('first_seen_at').notNullable().comment('First report of the session, epoch ms');
      t.bigInteger('last_seen_at').notNullable().comment('Latest report of the session, epoch ms');
      t.text('document_uri').notNullable().defaultTo('').comment('Page of the first report');
      t.string('ip', 64).notNullable().defaultTo('').comment('Anonymized client IP (v4 /16, v6 /48)');
      t.text('user_agent').notNullable().defaultTo('');
      t.index(['issued_at'], 'cspo_sessions_issued_at');
    });
    await db.schema.createTable('cspo_reports', (t) => {
      t.bigIncrements('id');
      t.string('session_id', 32).nullable().comment('Null for reports sent to the plain collector');
      t.string('channel', 16).notNullable().comment('sdk, report-uri or report-to');
      t.string('report_type', 64).notNullable().defaultTo('csp-violation').comment('Reporting API type');
      t.bigInteger('received_at').notNullable().comment('Epoch ms');
      t.text('document_uri').notNullable().defaultTo('');
      t.text('referrer').notNullable().defaultTo('');
      t.text('blocked_uri').notNullable().defaultTo('');
      t.string('effective_directive', 64).notNullable().defaultTo('');
      t.text('violated_directive').notNullable().defaultTo('');
      t.text('original_policy').notNullable().defaultTo('');
      t.string('disposition', 16).notNullable().defaultTo('');
      t.text('source_file').notNullable().defaultTo('');
      t.integer('line_number').notNullable().defaultTo(0);
      t.integer('column_number').notNullable().defaultTo(0);
      t.integer('status_code').notNullable().defaultTo(0);
      t.text('sample').notNullable().defaultTo('');
      t.string('fingerprint', 16).nullable().comment('Pairs the DOM event with the native report of one violation');
      t.boolean('is_valid').notNullable().comment('django-csp-reports validity rules');
      t.text('problems').notNullable().defaultTo('[]').comment('Why the report is invalid (JSON array)');
      t.text('raw').notNullable().comment('The report as received (JSON, or the body text when not JSON)');
      t.text('user_agent').notNullable().defaultTo('');
      t.string('ip', 64).notNullable().defaultTo('').comment('Anonymized client IP');
      t.string('cause', 16).nullable().comment('extension, browser, malware, other; null while no rule explains it');
      t.string('rule_id', 128).nullable().comment('The rule that explains the report');
      t.text('extra').nullable().comment('JSON from the extraFields hook');
      t.index(['session_id', 'fingerprint'], 'cspo_reports_session_fingerprint');
      t.index(['received_at'], 'cspo_reports_received_at');
    });
    await db.schema.createTable('cspo_drops', (t) => {
      t.bigInteger('bucket_at').notNullable().comment('Start of the hour the reports arrived in, epoch ms');
      t.string('reason', 32).notNullable().comment('filter, extension-filter or rule');
      t.string('cause', 16).notNullable().defaultTo('').comment('Cause of the ignore rule; "" for filters');
      t.string('rule_id', 128).notNullable().defaultTo('').comment('The ignore rule; "" for filters');
      t.integer('count').notNullable().comment('Reports dropped, never stored');
      t.primary(['bucket_at', 'reason', 'cause', 'rule_id']);
    });
  },
  async down(db) {
    await db.schema.dropTableIfExists('cspo_drops');
    await db.schema.dropTableIfExists('cspo_reports');
    await db.schema.dropTableIfExists('cspo_sessions');
  },
};

const detection: Migration = {
  name: '0002_rules_and_detection',
  async up(db) {
    await db.schema.createTable('cspo_rules', (t) => {
      t.string('id', 128).primary();
      t.string('origin', 16).notNullable().comment('global (from the rules file, replaced by updates) or custom (kept)');
      t.integer('position').notNullable().defaultTo(0).comment('Order in the rules file: the first matching rule wins');
      t.string('cause', 16).notNullable().comment('extension, browser, malware or other');
      t.text('title').notNullable();
      t.text('short_description').notNullable().defaultTo('');
      t.text('long_description').notNullable().defaultTo('').comment('Markdown');
      t.boolean('ignore').notNullable().defaultTo(false).comment('Noise: matching reports are dropped and counted');
      t.text('matches').notNullable().comment('JSON array of {blocked_uri, directive, source_file, sample}');
      t.text('refs').notNullable().defaultTo('[]').comment('JSON array of reference URLs');
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
    });
    await db.schema.createTable('cspo_state', (t) => {
      t.string('key', 64).primary().comment('rules.last_updated, rules.updated_at, rules.source, rules.revision');
      t.text('value').notNullable();
    });
    await db.schema.alterTable('cspo_reports', (t) => {
      t.string('via', 16).nullable().comment("SDK reports: seen by the page's listener or its ReportingObserver");
    });
    await db.schema.alterTable('cspo_sessions', (t) => {
      t.bigInteger('sdk_seen_at').nullable().comment('First message from the SDK, epoch ms');
      t.string('canary', 16).nullable().comment('listener, observer or missing: who saw the canary');
      t.boolean('canary_threw').nullable().comment("The canary's eval threw: the policy is enforced");
      t.bigInteger('canary_at').nullable().comment('When the canary outcome arrived, epoch ms');
    });
  },
  async down(db) {
    await db.schema.alterTable('cspo_sessions', (t) => {
      t.dropColumn('sdk_seen_at');
      t.dropColumn('canary');
      t.dropColumn('canary_threw');
      t.dropColumn('canary_at');
    });
    await db.schema.alterTable('cspo_reports', (t) => t.dropColumn('via'));
    await db.schema.dropTableIfExists('cspo_state');
    await db.schema.dropTableIfExists('cspo_rules');
  },
};

const visitorSide: Migration = {
  name: '0003_sdk_queue_and_sharing',
  async up(db) {
    await db.schema.alterTable('cspo_reports', (t) => {
      t.integer('sdk_seq').nullable().comment("SDK reports: the event's number in its page view; a retried batch is stored once");
    });
    // Partial: native reports (no number) cost the index nothing. Both SQLite and PostgreSQL have it.
    await db.raw('CREATE UNIQUE INDEX cspo_reports_sdk_seq ON cspo_reports (session_id, sdk_seq) WHERE sdk_seq IS NOT NULL');
    await db.schema.alterTable('cspo_sessions', (t) => {
      t.bigInteger('shared_at').nullable().comment("When the visitor shared this page view's unknown reports, epoch ms");
    });
  },
  async down(db) {
    await db.schema.alterTable('cspo_sessions', (t) => t.dropColumn('shared_at'));
    await db.raw('DROP INDEX IF EXISTS cspo_reports_sdk_seq');
    await db.schema.alterTable('cspo_reports', (t) => t.dropColumn('sdk_seq'));
  },
};

const adminSide: Migration = {
  name: '0004_shown_verdicts',
  async up(db) {
    await db.schema.alterTable('cspo_sessions', (t) => {
      t.string('verdict_status', 16).nullable().comment('observing, clean or problems: the last verdict the visitor was sent');
      t.text('verdict').nullable().comment('That verdict as JSON (problems, anomalies, unknown)');
      t.string('verdict_version', 16).nullable();
      t.bigInteger('verdict_at').nullable().comment('When it was sent, epoch ms');
      t.index(['first_seen_at'], 'cspo_sessions_first_seen_at');
    });
  },
  async down(db) {
    await db.schema.alterTable('cspo_sessions', (t) => {
      t.dropIndex(['first_seen_at'], 'cspo_sessions_first_seen_at');
      t.dropColumn('verdict_status');
      t.dropColumn('verdict');
      t.dropColumn('verdict_version');
      t.dropColumn('verdict_at');
    });
  },
};

const sites: Migration = {
  name: '0005_collector_sites',
  async up(db) {
    // A collector's site sessions are keyed `<site>.<id>`: up to 55 characters. SQLite does not
    // enforce lengths; on PostgreSQL widening a varchar rewrites nothing.
    if (dialectOf(db) === 'postgres') {
      await db.raw('ALTER TABLE cspo_sessions ALTER COLUMN id TYPE varchar(64)');
      await db.raw('ALTER TABLE cspo_reports ALTER COLUMN session_id TYPE varchar(64)');
    }
    await db.schema.alterTable('cspo_sessions', (t) => {
      t.string('site', 32)
        .notNullable()
        .defaultTo('')
        .comment('The collector site the page view belongs to; "" for this server\'s own pages');
      t.smallint('policy').nullable().comment("What the site's policy lets the verdict expect: 1 canary, 2 Reporting API (from the token)");
      t.index(['site', 'first_seen_at'], 'cspo_sessions_site_first_seen_at');
      // Retention deletes sessions by their last report, in batches: each batch an index range.
      t.index(['last_seen_at'], 'cspo_sessions_last_seen_at');
    });
    await db.schema.alterTable('cspo_reports', (t) => {
      t.string('site', 32)
        .notNullable()
        .defaultTo('')
        .comment('The collector site of the report; "" for this server\'s own pages and the plain collector');
      t.index(['site', 'received_at'], 'cspo_reports_site_received_at');
    });
    await db.schema.alterTable('cspo_rules', (t) => {
      t.string('site', 32).nullable().comment('A custom rule for one collector site only; null for every site');
    });
  },
  async down(db) {
    await db.schema.alterTable('cspo_rules', (t) => t.dropColumn('site'));
    await db.schema.alterTable('cspo_reports', (t) => {
      t.dropIndex(['site', 'received_at'], 'cspo_reports_site_received_at');
      t.dropColumn('site');
    });
    await db.schema.alterTable('cspo_sessions', (t) => {
      t.dropIndex(['site', 'first_seen_at'], 'cspo_sessions_site_first_seen_at');
      t.dropIndex(['last_seen_at'], 'cspo_sessions_last_seen_at');
      t.dropColumn('site');
      t.dropColumn('policy');
    });
  },
};

const MIGRATIONS: readonly Migration[] = [initial, detection, visitorSide, adminSide, sites];

/** A knex migration source over the migrations compiled into this package. */
export const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: (migration) => migration.name,
  getMigration: async (migration) => ({ up: migration.up, down: migration.down }),
};

/** Applies pending migrations; returns the names applied. */
export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource, tableName: MIGRATIONS_TABLE })) as [number, string[]];
  return applied;
}

/** Rolls back the last batch of migrations; returns the names rolled back. */
export async function migrateRollback(db: Knex): Promise<string[]> {
  const [, rolledBack] = (await db.migrate.rollback({ migrationSource, tableName: MIGRATIONS_TABLE })) as [number, string[]];
  return rolledBack;
}

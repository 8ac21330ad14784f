import { createRequire } from 'node:module';
import type { Knex } from 'knex';
import type { Logger } from '../logger.js';
import { SESSION_EVENTS_CHANNEL } from '../storage/report-store.js';
import type { SessionHub } from './session-hub.js';

interface PgNotification {
  channel: string;
  payload?: string;
}

interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'notification', listener: (message: PgNotification) => void): void;
  on(event: 'error' | 'end', listener: (error?: Error) => void): void;
}

// pg ships without type declarations; this is the part used here. Loaded when first needed: pg is
// an optional peer dependency, installed by PostgreSQL users only (storage/database.ts checks it).
const loadPgClient = () => (createRequire(import.meta.url)('pg') as { Client: new (config: unknown) => PgClient }).Client;

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

/**
 * Cross-process wake-ups on PostgreSQL: every process LISTENs on one channel on a connection
 * of its own, and the report store NOTIFYs the sessions of each group commit inside its
 * transaction, so a live verdict long-polled on one process wakes when the evidence lands on
 * another (PostgreSQL delivers on commit, typically within milliseconds). The connection is
 * re-opened with backoff when it drops; after a gap every waiter re-checks once.
 */
export class PgSessionEvents {
  private client: PgClient | null = null;
  private stopped = false;
  private retryMs = FIRST_RETRY_MS;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly connection: unknown,
    private readonly hub: SessionHub,
    private readonly logger: Logger,
  ) {}

  /** The connection settings of a knex instance on PostgreSQL, or null when they cannot be reused. */
  static connectionOf(db: Knex): unknown {
    const connection = (db.client as { config: Knex.Config }).config.connection;
    if (typeof connection === 'string') return { connectionString: connection };
    if (connection && typeof connection === 'object') return connection;
    return null;
  }

  /** Connects and LISTENs; a failure is logged and retried, never thrown. */
  async start(): Promise<void> {
    if (this.stopped || this.client) return;
    const client = new (loadPgClient())(this.connection);
    let failed = false;
    const drop = (error?: Error) => {
      if (failed) return;
      failed = true;
      if (this.client === client) this.client = null;
      void client.end().catch(() => undefined);
      this.retry(error);
    };
    client.on('error', drop);
    client.on('end', () => drop(new Error('the connection closed')));
    client.on('notification', (message) => {
      if (message.channel === SESSION_EVENTS_CHANNEL && message.payload) this.hub.notify(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${SESSION_EVENTS_CHANNEL}`);
    } catch (error) {
      drop(error as Error);
      return;
    }
    if (this.stopped) {
      failed = true;
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    if (this.retryMs !== FIRST_RETRY_MS) {
      this.logger.info('live verdicts: listening for other processes again');
      // Notifications sent while disconnected are lost: let every waiting verdict check now.
      this.hub.notifyAll();
    }
    this.retryMs = FIRST_RETRY_MS;
  }

  private retry(error?: Error): void {
    if (this.stopped || this.timer) return;
    this.logger.warn(
      { err: error },
      `live verdicts: lost the PostgreSQL notification connection (${error?.message ?? 'closed'}); retrying in ${this.retryMs} ms`,
    );
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.start();
    }, this.retryMs);
    this.timer.unref();
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}

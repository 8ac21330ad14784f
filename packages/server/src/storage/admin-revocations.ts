import type { Knex } from 'knex';

/** Revoked admin sessions live in cspo_state under this prefix (key: prefix + session id, value: its expiry). */
const PREFIX = 'admin.revoked.';

/**
 * Admin login sessions that were logged out before they expired. Kept in the database so every
 * process sharing it refuses a replayed cookie, and only until the cookie would have expired.
 */
export class AdminRevocations {
  constructor(private readonly db: Knex) {}

  /** Refuses the session from now on; forgets revocations of sessions that have expired since. */
  async revoke(sessionId: string, expiresAt: number, now = Date.now()): Promise<void> {
    await this.db('cspo_state')
      .insert({ key: PREFIX + sessionId, value: String(expiresAt) })
      .onConflict('key')
      .merge();
    const rows = (await this.db('cspo_state').where('key', 'like', `${PREFIX}%`)) as Array<{ key: string; value: string }>;
    const stale = rows.filter((row) => Number(row.value) <= now).map((row) => row.key);
    if (stale.length) await this.db('cspo_state').whereIn('key', stale).delete();
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    return (
      (await this.db('cspo_state')
        .where({ key: PREFIX + sessionId })
        .first()) !== undefined
    );
  }
}

/** Why a held verdict request was refused. */
export type WaitRefusal = 'total' | 'ip' | 'session';

/** A place in the gate; `release` is idempotent. */
export interface WaitTicket {
  release(): void;
}

/**
 * Counts the verdict requests held open (long-polls and streams), per client address, per page
 * view and in total, and admits a new one only within the caps: each held request costs a socket,
 * memory and a read of its session at every wake-up, so a crowd from one address (or of one
 * token) must not push out everyone else or starve the process.
 */
export class WaiterGate {
  private readonly byIp = new Map<string, number>();
  private readonly bySession = new Map<string, number>();
  private count = 0;

  constructor(readonly caps: { readonly total: number; readonly perIp: number; readonly perSession: number }) {}

  /** A ticket, or why not. */
  enter(ip: string, sessionId: string): WaitTicket | WaitRefusal {
    if (this.count >= this.caps.total) return 'total';
    if ((this.byIp.get(ip) ?? 0) >= this.caps.perIp) return 'ip';
    if ((this.bySession.get(sessionId) ?? 0) >= this.caps.perSession) return 'session';
    this.count++;
    bump(this.byIp, ip, 1);
    bump(this.bySession, sessionId, 1);
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        this.count--;
        bump(this.byIp, ip, -1);
        bump(this.bySession, sessionId, -1);
      },
    };
  }

  /** Requests held now. */
  get size(): number {
    return this.count;
  }

  /** Requests held now from one address. */
  heldBy(ip: string): number {
    return this.byIp.get(ip) ?? 0;
  }
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const next = (map.get(key) ?? 0) + by;
  if (next > 0) map.set(key, next);
  else map.delete(key);
}

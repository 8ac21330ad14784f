import { knownKeys, OptionsError } from './option-checks.js';

/** How many verdict requests (long-polls and streams) may be held open at once. */
export interface VerdictWaitsOptions {
  /** In this process (default 5000); past it, 503 with Retry-After. */
  total?: number;
  /** From one client address (default 100: many visitors may share one address behind NAT); past it, 429 with Retry-After. */
  perIp?: number;
  /** For one page view (default 4: its page holds one); past it, 429 with Retry-After. */
  perSession?: number;
}

/** The live verdict's bounds. */
export interface VerdictOptions {
  /** Caps on verdict requests held open; a plain verdict request (no `wait`) is always answered. */
  verdictWaits?: VerdictWaitsOptions;
}

export const VERDICT_WAITS_DEFAULTS = { total: 5000, perIp: 100, perSession: 4 } as const satisfies Required<VerdictWaitsOptions>;

export type ResolvedVerdictOptions = { waits: Required<VerdictWaitsOptions> };

function count(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new OptionsError(`${name} must be a whole number of requests, at least 1, got ${String(value)}`);
  }
  return value;
}

/** Every key of VerdictOptions, for refusing the ones that are not (the compiler keeps the list whole). */
export const VERDICT_OPTION_KEYS: Record<keyof VerdictOptions, true> = { verdictWaits: true };

export function resolveVerdictOptions(options: VerdictOptions): ResolvedVerdictOptions {
  const waits = options.verdictWaits ?? {};
  if (typeof waits !== 'object' || waits === null) throw new OptionsError('verdictWaits must be an object { total, perIp, perSession }');
  knownKeys('verdictWaits', waits, Object.keys(VERDICT_WAITS_DEFAULTS));
  const total = count('verdictWaits.total', waits.total, VERDICT_WAITS_DEFAULTS.total);
  const perIp = count('verdictWaits.perIp', waits.perIp, Math.min(VERDICT_WAITS_DEFAULTS.perIp, total));
  const perSession = count('verdictWaits.perSession', waits.perSession, Math.min(VERDICT_WAITS_DEFAULTS.perSession, perIp));
  if (perIp > total) throw new OptionsError(`verdictWaits.perIp (${perIp}) cannot exceed verdictWaits.total (${total})`);
  if (perSession > perIp) throw new OptionsError(`verdictWaits.perSession (${perSession}) cannot exceed verdictWaits.perIp (${perIp})`);
  return { waits: { total, perIp, perSession } };
}

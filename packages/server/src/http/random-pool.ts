import { randomFillSync } from 'node:crypto';

/**
 * Random bytes for nonces and session ids, drawn from a pool refilled from the OS CSPRNG 4 KiB at a
 * time: one `randomBytes(16)` costs about 4 us (a call into the OS per page), a draw from the pool
 * about 0.2 us (bench: `pnpm bench page`). Every byte is handed out once; the pool is never reused
 * before it is refilled.
 */
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let next = POOL_SIZE;

/** `size` (at most 4096) fresh random bytes, as `encoding` text. */
export function randomText(size: number, encoding: 'base64' | 'base64url'): string {
  if (next + size > POOL_SIZE) {
    randomFillSync(pool);
    next = 0;
  }
  const text = pool.toString(encoding, next, next + size);
  pool.fill(0, next, next + size);
  next += size;
  return text;
}

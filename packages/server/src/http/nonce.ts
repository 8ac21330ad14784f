import { randomBytes } from 'node:crypto';

/** A fresh nonce: 128 bits from the OS CSPRNG, base64. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

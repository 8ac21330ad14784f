import { randomText } from './random-pool.js';

/** A fresh nonce: 128 bits from the OS CSPRNG, base64. */
export function createNonce(): string {
  return randomText(16, 'base64');
}

import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header that carries a webhook's signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'X-CSP-Observer-Signature';

/** A signature older (or newer) than this is refused by default: a replay window of five minutes. */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

/** HMAC-SHA256 of `${timestamp}.${body}` with the secret, in hex (Stripe's and Slack's scheme). */
function mac(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The signature header's value for `body` sent at `timestamp` (unix seconds). */
export function signWebhook(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${mac(secret, timestamp, body)}`;
}

/**
 * For receivers: whether `header` (the `X-CSP-Observer-Signature` value) signs the raw request
 * `body` with `secret`, at a time within `toleranceSeconds` of now. Compare the raw bytes as
 * received, before any JSON parsing; the check is constant-time.
 *
 * @example verifyWebhookSignature(process.env.WEBHOOK_SECRET, req.headers['x-csp-observer-signature'], rawBody)
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  body: string,
  { toleranceSeconds = DEFAULT_SIGNATURE_TOLERANCE_SECONDS, now = Date.now() }: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  if (!header || !secret) return false;
  const parts = new Map(
    header.split(',').map((part) => {
      const at = part.indexOf('=');
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const timestamp = Number(parts.get('t'));
  const given = parts.get('v1') ?? '';
  if (!Number.isInteger(timestamp) || !/^[0-9a-f]{64}$/.test(given)) return false;
  if (Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false;
  return timingSafeEqual(Buffer.from(given, 'hex'), Buffer.from(mac(secret, timestamp, body), 'hex'));
}

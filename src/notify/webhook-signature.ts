import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The webhook's signature, in the style of Stripe's and Slack's: HMAC-SHA256 over
 * `<timestamp>.<body>` with the shared secret, sent as `X-Notify-Signature: v1=<hex>` with
 * `X-Notify-Timestamp` (unix seconds). The receiver recomputes it and refuses old timestamps,
 * so a captured request cannot be replayed later.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function verifyWebhook(secret: string, timestamp: number, body: string, signature: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  if (!Number.isFinite(timestamp) || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The header that carries the signature: `sha256=<hex HMAC-SHA256 of the raw body>`. */
export const signatureHeader = 'x-near-miss-signature';

/** A new signing secret, shown to the admin once at registration. */
export const newSigningSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

/** The signature header value for a body (the exact bytes sent). */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** What a receiver does: recompute over the raw body and compare in constant time. */
export function verifySignature(secret: string, body: string, header: string | undefined | null): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Webhook signing secrets at rest: sealed with AES-256-GCM under
 * WEBHOOK_SECRET_KEY, so a copy of the database (a backup, a replica, a
 * reader of webhook_subscription) cannot sign events as us. The envelope
 * `v1:<iv>:<tag>:<ciphertext>` (base64url) keeps the nonce and the
 * authentication tag beside the ciphertext, and its version leaves room for
 * a key rotation. The additional data binds it to its tenant and webhook: a
 * sealed secret copied to another row does not open there.
 */
const version = 'v1';
const algorithm = 'aes-256-gcm';
const ivLength = 12;
const tagLength = 16;

/** Where a sealed secret belongs: it opens only for the same tenant and webhook id. */
export interface SecretOwner {
  tenantId: string;
  webhookId: string;
}

const additionalData = (owner: SecretOwner) => Buffer.from(`webhook-secret\0${owner.tenantId}\0${owner.webhookId}`);

export function sealSigningSecret(key: Buffer, owner: SecretOwner, secret: string): string {
  const iv = randomBytes(ivLength);
  const cipher = createCipheriv(algorithm, key, iv, { authTagLength: tagLength });
  cipher.setAAD(additionalData(owner));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [version, iv, cipher.getAuthTag(), ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join(':');
}

/** The signing secret; throws when the envelope is malformed or does not open with this key for this owner. */
export function openSigningSecret(key: Buffer, owner: SecretOwner, sealed: string): string {
  const [given, iv, tag, ciphertext, ...rest] = sealed.split(':');
  if (given !== version || ciphertext === undefined || rest.length > 0)
    throw new Error('the signing secret is not a sealed v1 envelope (re-register the webhook)');
  try {
    const decipher = createDecipheriv(algorithm, key, Buffer.from(iv, 'base64url'), { authTagLength: tagLength });
    decipher.setAAD(additionalData(owner));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    // No detail: the cause is a wrong key (or a tampered row), never something the caller can fix in the data.
    throw new Error('the signing secret does not open with WEBHOOK_SECRET_KEY (was the key changed?)');
  }
}

import { randomBytes } from 'node:crypto';
import { openSigningSecret, sealSigningSecret } from '../../subgraph/outbox/webhook-secret-cipher';
import { newSigningSecret } from '../../subgraph/outbox/webhook-signature';

const key = randomBytes(32);
const owner = { tenantId: 'tenant-a', webhookId: '6f1c2f4e-3d1a-4c55-9a59-0d6a2b9f0c11' };

describe('sealed webhook signing secrets', () => {
  it('open with the same key and owner to the secret, and show nothing of it', () => {
    const secret = newSigningSecret();
    const sealed = sealSigningSecret(key, owner, secret);
    expect(sealed).toMatch(/^v1:[\w-]{16}:[\w-]{22}:[\w-]+$/);
    expect(sealed).not.toContain(secret.slice('whsec_'.length, 16));
    expect(openSigningSecret(key, owner, sealed)).toBe(secret);
  });

  it('differ each time the same secret is sealed (a fresh nonce)', () => {
    const secret = newSigningSecret();
    expect(sealSigningSecret(key, owner, secret)).not.toBe(sealSigningSecret(key, owner, secret));
  });

  it('do not open with another key', () => {
    const sealed = sealSigningSecret(key, owner, newSigningSecret());
    expect(() => openSigningSecret(randomBytes(32), owner, sealed)).toThrow(/does not open with WEBHOOK_SECRET_KEY/);
  });

  it.each([
    ['another tenant', { ...owner, tenantId: 'tenant-b' }],
    ['another webhook', { ...owner, webhookId: '00000000-0000-4000-8000-000000000000' }],
  ])('do not open for %s (copied to another row)', (_case, other) => {
    const sealed = sealSigningSecret(key, owner, newSigningSecret());
    expect(() => openSigningSecret(key, other, sealed)).toThrow(/does not open/);
  });

  it('do not open once tampered with', () => {
    const [version, iv, tag, ciphertext] = sealSigningSecret(key, owner, newSigningSecret()).split(':');
    const flipped = Buffer.from(ciphertext, 'base64url');
    flipped[0] ^= 1;
    expect(() => openSigningSecret(key, owner, [version, iv, tag, flipped.toString('base64url')].join(':'))).toThrow(
      /does not open/,
    );
    expect(() => openSigningSecret(key, owner, [version, iv, 'AAAA', ciphertext].join(':'))).toThrow(/does not open/);
  });

  it.each(['whsec_stored-in-plain', '', 'v2:a:b:c', 'v1:a:b', 'v1:a:b:c:d'])(
    'refuse %p, which is not a v1 envelope',
    (stored) => {
      expect(() => openSigningSecret(key, owner, stored)).toThrow(/not a sealed v1 envelope|does not open/);
    },
  );
});

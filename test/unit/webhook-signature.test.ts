import { newSigningSecret, signBody, verifySignature } from '../../subgraph/outbox/webhook-signature';

describe('webhook signatures', () => {
  it('are sha256=<hex HMAC-SHA256 of the body> (a published test vector)', () => {
    expect(signBody('key', 'The quick brown fox jumps over the lazy dog')).toBe(
      'sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    );
  });

  it('verify for the exact body and secret only', () => {
    const secret = newSigningSecret();
    const body = JSON.stringify({ id: '42', type: 'near_miss.reported', payload: { reference: 'NM-2026-000001' } });
    const header = signBody(secret, body);
    expect(verifySignature(secret, body, header)).toBe(true);
    expect(verifySignature(secret, body.replace('42', '43'), header)).toBe(false);
    expect(verifySignature(newSigningSecret(), body, header)).toBe(false);
    expect(verifySignature(secret, body, header.slice(0, -1))).toBe(false);
    expect(verifySignature(secret, body, header.toUpperCase())).toBe(false);
    expect(verifySignature(secret, body, undefined)).toBe(false);
  });

  it('come from fresh, long secrets', () => {
    const secrets = new Set(Array.from({ length: 50 }, newSigningSecret));
    expect(secrets.size).toBe(50);
    for (const secret of secrets) expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  });
});

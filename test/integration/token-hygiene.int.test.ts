import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK, type JWTPayload, type KeyLike } from 'jose';
import { createTokenVerifier, type TokenVerifier } from '../../subgraph/auth/jwt';
import type { Config } from '../../subgraph/config';

// Token hygiene, against a JWKS served on 127.0.0.1 as an identity provider would.

const secret = 'token-hygiene-secret-that-is-long-enough-0123456789';
const claims = { tenant: 'tenant-1', roles: ['REPORTER'], services: ['north'] };

interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: KeyLike;
  publicKey: KeyLike;
  jwk: JWK;
}

async function signingKey(kid: string, alg: SigningKey['alg']): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** A JWKS endpoint whose key set a test can rotate; counts the fetches. */
let published: SigningKey[] = [];
let jwksFetches = 0;
let jwksServer: Server;
let jwksUrl: string;

let rsa: SigningKey;
let ec: SigningKey;

beforeAll(async () => {
  [rsa, ec] = await Promise.all([signingKey('rsa-1', 'RS256'), signingKey('ec-1', 'ES256')]);
  published = [rsa, ec];
  jwksServer = createServer((_request, response) => {
    jwksFetches++;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: published.map((key) => key.jwk) }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => jwksServer?.close(() => resolve()));
});

const auth = (extra: Partial<Config['auth']> = {}): Config['auth'] => ({
  jwtSecret: secret,
  jwtSecretGenerated: false,
  jwksUrl,
  maxTokenLifetimeSeconds: 24 * 60 * 60,
  clockSkewSeconds: 30,
  ...extra,
});
const now = () => Math.floor(Date.now() / 1000);

/** Claims of a test token; `iat` is now unless set (null: no iat). */
type Payload = Omit<JWTPayload, 'iat'> & { iat?: number | null };

function token(payload: Payload, header: { alg: string; kid?: string }, expiresAt: number | null = now() + 600) {
  const { iat, ...rest } = payload;
  let jwt = new SignJWT({ ...claims, ...rest }).setProtectedHeader(header).setSubject('staff-1');
  if (iat !== null) jwt = jwt.setIssuedAt(iat);
  return expiresAt === null ? jwt : jwt.setExpirationTime(expiresAt);
}
const signedBy = (key: SigningKey, payload: Payload = {}, expiresAt?: number | null) =>
  token(payload, { alg: key.alg, kid: key.kid }, expiresAt).sign(key.privateKey);
const hs256 = (payload: Payload = {}, expiresAt?: number | null, key: string | Uint8Array = secret) =>
  token(payload, { alg: 'HS256' }, expiresAt).sign(typeof key === 'string' ? new TextEncoder().encode(key) : key);

async function outcome(verify: TokenVerifier, jwt: string): Promise<string> {
  try {
    const principal = await verify(`Bearer ${jwt}`);
    return `accepted ${principal.tenantId}`;
  } catch (error) {
    return `refused ${(error as { extensions?: { code?: string } }).extensions?.code}`;
  }
}

describe('algorithms', () => {
  it('accepts RS256 and ES256 tokens signed by a key in the JWKS, and HS256 with the shared secret', async () => {
    const verify = createTokenVerifier(auth());
    expect(await outcome(verify, await signedBy(rsa))).toBe('accepted tenant-1');
    expect(await outcome(verify, await signedBy(ec))).toBe('accepted tenant-1');
    expect(await outcome(verify, await hs256())).toBe('accepted tenant-1');
  });

  it('refuses an HS256 token whose secret is the JWKS public key (HS/RS confusion)', async () => {
    const verify = createTokenVerifier(auth());
    const publicKeyPem = await exportSPKI(rsa.publicKey);
    expect(await outcome(verify, await hs256({}, undefined, publicKeyPem))).toBe('refused UNAUTHENTICATED');
    // The same forgery claiming RS256 in its header.
    const forged = await token({}, { alg: 'HS256', kid: rsa.kid }).sign(new TextEncoder().encode(publicKeyPem));
    const [, body, signature] = forged.split('.');
    const relabelled = `${Buffer.from(JSON.stringify({ alg: 'RS256', kid: rsa.kid })).toString('base64url')}.${body}.${signature}`;
    expect(await outcome(verify, relabelled)).toBe('refused UNAUTHENTICATED');
  });

  it('refuses alg none, algorithms that are not pinned, and RS256 when no JWKS is configured', async () => {
    const verify = createTokenVerifier(auth());
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims, sub: 'x', exp: now() + 600 })).toString('base64url')}.`;
    expect(await outcome(verify, unsigned)).toBe('refused UNAUTHENTICATED');
    const hs512 = await token({}, { alg: 'HS512' }).sign(new TextEncoder().encode(secret.repeat(2)));
    expect(await outcome(verify, hs512)).toBe('refused UNAUTHENTICATED');
    const { privateKey } = await generateKeyPair('PS256');
    expect(await outcome(verify, await token({}, { alg: 'PS256', kid: rsa.kid }).sign(privateKey))).toBe(
      'refused UNAUTHENTICATED',
    );
    expect(await outcome(createTokenVerifier(auth({ jwksUrl: undefined })), await signedBy(rsa))).toBe(
      'refused UNAUTHENTICATED',
    );
  });

  it('refuses a token signed by a key that is not in the JWKS, even with a known kid', async () => {
    const impostor = await signingKey(rsa.kid, 'RS256');
    expect(await outcome(createTokenVerifier(auth()), await signedBy(impostor))).toBe('refused UNAUTHENTICATED');
  });
});

describe('expiry and clock skew', () => {
  it('requires exp', async () => {
    const verify = createTokenVerifier(auth());
    expect(await outcome(verify, await hs256({}, null))).toBe('refused UNAUTHENTICATED');
    expect(await outcome(verify, await signedBy(rsa, {}, null))).toBe('refused UNAUTHENTICATED');
  });

  it('tolerates a small clock skew (30 s) and no more', async () => {
    const verify = createTokenVerifier(auth());
    expect(await outcome(verify, await hs256({}, now() - 10))).toBe('accepted tenant-1');
    expect(await outcome(verify, await hs256({}, now() - 90))).toBe('refused UNAUTHENTICATED');
    expect(await outcome(verify, await hs256({ nbf: now() + 10 }))).toBe('accepted tenant-1');
    expect(await outcome(verify, await hs256({ nbf: now() + 120 }))).toBe('refused UNAUTHENTICATED');
  });
});

describe('lifetime and issued-at', () => {
  const day = 24 * 60 * 60;
  const year = 365 * day;

  it('refuses a token that lives longer than the maximum (exp - iat), whatever its signature', async () => {
    const verify = createTokenVerifier(auth());
    expect(await outcome(verify, await hs256({}, now() + day))).toBe('accepted tenant-1');
    expect(await outcome(verify, await hs256({}, now() + day + 60))).toBe('refused UNAUTHENTICATED');
    expect(await outcome(verify, await hs256({}, now() + 100 * year))).toBe('refused UNAUTHENTICATED');
    expect(await outcome(verify, await signedBy(rsa, {}, now() + 100 * year))).toBe('refused UNAUTHENTICATED');
    expect(await outcome(verify, await signedBy(ec, {}, now() + 2 * day))).toBe('refused UNAUTHENTICATED');
    // Issued long ago with a far expiry: still too long a lifetime, even with little of it left.
    expect(await outcome(verify, await hs256({ iat: now() - 2 * day }, now() + 600))).toBe('refused UNAUTHENTICATED');
  });

  it('measures the lifetime from now when the token has no iat', async () => {
    const verify = createTokenVerifier(auth());
    expect(await outcome(verify, await hs256({ iat: null }, now() + day))).toBe('accepted tenant-1');
    expect(await outcome(verify, await hs256({ iat: null }, now() + day + 120))).toBe('refused UNAUTHENTICATED');
    expect(await outcome(verify, await hs256({ iat: null }, now() + 100 * year))).toBe('refused UNAUTHENTICATED');
  });

  it('refuses an iat in the future beyond the clock skew', async () => {
    const verify = createTokenVerifier(auth());
    expect(await outcome(verify, await hs256({ iat: now() + 10 }))).toBe('accepted tenant-1');
    expect(await outcome(verify, await hs256({ iat: now() + 120 }))).toBe('refused UNAUTHENTICATED');
    expect(await outcome(verify, await hs256({ iat: now() + year }, now() + year + 600))).toBe(
      'refused UNAUTHENTICATED',
    );
    expect(await outcome(verify, await signedBy(rsa, { iat: now() + year }, now() + year + 600))).toBe(
      'refused UNAUTHENTICATED',
    );
  });

  it('follows the configured maximum lifetime and skew', async () => {
    const strict = createTokenVerifier(auth({ maxTokenLifetimeSeconds: 300, clockSkewSeconds: 0 }));
    expect(await outcome(strict, await hs256({}, now() + 300))).toBe('accepted tenant-1');
    expect(await outcome(strict, await hs256({}, now() + 600))).toBe('refused UNAUTHENTICATED');
    expect(await outcome(strict, await hs256({ iat: now() + 10 }, now() + 300))).toBe('refused UNAUTHENTICATED');
    const lenient = createTokenVerifier(auth({ maxTokenLifetimeSeconds: 30 * day, clockSkewSeconds: 300 }));
    expect(await outcome(lenient, await hs256({}, now() + 7 * day))).toBe('accepted tenant-1');
    expect(await outcome(lenient, await hs256({ iat: now() + 120 }))).toBe('accepted tenant-1');
    expect(await outcome(lenient, await hs256({}, now() - 120))).toBe('accepted tenant-1');
  });

  it('says why in the message', async () => {
    const verify = createTokenVerifier(auth());
    await expect(verify(`Bearer ${await hs256({}, now() + year)}`)).rejects.toThrow(
      `lifetime (exp - iat) is longer than ${day} seconds`,
    );
    await expect(verify(`Bearer ${await hs256({ iat: now() + year }, now() + year + 60)}`)).rejects.toThrow(
      'iat is in the future',
    );
  });
});

describe('claims', () => {
  it('refuses text PostgreSQL cannot store (NUL, unpaired surrogates) in sub, tenant and services', async () => {
    const verify = createTokenVerifier(auth());
    const hostile = [{ tenant: 'tenant\u00001' }, { tenant: 'x\ud800' }, { services: ['north', 'so\u0000uth'] }];
    for (const payload of hostile) {
      expect({ payload, outcome: await outcome(verify, await hs256(payload)) }).toEqual({
        payload,
        outcome: 'refused UNAUTHENTICATED',
      });
    }
    const nulSubject = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('staff\u0000')
      .setIssuedAt()
      .setExpirationTime(now() + 600)
      .sign(new TextEncoder().encode(secret));
    expect(await outcome(verify, nulSubject)).toBe('refused UNAUTHENTICATED');
  });
});

describe('issuer and audience', () => {
  it('are checked when configured', async () => {
    const verify = createTokenVerifier(auth({ issuer: 'https://id.example.org', audience: 'near-miss' }));
    expect(await outcome(verify, await signedBy(rsa, { iss: 'https://id.example.org', aud: 'near-miss' }))).toBe(
      'accepted tenant-1',
    );
    expect(
      await outcome(verify, await signedBy(rsa, { iss: 'https://id.example.org', aud: ['rota', 'near-miss'] })),
    ).toBe('accepted tenant-1');
    for (const payload of [
      { aud: 'near-miss' },
      { iss: 'https://evil.example.org', aud: 'near-miss' },
      { iss: 'https://id.example.org' },
      { iss: 'https://id.example.org', aud: 'rota' },
    ]) {
      expect({ payload, outcome: await outcome(verify, await signedBy(rsa, payload)) }).toEqual({
        payload,
        outcome: 'refused UNAUTHENTICATED',
      });
    }
  });

  it('are not required when not configured', async () => {
    expect(await outcome(createTokenVerifier(auth()), await signedBy(rsa, { iss: 'anyone', aud: 'anything' }))).toBe(
      'accepted tenant-1',
    );
  });
});

describe('JWKS', () => {
  afterEach(() => {
    jest.restoreAllMocks();
    published = [rsa, ec];
  });

  it('is fetched once and cached across tokens', async () => {
    const verify = createTokenVerifier(auth());
    const before = jwksFetches;
    for (let index = 0; index < 5; index++)
      expect(await outcome(verify, await signedBy(index % 2 ? rsa : ec))).toBe('accepted tenant-1');
    expect(jwksFetches - before).toBe(1);
  });

  it('picks up a rotated key (a new kid) without a restart, refetching at most every 30 s', async () => {
    const verify = createTokenVerifier(auth());
    expect(await outcome(verify, await signedBy(rsa))).toBe('accepted tenant-1');
    const rotated = await signingKey('rsa-2', 'RS256');
    published = [rotated];
    const fetchesBefore = jwksFetches;

    // Unknown kids right after a fetch do not hammer the identity provider.
    expect(await outcome(verify, await signedBy(rotated))).toBe('refused UNAUTHENTICATED');
    expect(jwksFetches).toBe(fetchesBefore);

    const realNow = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(realNow + 31_000);
    expect(await outcome(verify, await signedBy(rotated))).toBe('accepted tenant-1');
    expect(jwksFetches).toBe(fetchesBefore + 1);
    // The retired key is gone with the old set.
    expect(await outcome(verify, await signedBy(rsa))).toBe('refused UNAUTHENTICATED');
  });
});

import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { z } from 'zod';
import { unauthenticated } from '../common/errors';
import { textProblem } from '../common/input-hygiene';
import type { Config } from '../config';
import type { Principal } from './principal';
import { Role } from './role';

// Claims end up in SQL parameters and session settings: text PostgreSQL cannot store is refused here.
const claimText = z
  .string()
  .min(1)
  .max(200)
  .superRefine((text, context) => {
    const problem = textProblem(text);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });

const claimsSchema = z.object({
  sub: claimText,
  tenant: claimText,
  roles: z.array(z.enum(Role)).max(20),
  services: z.array(claimText).max(500),
});

const asymmetricAlgorithms = ['RS256', 'ES256'];

export type TokenVerifier = (authorization: string | undefined) => Promise<Principal>;

/**
 * Why a verified token lives too long or was issued in the future, or undefined:
 * its lifetime is `exp - iat` (`exp - now` without `iat`), at most
 * `maxTokenLifetimeSeconds`; `iat` may be ahead of this clock by the skew only.
 */
export function tokenLifetimeProblem(
  payload: Pick<JWTPayload, 'exp' | 'iat'>,
  auth: Pick<Config['auth'], 'maxTokenLifetimeSeconds' | 'clockSkewSeconds'>,
  now = Math.floor(Date.now() / 1000),
): string | undefined {
  const { exp, iat } = payload;
  if (typeof iat === 'number' && iat > now + auth.clockSkewSeconds) return 'iat is in the future';
  if (typeof exp !== 'number') return 'exp is missing';
  const lifetime = typeof iat === 'number' ? exp - iat : exp - now - auth.clockSkewSeconds;
  if (lifetime > auth.maxTokenLifetimeSeconds)
    return `lifetime (exp - ${typeof iat === 'number' ? 'iat' : 'now'}) is longer than ${auth.maxTokenLifetimeSeconds} seconds`;
  return undefined;
}

/**
 * Verifies `Authorization: Bearer <JWT>`: HS256 with the shared secret, or
 * RS256/ES256 against the JWKS (cached and refreshed on unknown key ids by jose).
 * Algorithms are pinned per key type, so an HS token can never be checked
 * against a public key or vice versa; `exp` is required, the lifetime bounded
 * and `iat` not in the future (beyond the clock skew).
 */
export function createTokenVerifier(auth: Config['auth']): TokenVerifier {
  const secret = new TextEncoder().encode(auth.jwtSecret);
  const jwks = auth.jwksUrl
    ? createRemoteJWKSet(new URL(auth.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000 })
    : undefined;
  const options = {
    issuer: auth.issuer,
    audience: auth.audience,
    clockTolerance: auth.clockSkewSeconds,
    requiredClaims: ['exp', 'sub'],
  };

  return async (authorization) => {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '');
    if (!match) throw unauthenticated('Missing bearer token: send Authorization: Bearer <JWT>');
    const token = match[1];
    let payload: JWTPayload;
    try {
      const { alg } = decodeProtectedHeader(token);
      if (alg === 'HS256') {
        ({ payload } = await jwtVerify(token, secret, { ...options, algorithms: ['HS256'] }));
      } else if (jwks && alg && asymmetricAlgorithms.includes(alg)) {
        ({ payload } = await jwtVerify(token, jwks, { ...options, algorithms: asymmetricAlgorithms }));
      } else {
        throw new Error(`algorithm ${alg ?? 'none'} is not accepted`);
      }
    } catch (error) {
      throw unauthenticated(`Invalid token: ${(error as Error).message}`);
    }
    const lifetimeProblem = tokenLifetimeProblem(payload, auth);
    if (lifetimeProblem) throw unauthenticated(`Invalid token: ${lifetimeProblem}`);
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) {
      throw unauthenticated(
        `Invalid token claims: ${claims.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
      );
    }
    const { sub, tenant, roles, services } = claims.data;
    return { staffId: sub, tenantId: tenant, roles, services: services.includes('*') ? '*' : services };
  };
}

export interface TokenRequest {
  sub: string;
  tenant: string;
  roles: Role[];
  services: string[];
  expiresIn?: string;
}

/** Signs an HS256 development/test token. */
export async function signToken(secret: string, request: TokenRequest): Promise<string> {
  return new SignJWT({ tenant: request.tenant, roles: request.roles, services: request.services })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(request.sub)
    .setIssuedAt()
    .setExpirationTime(request.expiresIn ?? '12h')
    .sign(new TextEncoder().encode(secret));
}

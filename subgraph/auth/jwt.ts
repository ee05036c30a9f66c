import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { z } from 'zod';
import { unauthenticated } from '../common/errors';
import type { Config } from '../config';
import type { Principal } from './principal';
import { Role } from './role';

const claimsSchema = z.object({
  sub: z.string().min(1).max(200),
  tenant: z.string().min(1).max(200),
  roles: z.array(z.enum(Role)).max(20),
  services: z.array(z.string().min(1).max(200)).max(500),
});

const clockToleranceSeconds = 30;
const asymmetricAlgorithms = ['RS256', 'ES256'];

export type TokenVerifier = (authorization: string | undefined) => Promise<Principal>;

/**
 * Verifies `Authorization: Bearer <JWT>`: HS256 with the shared secret, or
 * RS256/ES256 against the JWKS (cached and refreshed on unknown key ids by jose).
 * Algorithms are pinned per key type, so an HS token can never be checked
 * against a public key or vice versa; `exp` is required.
 */
export function createTokenVerifier(auth: Config['auth']): TokenVerifier {
  const secret = new TextEncoder().encode(auth.jwtSecret);
  const jwks = auth.jwksUrl
    ? createRemoteJWKSet(new URL(auth.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000 })
    : undefined;
  const options = {
    issuer: auth.issuer,
    audience: auth.audience,
    clockTolerance: clockToleranceSeconds,
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

import { createHmac } from 'node:crypto';
import type { Principal } from '../auth/principal';
import { forbidden } from '../common/errors';
import { isAllowed } from '../auth/role-matrix';

/** What a caller who may not read free text sees in its place (keeps non-null fields non-null). */
export const withheld = '[withheld]';

/**
 * How much of a near miss a caller sees. Callers with identified access
 * (reporters, line management, admins, host apps) see everything their scope
 * allows; ANALYST alone sees rows with free text withheld and person ids
 * replaced by per-tenant pseudonyms. GOVERNANCE reads no rows at all (see
 * read-scope.ts) and aggregates only.
 */
export interface FieldProtection {
  withholdFreeText: boolean;
  pseudonymisePeople: boolean;
  /** Keyed hash input; set when pseudonymising. */
  secret?: string;
  tenantId: string;
}

export function fieldProtectionOf(principal: Principal, secret: string): FieldProtection {
  const identified = isAllowed(principal, 'nearMiss.readIdentified');
  return {
    withholdFreeText: !identified,
    pseudonymisePeople: !identified,
    secret: identified ? undefined : secret,
    tenantId: principal.tenantId,
  };
}

/** The protection of a request's caller. */
export const fieldProtection = (context: {
  principal: Principal;
  services: { config: { pseudonymisationSecret: string } };
}) => fieldProtectionOf(context.principal, context.services.config.pseudonymisationSecret);

/**
 * A stable pseudonym of a person id within one tenant: HMAC-SHA256 keyed by
 * the server secret over tenant and id, so an analyst can count repeats for
 * one person without learning who it is, and pseudonyms never match across
 * tenants.
 */
export function pseudonymousPersonId(secret: string, tenantId: string, personId: string): string {
  return `psn_${createHmac('sha256', secret).update(tenantId).update('\u0000').update(personId).digest('base64url').slice(0, 22)}`;
}

export const protectText = <T extends string | null | undefined>(
  protection: FieldProtection,
  value: T,
): T | typeof withheld => (protection.withholdFreeText && value !== null && value !== undefined ? withheld : value);

export const protectTexts = (protection: FieldProtection, values: string[]): string[] =>
  protection.withholdFreeText ? values.map(() => withheld) : values;

/** Staff ids behind actions and checks: pseudonymous (`psn_…`, distinct from person pseudonyms) for callers without identified access. */
export const protectStaffId = (protection: FieldProtection, staffId: string): string =>
  protection.pseudonymisePeople && protection.secret
    ? pseudonymousPersonId(protection.secret, protection.tenantId, `staff:${staffId}`)
    : staffId;

export const protectPersonId = (protection: FieldProtection, personId: string | undefined): string | undefined =>
  personId && protection.pseudonymisePeople && protection.secret
    ? pseudonymousPersonId(protection.secret, protection.tenantId, personId)
    : personId;

/**
 * The category's `details` without free text: fields its JSON Schema declares
 * as plain strings (no enum, pattern or format), and nested values, are
 * withheld; codes, times, numbers and flags stay, so analysts can still group
 * by them.
 */
export function protectDetails(
  protection: FieldProtection,
  details: Record<string, unknown>,
  fieldsSchema: Record<string, unknown> | undefined,
): Record<string, unknown> {
  if (!protection.withholdFreeText) return details;
  const properties = (fieldsSchema?.properties ?? {}) as Record<string, Record<string, unknown> | undefined>;
  return Object.fromEntries(
    Object.entries(details).map(([name, value]) => {
      const schema = properties[name];
      const coded =
        schema !== undefined &&
        (schema.type !== 'string' ||
          'enum' in schema ||
          'pattern' in schema ||
          'format' in schema ||
          'const' in schema);
      const primitive = value === null || typeof value === 'number' || typeof value === 'boolean';
      return [name, primitive || (coded && typeof value === 'string') ? value : withheld];
    }),
  );
}

/**
 * Filtering by a real person id would let a caller without identified access
 * test whether someone has near misses: refused for them.
 */
export function refusePersonLookup(principal: Principal, personId: string | null | undefined): void {
  if (personId && !isAllowed(principal, 'nearMiss.readIdentified')) {
    throw forbidden(
      'Your roles see people only as pseudonyms: filtering or looking up by person is not available to you',
    );
  }
}

import { createHmac } from 'node:crypto';
import type { Principal } from '../auth/principal';
import { forbidden } from '../common/errors';
import { isAllowed } from '../auth/role-matrix';
import {
  CarePlan,
  MedicationRecord,
  Person,
  Shift,
  Staff,
  Visit,
  hostReference,
} from '../host-entities/host-entity.types';
import type { AuditEvent } from './near-miss.type';
import { confidentialReporter } from './reporter-identity';

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
 * The kinds of id a caller without identified access sees as pseudonyms, and
 * the prefix of each: a staff id and a person id (or a visit id) never share
 * a pseudonym, and an analyst can tell them apart.
 */
export const pseudonymPrefixes = {
  person: 'psn',
  staff: 'stf',
  visit: 'vst',
  medicationRecord: 'mar',
  shift: 'shf',
  carePlan: 'cpl',
} as const;
export type PseudonymKind = keyof typeof pseudonymPrefixes;

/** The host entity type each kind of id refers to. */
const hostTypes = {
  person: Person,
  staff: Staff,
  visit: Visit,
  medicationRecord: MedicationRecord,
  shift: Shift,
  carePlan: CarePlan,
} as const satisfies Record<PseudonymKind, new () => { id: string }>;
type HostTypeOf<K extends PseudonymKind> = InstanceType<(typeof hostTypes)[K]>;

/**
 * A stable pseudonym of an id of one kind within one tenant: HMAC-SHA256
 * keyed by the server secret over tenant, kind and id, so an analyst can join
 * and count repeats for one person, member of staff or visit without learning
 * who or which it is, and pseudonyms never match across tenants or kinds.
 * Person pseudonyms keep their first form (no kind in the hash), so those
 * already handed out still join.
 */
export function pseudonymOf(secret: string, tenantId: string, kind: PseudonymKind, id: string): string {
  const hmac = createHmac('sha256', secret).update(tenantId).update('\u0000');
  if (kind !== 'person') hmac.update(kind).update('\u0000');
  return `${pseudonymPrefixes[kind]}_${hmac.update(id).digest('base64url').slice(0, 22)}`;
}

export const pseudonymousPersonId = (secret: string, tenantId: string, personId: string): string =>
  pseudonymOf(secret, tenantId, 'person', personId);

export const protectText = <T extends string | null | undefined>(
  protection: FieldProtection,
  value: T,
): T | typeof withheld => (protection.withholdFreeText && value !== null && value !== undefined ? withheld : value);

export const protectTexts = (protection: FieldProtection, values: string[]): string[] =>
  protection.withholdFreeText ? values.map(() => withheld) : values;

/** An id as the caller may see it: itself, or its pseudonym for callers without identified access. */
export function protectId<T extends string | null | undefined>(
  protection: FieldProtection,
  kind: PseudonymKind,
  id: T,
): T {
  if (!id || !protection.pseudonymisePeople || !protection.secret) return id;
  return pseudonymOf(protection.secret, protection.tenantId, kind, id) as T;
}

/**
 * The one way a field returns a member of staff or a host link (person,
 * visit, MAR entry, shift, care plan): a host reference with the real id for
 * callers with identified access and a pseudonym for the others. A pseudonym
 * is an opaque id the host cannot resolve (through the gateway the host's
 * fields on it are null), and this subgraph refuses lookups by it
 * (refuseLookup).
 */
export function protectReference<K extends PseudonymKind>(
  protection: FieldProtection,
  kind: K,
  id: string | null | undefined,
): HostTypeOf<K> | null {
  return hostReference(hostTypes[kind] as new () => HostTypeOf<K>, protectId(protection, kind, id));
}

export const protectStaffId = (protection: FieldProtection, staffId: string): string =>
  protectId(protection, 'staff', staffId);

export const protectPersonId = (protection: FieldProtection, personId: string | undefined): string | undefined =>
  protectId(protection, 'person', personId);

/** Audit detail keys that hold a staff id (or a list of them). */
const auditStaffKeys = new Set(['ownerId', 'staffId', 'performedById', 'assignedToId', 'concludedById', 'doneBy']);
/** Audit detail keys that may hold free text (an erasure's reason). */
const auditTextKeys = new Set(['reason', 'note', 'notes', 'message', 'conclusion', 'title', 'target']);

function protectAuditValue(protection: FieldProtection, key: string, value: unknown): unknown {
  if (auditStaffKeys.has(key) && typeof value === 'string') return protectId(protection, 'staff', value);
  if (auditStaffKeys.has(key) && Array.isArray(value))
    return value.map((item: unknown) => (typeof item === 'string' ? protectId(protection, 'staff', item) : item));
  if (auditTextKeys.has(key) && typeof value === 'string') return withheld;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, item]) => [name, protectAuditValue(protection, name, item)]),
  );
}

/**
 * An audit event as the caller may see it: the actor and staff ids in the
 * detail pseudonymised, free text withheld; and a confidential reporter the
 * caller may not see (`hiddenStaffId`, reporter-identity.ts) removed as actor
 * and shown as `confidential` in the detail.
 */
export function protectAuditEvent(protection: FieldProtection, event: AuditEvent, hiddenStaffId?: string): AuditEvent {
  const visible = hiddenStaffId ? withoutStaff(event, hiddenStaffId) : event;
  if (!protection.pseudonymisePeople) return visible;
  return {
    ...visible,
    actor: protectReference(protection, 'staff', visible.actor?.id) ?? undefined,
    detail: protectAuditValue(protection, '', visible.detail),
  };
}

function withoutStaff(event: AuditEvent, staffId: string): AuditEvent {
  const hide = (key: string, value: unknown): unknown => {
    if (auditStaffKeys.has(key) && value === staffId) return confidentialReporter;
    if (auditStaffKeys.has(key) && Array.isArray(value))
      return value.map((item: unknown) => (item === staffId ? confidentialReporter : item));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, hide(name, item)]));
  };
  return {
    ...event,
    actor: event.actor?.id === staffId ? undefined : event.actor,
    detail: hide('', event.detail),
  };
}

/**
 * The category's `details` without free text: fields its JSON Schema declares
 * as plain strings (no enum, format or anchored pattern: `\\S`, "not blank",
 * still lets any text through), and nested values, are
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
          (typeof schema.pattern === 'string' && schema.pattern.startsWith('^')) ||
          'format' in schema ||
          'const' in schema);
      const primitive = value === null || typeof value === 'number' || typeof value === 'boolean';
      return [name, primitive || (coded && typeof value === 'string') ? value : withheld];
    }),
  );
}

const lookupNouns: Record<PseudonymKind, string> = {
  person: 'person',
  staff: 'member of staff',
  visit: 'visit',
  medicationRecord: 'MAR entry',
  shift: 'shift',
  carePlan: 'care plan',
};

/**
 * Filtering or looking up by a real id (a person, a member of staff, a
 * visit...) would let a caller without identified access test whom a row is
 * about and undo the pseudonyms; a pseudonym names nothing to look up. Both
 * are refused for them.
 */
export function refuseLookup(principal: Principal, kind: PseudonymKind, id: string | null | undefined): void {
  if (id && !isAllowed(principal, 'nearMiss.readIdentified')) {
    const noun = lookupNouns[kind];
    throw forbidden(
      `Your roles see people and host records only as pseudonyms: filtering or looking up by ${noun} is not available to you`,
    );
  }
}

/** Filtering or looking up by person: refused for callers without identified access (refuseLookup). */
export const refusePersonLookup = (principal: Principal, personId: string | null | undefined): void =>
  refuseLookup(principal, 'person', personId);

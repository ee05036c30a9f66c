import type { Principal } from '../../subgraph/auth/principal';
import { Role } from '../../subgraph/auth/role';
import { Person, Staff, Visit } from '../../subgraph/host-entities/host-entity.types';
import {
  fieldProtectionOf,
  protectAuditEvent,
  protectDetails,
  protectPersonId,
  protectReference,
  protectText,
  protectTexts,
  pseudonymOf,
  pseudonymPrefixes,
  pseudonymousPersonId,
  refuseLookup,
  refusePersonLookup,
  withheld,
  type PseudonymKind,
} from '../../subgraph/near-misses/field-protection';

const secret = 'a-server-secret-that-is-long-enough-0123456789';
const principal = (...roles: Role[]): Principal => ({ staffId: 'staff-1', tenantId: 'tenant-a', roles, services: '*' });

describe('pseudonymousPersonId', () => {
  it('is stable within a tenant, differs across tenants and secrets, and hides the id', () => {
    const pseudonym = pseudonymousPersonId(secret, 'tenant-a', 'person-1');
    expect(pseudonym).toMatch(/^psn_[A-Za-z0-9_-]{22}$/);
    expect(pseudonymousPersonId(secret, 'tenant-a', 'person-1')).toBe(pseudonym);
    expect(pseudonymousPersonId(secret, 'tenant-b', 'person-1')).not.toBe(pseudonym);
    expect(pseudonymousPersonId(`${secret}x`, 'tenant-a', 'person-1')).not.toBe(pseudonym);
    expect(pseudonymousPersonId(secret, 'tenant-a', 'person-2')).not.toBe(pseudonym);
    expect(pseudonym).not.toContain('person');
  });
});

describe('pseudonymOf', () => {
  const kinds = Object.keys(pseudonymPrefixes) as PseudonymKind[];

  it('gives each kind its own prefix and namespace: the same id of two kinds never shares a pseudonym', () => {
    const all = kinds.map((kind) => pseudonymOf(secret, 'tenant-a', kind, 'id-1'));
    expect(new Set(all).size).toBe(kinds.length);
    expect(new Set(all.map((pseudonym) => pseudonym.slice(4))).size).toBe(kinds.length);
    for (const [index, kind] of kinds.entries())
      expect(all[index]).toMatch(new RegExp(`^${pseudonymPrefixes[kind]}_[A-Za-z0-9_-]{22}$`));
    expect(pseudonymOf(secret, 'tenant-a', 'staff', 'id-1')).toMatch(/^stf_/);
    expect(pseudonymOf(secret, 'tenant-b', 'staff', 'id-1')).not.toBe(all[kinds.indexOf('staff')]);
  });

  it('keeps the person pseudonyms already handed out', () => {
    expect(pseudonymOf(secret, 'tenant-a', 'person', 'person-1')).toBe(
      pseudonymousPersonId(secret, 'tenant-a', 'person-1'),
    );
  });
});

describe('protectReference', () => {
  it('gives ANALYST and GOVERNANCE host references with pseudonyms, everyone else the real id', () => {
    for (const role of [Role.ANALYST, Role.GOVERNANCE]) {
      const protection = fieldProtectionOf(principal(role), secret);
      const staff = protectReference(protection, 'staff', 'staff-9');
      expect(staff).toBeInstanceOf(Staff);
      expect(staff).toEqual({ id: pseudonymOf(secret, 'tenant-a', 'staff', 'staff-9') });
      expect(protectReference(protection, 'visit', 'visit-1')).toBeInstanceOf(Visit);
      expect(protectReference(protection, 'visit', 'visit-1')!.id).toMatch(/^vst_/);
      expect(protectReference(protection, 'person', 'person-1')).toBeInstanceOf(Person);
      expect(protectReference(protection, 'carePlan', undefined)).toBeNull();
    }
    const manager = fieldProtectionOf(principal(Role.MANAGER), secret);
    expect(protectReference(manager, 'staff', 'staff-9')).toEqual({ id: 'staff-9' });
    expect(protectReference(manager, 'medicationRecord', 'mar-1')).toEqual({ id: 'mar-1' });
  });
});

describe('protectAuditEvent', () => {
  const event = {
    at: new Date(0),
    actor: Object.assign(new Staff(), { id: 'staff-1' }),
    action: 'corrective_action.added',
    detail: { actionId: 'a-1', ownerId: 'staff-2', status: { from: 'TRIAGED' }, nested: { reason: 'Request R-1' } },
  };

  it('pseudonymises the actor and staff ids in the detail and withholds reasons for ANALYST', () => {
    const protection = fieldProtectionOf(principal(Role.ANALYST), secret);
    expect(protectAuditEvent(protection, event)).toEqual({
      at: event.at,
      actor: { id: pseudonymOf(secret, 'tenant-a', 'staff', 'staff-1') },
      action: 'corrective_action.added',
      detail: {
        actionId: 'a-1',
        ownerId: pseudonymOf(secret, 'tenant-a', 'staff', 'staff-2'),
        status: { from: 'TRIAGED' },
        nested: { reason: withheld },
      },
    });
    expect(protectAuditEvent(protection, { ...event, actor: undefined }).actor).toBeUndefined();
  });

  it('leaves the event alone for identified readers', () => {
    expect(protectAuditEvent(fieldProtectionOf(principal(Role.SUPERVISOR), secret), event)).toBe(event);
  });
});

describe('fieldProtectionOf', () => {
  it('withholds free text and pseudonymises people for ANALYST alone', () => {
    const analyst = fieldProtectionOf(principal(Role.ANALYST), secret);
    expect(protectText(analyst, 'The 08:00 dose was signed at 12:00')).toBe(withheld);
    expect(protectText(analyst, undefined)).toBeUndefined();
    expect(protectTexts(analyst, ['Held the dose', 'Called the nurse'])).toEqual([withheld, withheld]);
    expect(protectPersonId(analyst, 'person-1')).toBe(pseudonymousPersonId(secret, 'tenant-a', 'person-1'));
    expect(protectPersonId(analyst, undefined)).toBeUndefined();
  });

  it.each([Role.REPORTER, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN, Role.INTEGRATION])(
    'shows %s everything',
    (role) => {
      const protection = fieldProtectionOf(principal(role, Role.ANALYST), secret);
      expect(protectText(protection, 'text')).toBe('text');
      expect(protectPersonId(protection, 'person-1')).toBe('person-1');
    },
  );
});

describe('protectDetails', () => {
  const schema = {
    properties: {
      medicationName: { type: 'string' },
      dietaryRequirement: { type: 'string', maxLength: 300, pattern: '\\S' },
      scheduledTime: { type: 'string', pattern: '^\\d\\d:\\d\\d$' },
      discrepancyType: { type: 'string', enum: ['MAR_WRONG_TIME'] },
      timeCritical: { type: 'boolean' },
    },
  };
  const details = {
    medicationName: 'Levodopa for Mrs A',
    dietaryRequirement: 'Level 5; no peanuts (Mrs A)',
    scheduledTime: '08:00',
    discrepancyType: 'MAR_WRONG_TIME',
    timeCritical: true,
    extra: { note: 'x' },
  };

  it('keeps codes, times and flags for ANALYST and withholds plain strings and nested values', () => {
    expect(protectDetails(fieldProtectionOf(principal(Role.ANALYST), secret), details, schema)).toEqual({
      medicationName: withheld,
      dietaryRequirement: withheld,
      scheduledTime: '08:00',
      discrepancyType: 'MAR_WRONG_TIME',
      timeCritical: true,
      extra: withheld,
    });
  });

  it('leaves details alone for identified readers', () => {
    expect(protectDetails(fieldProtectionOf(principal(Role.MANAGER), secret), details, schema)).toBe(details);
  });
});

describe('refusePersonLookup', () => {
  it('refuses a person filter to ANALYST and GOVERNANCE only', () => {
    expect(() => refusePersonLookup(principal(Role.ANALYST), 'person-1')).toThrow(/pseudonyms/);
    expect(() => refusePersonLookup(principal(Role.GOVERNANCE), 'person-1')).toThrow(/pseudonyms/);
    expect(() => refusePersonLookup(principal(Role.ANALYST), undefined)).not.toThrow();
    expect(() => refusePersonLookup(principal(Role.SUPERVISOR), 'person-1')).not.toThrow();
  });

  it('refuses lookups by staff and host record the same way', () => {
    expect(() => refuseLookup(principal(Role.ANALYST), 'staff', 'staff-1')).toThrow(/member of staff/);
    expect(() => refuseLookup(principal(Role.ANALYST), 'visit', 'vst_x')).toThrow(/pseudonyms/);
    expect(() => refuseLookup(principal(Role.MANAGER), 'shift', 'shift-1')).not.toThrow();
  });
});

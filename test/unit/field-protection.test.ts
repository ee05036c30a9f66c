import type { Principal } from '../../subgraph/auth/principal';
import { Role } from '../../subgraph/auth/role';
import {
  fieldProtectionOf,
  protectDetails,
  protectPersonId,
  protectText,
  protectTexts,
  pseudonymousPersonId,
  refusePersonLookup,
  withheld,
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
      scheduledTime: { type: 'string', pattern: '^\\d\\d:\\d\\d$' },
      discrepancyType: { type: 'string', enum: ['MAR_WRONG_TIME'] },
      timeCritical: { type: 'boolean' },
    },
  };
  const details = {
    medicationName: 'Levodopa for Mrs A',
    scheduledTime: '08:00',
    discrepancyType: 'MAR_WRONG_TIME',
    timeCritical: true,
    extra: { note: 'x' },
  };

  it('keeps codes, times and flags for ANALYST and withholds plain strings and nested values', () => {
    expect(protectDetails(fieldProtectionOf(principal(Role.ANALYST), secret), details, schema)).toEqual({
      medicationName: withheld,
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
});

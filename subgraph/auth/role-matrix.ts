import { forbidden } from '../common/errors';
import { hasAnyRole, type Principal } from './principal';
import { Role } from './role';

const { REPORTER, SUPERVISOR, TRIAGE_LEAD, MEDICATION_LEAD, SAFEGUARDING_LEAD, MANAGER, GOVERNANCE, ANALYST, ADMIN, INTEGRATION } = Role;

const frontline = [REPORTER, SUPERVISOR, TRIAGE_LEAD, MEDICATION_LEAD, SAFEGUARDING_LEAD, MANAGER, ADMIN, INTEGRATION];
const rowReaders = [REPORTER, SUPERVISOR, TRIAGE_LEAD, MEDICATION_LEAD, SAFEGUARDING_LEAD, MANAGER, ANALYST, ADMIN, INTEGRATION];

/**
 * Who may do what: one table, enforced through `authorize`, so every operation
 * is checked the same way. Rows are further narrowed by tenant, services and
 * (for reporters) authorship in the read scope.
 */
export const roleMatrix = {
  'nearMiss.report': frontline,
  'nearMiss.read': rowReaders,
  'categories.read': [...rowReaders, GOVERNANCE],
} as const satisfies Record<string, readonly Role[]>;

export type Operation = keyof typeof roleMatrix;

export const isAllowed = (principal: Principal, operation: Operation) => hasAnyRole(principal, roleMatrix[operation]);

export function authorize(principal: Principal, operation: Operation): void {
  if (!isAllowed(principal, operation)) {
    throw forbidden(`Your roles (${principal.roles.join(', ') || 'none'}) do not allow ${operation}`);
  }
}

/** Roles that see every report of their services (reporters see only their own). */
export const seesAllReportsOfTheirServices = [SUPERVISOR, TRIAGE_LEAD, MEDICATION_LEAD, SAFEGUARDING_LEAD, MANAGER, ANALYST, ADMIN, INTEGRATION];

import { registerEnumType } from 'type-graphql';

export enum Role {
  REPORTER = 'REPORTER',
  SUPERVISOR = 'SUPERVISOR',
  TRIAGE_LEAD = 'TRIAGE_LEAD',
  MEDICATION_LEAD = 'MEDICATION_LEAD',
  SAFEGUARDING_LEAD = 'SAFEGUARDING_LEAD',
  MANAGER = 'MANAGER',
  GOVERNANCE = 'GOVERNANCE',
  ANALYST = 'ANALYST',
  ADMIN = 'ADMIN',
  INTEGRATION = 'INTEGRATION',
}

registerEnumType(Role, { name: 'Role', description: 'What a caller may do, from the `roles` claim of their token.' });

export const allRoles = Object.values(Role);

import { forbidden } from '../common/errors';
import { hasAnyRole, type Principal } from './principal';
import { Role } from './role';

const {
  REPORTER,
  SUPERVISOR,
  TRIAGE_LEAD,
  MEDICATION_LEAD,
  SAFEGUARDING_LEAD,
  MANAGER,
  GOVERNANCE,
  ANALYST,
  ADMIN,
  INTEGRATION,
} = Role;

const frontline = [REPORTER, SUPERVISOR, TRIAGE_LEAD, MEDICATION_LEAD, SAFEGUARDING_LEAD, MANAGER, ADMIN, INTEGRATION];
const rowReaders = [
  REPORTER,
  SUPERVISOR,
  TRIAGE_LEAD,
  MEDICATION_LEAD,
  SAFEGUARDING_LEAD,
  MANAGER,
  ANALYST,
  ADMIN,
  INTEGRATION,
];
const leads = [TRIAGE_LEAD, MEDICATION_LEAD, SAFEGUARDING_LEAD];
const lineManagement = [SUPERVISOR, ...leads, MANAGER, ADMIN];

/**
 * Who may do what: one table, enforced through `authorize`, so every operation
 * is checked the same way. Rows are further narrowed by tenant, services and
 * (for reporters) authorship in the read scope.
 */
export const roleMatrix = {
  'nearMiss.report': frontline,
  'nearMiss.read': rowReaders,
  'categories.read': [...rowReaders, GOVERNANCE],
  'categories.configure': [MANAGER, ADMIN],
  /** Adding contributing factors to the provider's taxonomy. */
  'factors.configure': [MANAGER, ADMIN],
  /** Correcting a report: its reporter before triage (checked in the service), triage leads and managers at any time. */
  'nearMiss.amend': [...frontline],
  'nearMiss.acknowledge': lineManagement,
  'nearMiss.triage': [...leads, MANAGER, ADMIN],
  'nearMiss.startActions': [...leads, MANAGER, ADMIN],
  'nearMiss.startVerification': [...leads, MANAGER, ADMIN],
  'nearMiss.close': [...leads, MANAGER, ADMIN],
  'nearMiss.reopen': [...leads, MANAGER, ADMIN],
  /** The event reached the person after all: the near miss becomes an incident. */
  'nearMiss.reclassify': [...leads, MANAGER, ADMIN],
  'gates.complete': lineManagement,
  'feedback.send': lineManagement,
  'triage.queue': lineManagement,
  /** Recording that someone who had to be told was told (a care Act s42 referral, a regulator's notification...). */
  'notifications.record': lineManagement,
  /** Overdue notifications; each near miss's own list is read with the near miss. */
  'notifications.read': [...lineManagement, INTEGRATION],
  /** A governance meeting's review of a period: it may reopen near misses. */
  'governance.record': [MANAGER, ADMIN],
  'governance.read': [...lineManagement, GOVERNANCE],
  /** Learning responses (PSIRF): huddles, after-action and thematic reviews, MDT reviews, RCAs. */
  'learning.record': [...leads, MANAGER, ADMIN],
  'learning.read': [...lineManagement, GOVERNANCE, ANALYST],
  /** Who sees the just-culture class: triage leads and line management, never reporters or peers. */
  'triage.justCulture.read': lineManagement,
  'settings.read': [...lineManagement, GOVERNANCE],
  'settings.configure': [MANAGER, ADMIN],
  'actions.read': [...rowReaders, GOVERNANCE],
  'actions.add': [...leads, MANAGER, ADMIN],
  /** Besides these roles, an action's owner may complete it. */
  'actions.complete': [...leads, MANAGER, ADMIN],
  'actions.cancel': [...leads, MANAGER, ADMIN],
  /** Besides these roles, an action's owner may schedule its checks. */
  'verification.schedule': [...leads, MANAGER, ADMIN],
  'verification.record': lineManagement,
  /** Closing with actions whose verification has not concluded. */
  'nearMiss.closeBeforeVerification': [MANAGER, ADMIN],
  /** Closing on weaker actions alone although severe harm, a repeat review or an ineffective action needs more. */
  'nearMiss.overrideWeakOnly': [MANAGER, ADMIN],
  'nearMiss.recordNoActionNeeded': [...leads, MANAGER, ADMIN],
  'privacy.export': [MANAGER, ADMIN],
  'privacy.erase': [ADMIN],
  'privacy.retention': [ADMIN],
  'webhooks.manage': [ADMIN],
  /** The event feed (ids and codes, no free text) for host apps and managers. */
  'events.read': [INTEGRATION, ADMIN, MANAGER],
  /** Free text and real person ids of rows; ANALYST alone reads rows with these withheld and pseudonymised. */
  'nearMiss.readIdentified': [REPORTER, SUPERVISOR, ...leads, MANAGER, ADMIN, INTEGRATION],
  /** Aggregates (trends, stage analysis, signal health, signals, governance summary): counts, never rows. */
  'analytics.read': [SUPERVISOR, ...leads, MANAGER, GOVERNANCE, ANALYST, ADMIN],
  'riskReviews.read': [SUPERVISOR, ...leads, MANAGER, GOVERNANCE, ANALYST, ADMIN],
  'riskReviews.conclude': [MANAGER, ADMIN],
  /** Repeat-trigger rules and service managers. */
  'riskReviews.configure': [MANAGER, ADMIN],
} as const satisfies Record<string, readonly Role[]>;

export type Operation = keyof typeof roleMatrix;

export const isAllowed = (principal: Principal, operation: Operation) => hasAnyRole(principal, roleMatrix[operation]);

export function authorize(principal: Principal, operation: Operation): void {
  if (!isAllowed(principal, operation)) {
    throw forbidden(`Your roles (${principal.roles.join(', ') || 'none'}) do not allow ${operation}`);
  }
}

/** Roles that see every report of their services (reporters see only their own). */
export const seesAllReportsOfTheirServices = [
  SUPERVISOR,
  TRIAGE_LEAD,
  MEDICATION_LEAD,
  SAFEGUARDING_LEAD,
  MANAGER,
  ANALYST,
  ADMIN,
  INTEGRATION,
];

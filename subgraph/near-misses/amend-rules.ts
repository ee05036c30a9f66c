import { hasAnyRole, type Principal } from '../auth/principal';
import { Role } from '../auth/role';
import type { NearMissStatusValue, PotentialHarmValue, WorkflowStageValue } from '../domain/vocabulary';
import { canonicalJson } from '../common/canonical-json';

/** What a report says that an amendment may change. */
export interface AmendableFields {
  category: string;
  details: Record<string, unknown>;
  workflowStage: WorkflowStageValue | null;
  contributingFactorCodes: string[];
  potentialHarm: PotentialHarmValue;
}

export type AmendableField = keyof AmendableFields;
export const amendableFields: readonly AmendableField[] = [
  'category',
  'details',
  'workflowStage',
  'contributingFactorCodes',
  'potentialHarm',
];

/** Statuses before triage: the reporter may still correct their own report. */
const beforeTriage: readonly NearMissStatusValue[] = ['REPORTED', 'ACKNOWLEDGED'];
const correctors: readonly Role[] = [
  Role.TRIAGE_LEAD,
  Role.MEDICATION_LEAD,
  Role.SAFEGUARDING_LEAD,
  Role.MANAGER,
  Role.ADMIN,
];

/**
 * Who may correct a report: its reporter until it is triaged; triage leads
 * (and managers) at any time, since after triage the record is theirs.
 * Undefined when allowed, else why not.
 */
export function amendRefusal(
  principal: Principal,
  nearMiss: { reportedById: string | null; status: NearMissStatusValue },
): string | undefined {
  if (hasAnyRole(principal, correctors)) return undefined;
  if (principal.staffId !== nearMiss.reportedById) return 'Only the reporter or a triage lead may correct a report';
  if (beforeTriage.includes(nearMiss.status)) return undefined;
  return `The report is ${nearMiss.status}: after triage, a triage lead corrects it`;
}

/** Which fields the amendment actually changes, in a stable order. */
export function changedFields(before: AmendableFields, after: AmendableFields): AmendableField[] {
  return amendableFields.filter((field) => canonicalJson(before[field]) !== canonicalJson(after[field]));
}

/**
 * What the amendment record keeps of a change: coded values before and after,
 * and for details only the names of the fields that changed (details may hold
 * free text, which the record does not copy).
 */
export function changeRecord(
  before: AmendableFields,
  after: AmendableFields,
  fields: readonly AmendableField[],
): Record<string, unknown> {
  return Object.fromEntries(
    fields.map((field): [string, unknown] => {
      if (field !== 'details') return [field, { from: before[field], to: after[field] }];
      const names = [...new Set([...Object.keys(before.details), ...Object.keys(after.details)])].sort();
      return [
        field,
        {
          changed: names.filter(
            (name) => canonicalJson(before.details[name] ?? null) !== canonicalJson(after.details[name] ?? null),
          ),
        },
      ];
    }),
  );
}

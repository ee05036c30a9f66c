import type { NearMiss } from './near-miss.type';
import { storedWorkflowContext } from './workflow-context';

/** Columns every near-miss read selects (the table's own names). */
export const nearMissColumns = [
  'id', 'tenant_id', 'reference', 'service_id', 'category', 'category_version', 'status', 'occurred_at', 'detected_at',
  'reported_at', 'reported_by', 'staff_involved_ids', 'person_id', 'visit_id', 'medication_record_id', 'shift_id',
  'care_plan_id', 'setting', 'what_happened', 'how_detected', 'what_prevented_harm', 'prevention_reliability',
  'immediate_actions', 'what_made_this_possible', 'contributing_factors', 'workflow_stage', 'potential_harm', 'details',
  'suggested_route', 'same_day', 'suggested_notify', 'triage_due_at', 'version',
  'acknowledged_at', 'closed_at', 'outcome', 'reopen_count', 'no_action_reason',
  'workflow_context', 'minutes_after_shift_start', 'minutes_before_shift_end', 'minutes_after_scheduled', 'time_critical_medicine',
  'care_plan_review_overdue', 'staff_employment',
] as const;

export type NearMissRow = Record<(typeof nearMissColumns)[number], unknown>;

export const selectNearMissColumns = (alias: string) => nearMissColumns.map((column) => `${alias}.${column}`).join(', ');

const orUndefined = <T>(value: unknown) => (value === null || value === undefined ? undefined : (value as T));

/** Maps a database row to the GraphQL type. */
export function toNearMiss(row: NearMissRow): NearMiss {
  return {
    id: row.id as string,
    tenantId: row.tenant_id as string,
    reference: row.reference as string,
    serviceId: row.service_id as string,
    categoryKey: row.category as string,
    categoryVersion: row.category_version as number,
    status: row.status as NearMiss['status'],
    occurredAt: row.occurred_at as Date,
    detectedAt: orUndefined<Date>(row.detected_at),
    reportedAt: row.reported_at as Date,
    reportedById: row.reported_by as string,
    staffInvolvedIds: row.staff_involved_ids as string[],
    personId: orUndefined<string>(row.person_id),
    visitId: orUndefined<string>(row.visit_id),
    medicationRecordId: orUndefined<string>(row.medication_record_id),
    shiftId: orUndefined<string>(row.shift_id),
    carePlanId: orUndefined<string>(row.care_plan_id),
    setting: row.setting as NearMiss['setting'],
    whatHappened: row.what_happened as string,
    howDetected: row.how_detected as string,
    whatPreventedHarm: row.what_prevented_harm as string,
    preventionReliability: row.prevention_reliability as NearMiss['preventionReliability'],
    immediateActions: row.immediate_actions as string[],
    whatMadeThisPossible: orUndefined<string>(row.what_made_this_possible),
    contributingFactors: row.contributing_factors as string[],
    workflowStage: orUndefined<NearMiss['workflowStage'] & string>(row.workflow_stage),
    potentialHarm: row.potential_harm as NearMiss['potentialHarm'],
    details: row.details as Record<string, unknown>,
    suggestedRoute: row.suggested_route as NearMiss['suggestedRoute'],
    sameDay: row.same_day as boolean,
    suggestedNotify: row.suggested_notify as string[],
    triageDueBy: row.triage_due_at as Date,
    version: row.version as number,
    acknowledgedAt: orUndefined<Date>(row.acknowledged_at),
    closedAt: orUndefined<Date>(row.closed_at),
    outcome: orUndefined<string>(row.outcome),
    reopenCount: row.reopen_count as number,
    noActionReason: orUndefined<string>(row.no_action_reason),
    workflowContext: storedWorkflowContext(row),
  };
}

import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A near-miss row. Never returned to GraphQL directly: see near-miss.type.ts. */
@Entity({ name: 'near_miss' })
export class NearMissEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @Column({ type: 'text' }) reference!: string;
  @Column({ name: 'service_id', type: 'text' }) serviceId!: string;
  @Column({ type: 'text' }) category!: string;
  @Column({ name: 'category_version', type: 'integer' }) categoryVersion!: number;
  @Column({ type: 'text', default: 'REPORTED' }) status!: string;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt!: Date;
  @Column({ name: 'detected_at', type: 'timestamptz', nullable: true }) detectedAt!: Date | null;
  @Column({ name: 'reported_at', type: 'timestamptz', default: () => 'now()' }) reportedAt!: Date;
  /** NULL for ANONYMOUS reports: no identity is stored. */
  @Column({ name: 'reported_by', type: 'text', nullable: true }) reportedBy!: string | null;
  @Column({ name: 'reporter_identity', type: 'text', default: 'NAMED' }) reporterIdentity!: string;
  /** ANONYMOUS reports only: the keyed hash of the receipt code (reporter-identity.ts). */
  @Column({ name: 'receipt_hash', type: 'text', nullable: true }) receiptHash!: string | null;
  @Column({ name: 'staff_involved_ids', type: 'text', array: true, default: () => "'{}'" }) staffInvolvedIds!: string[];
  @Column({ name: 'person_id', type: 'text', nullable: true }) personId!: string | null;
  @Column({ name: 'visit_id', type: 'text', nullable: true }) visitId!: string | null;
  @Column({ name: 'medication_record_id', type: 'text', nullable: true }) medicationRecordId!: string | null;
  @Column({ name: 'shift_id', type: 'text', nullable: true }) shiftId!: string | null;
  @Column({ name: 'care_plan_id', type: 'text', nullable: true }) carePlanId!: string | null;
  @Column({ type: 'text' }) setting!: string;
  @Column({ name: 'what_happened', type: 'text' }) whatHappened!: string;
  @Column({ name: 'how_detected', type: 'text' }) howDetected!: string;
  @Column({ name: 'what_prevented_harm', type: 'text' }) whatPreventedHarm!: string;
  @Column({ name: 'prevention_reliability', type: 'text' }) preventionReliability!: string;
  @Column({ name: 'immediate_actions', type: 'text', array: true }) immediateActions!: string[];
  @Column({ name: 'what_made_this_possible', type: 'text', nullable: true }) whatMadeThisPossible!: string | null;
  @Column({ name: 'contributing_factors', type: 'text', array: true, default: () => "'{}'" })
  contributingFactors!: string[];
  @Column({ name: 'contributing_factor_codes', type: 'text', array: true, default: () => "'{}'" })
  contributingFactorCodes!: string[];
  @Column({ name: 'workflow_stage', type: 'text', nullable: true }) workflowStage!: string | null;
  @Column({ name: 'potential_harm', type: 'text' }) potentialHarm!: string;
  @Column({ type: 'jsonb' }) details!: Record<string, unknown>;
  @Column({ name: 'suggested_route', type: 'text' }) suggestedRoute!: string;
  @Column({ name: 'same_day', type: 'boolean' }) sameDay!: boolean;
  @Column({ name: 'suggested_notify', type: 'text', array: true, default: () => "'{}'" }) suggestedNotify!: string[];
  @Column({ name: 'triage_due_at', type: 'timestamptz' }) triageDueAt!: Date;
  @Column({ type: 'integer', default: 1 }) version!: number;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;

  // Lifecycle.
  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true }) acknowledgedAt!: Date | null;
  @Column({ name: 'acknowledged_by', type: 'text', nullable: true }) acknowledgedBy!: string | null;
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true }) closedAt!: Date | null;
  @Column({ name: 'closed_by', type: 'text', nullable: true }) closedBy!: string | null;
  @Column({ type: 'text', nullable: true }) outcome!: string | null;
  @Column({ name: 'reopened_at', type: 'timestamptz', nullable: true }) reopenedAt!: Date | null;
  @Column({ name: 'reopen_reason', type: 'text', nullable: true }) reopenReason!: string | null;
  @Column({ name: 'reopen_count', type: 'integer', default: 0 }) reopenCount!: number;
  @Column({ name: 'no_action_reason', type: 'text', nullable: true }) noActionReason!: string | null;
  /** Why a manager closed it on weaker actions alone although it needed a stronger control. */
  @Column({ name: 'weak_only_override_reason', type: 'text', nullable: true }) weakOnlyOverrideReason!: string | null;

  // Patterns: the category's similarity fields, hashed at report time, and the workflow context.
  @Column({ name: 'similarity_key', type: 'text', nullable: true }) similarityKey!: string | null;
  /** The same kind of near miss whoever it happened to (the category's `kind` fields), hashed. */
  @Column({ name: 'kind_key', type: 'text', nullable: true }) kindKey!: string | null;
  @Column({ name: 'workflow_context', type: 'jsonb', nullable: true }) workflowContext!: Record<string, unknown> | null;
  @Column({ name: 'minutes_after_shift_start', type: 'integer', nullable: true }) minutesAfterShiftStart!:
    number | null;
  @Column({ name: 'minutes_before_shift_end', type: 'integer', nullable: true }) minutesBeforeShiftEnd!: number | null;
  @Column({ name: 'minutes_after_scheduled', type: 'integer', nullable: true }) minutesAfterScheduled!: number | null;
  @Column({ name: 'time_critical_medicine', type: 'boolean', default: false }) timeCriticalMedicine!: boolean;
  @Column({ name: 'care_plan_review_overdue', type: 'boolean', nullable: true }) carePlanReviewOverdue!: boolean | null;
  @Column({ name: 'staff_employment', type: 'text', nullable: true }) staffEmployment!: string | null;
  @Column({ name: 'ncc_merp', type: 'text', nullable: true }) nccMerp!: string | null;
  @Column({ name: 'reclassified_at', type: 'timestamptz', nullable: true }) reclassifiedAt!: Date | null;
  @Column({ name: 'reclassified_by', type: 'text', nullable: true }) reclassifiedBy!: string | null;
  @Column({ name: 'reclassified_harm', type: 'text', nullable: true }) reclassifiedHarm!: string | null;
  @Column({ name: 'reclassification_reason', type: 'text', nullable: true }) reclassificationReason!: string | null;

  // Retention: when the free text of a closed near miss was erased.
  @Column({ name: 'erased_at', type: 'timestamptz', nullable: true }) erasedAt!: Date | null;
}

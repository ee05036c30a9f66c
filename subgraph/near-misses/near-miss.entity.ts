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
  @Column({ type: 'text' }) status!: string;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt!: Date;
  @Column({ name: 'detected_at', type: 'timestamptz', nullable: true }) detectedAt!: Date | null;
  @Column({ name: 'reported_at', type: 'timestamptz' }) reportedAt!: Date;
  @Column({ name: 'reported_by', type: 'text' }) reportedBy!: string;
  @Column({ name: 'staff_involved_ids', type: 'text', array: true }) staffInvolvedIds!: string[];
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
  @Column({ name: 'contributing_factors', type: 'text', array: true }) contributingFactors!: string[];
  @Column({ name: 'workflow_stage', type: 'text', nullable: true }) workflowStage!: string | null;
  @Column({ name: 'potential_harm', type: 'text' }) potentialHarm!: string;
  @Column({ type: 'jsonb' }) details!: Record<string, unknown>;
  @Column({ name: 'suggested_route', type: 'text' }) suggestedRoute!: string;
  @Column({ name: 'same_day', type: 'boolean' }) sameDay!: boolean;
  @Column({ name: 'suggested_notify', type: 'text', array: true }) suggestedNotify!: string[];
  @Column({ name: 'triage_due_at', type: 'timestamptz' }) triageDueAt!: Date;
  @Column({ type: 'integer' }) version!: number;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

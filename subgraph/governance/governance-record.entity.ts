import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A governance meeting's review of a period: who attended, what it decided, what it reopened. */
@Entity({ name: 'governance_review' })
export class GovernanceReviewEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @Column({ name: 'period_from', type: 'timestamptz' }) periodFrom!: Date;
  @Column({ name: 'period_to', type: 'timestamptz' }) periodTo!: Date;
  @Column({ name: 'service_ids', type: 'text', array: true, default: () => "'{}'" }) serviceIds!: string[];
  @Column({ name: 'held_at', type: 'timestamptz' }) heldAt!: Date;
  @Column({ type: 'text', array: true }) attendees!: string[];
  @Column({ type: 'text', array: true }) decisions!: string[];
  @Column({ name: 'emerging_risk', type: 'boolean' }) emergingRisk!: boolean;
  @Column({ name: 'reopened_near_miss_ids', type: 'uuid', array: true, default: () => "'{}'" })
  reopenedNearMissIds!: string[];
  @Column({ name: 'recorded_by', type: 'text' }) recordedBy!: string;
  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' }) recordedAt!: Date;
}

/** A learning response (PSIRF): how the organisation learned from near misses, and what it concerned. */
@Entity({ name: 'learning_response' })
export class LearningResponseEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @Column({ type: 'text' }) method!: string;
  @Column({ name: 'held_at', type: 'timestamptz' }) heldAt!: Date;
  @Column({ type: 'text', array: true }) participants!: string[];
  @Column({ type: 'text' }) findings!: string;
  @Column({ name: 'service_ids', type: 'text', array: true, default: () => "'{}'" }) serviceIds!: string[];
  @Column({ name: 'near_miss_ids', type: 'uuid', array: true, default: () => "'{}'" }) nearMissIds!: string[];
  @Column({ name: 'risk_review_ids', type: 'uuid', array: true, default: () => "'{}'" }) riskReviewIds!: string[];
  @Column({ name: 'action_ids', type: 'uuid', array: true, default: () => "'{}'" }) actionIds!: string[];
  @Column({ name: 'recorded_by', type: 'text' }) recordedBy!: string;
  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' }) recordedAt!: Date;
}

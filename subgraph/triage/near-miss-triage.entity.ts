import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One triage decision; the latest of a near miss is its current triage. */
@Entity({ name: 'near_miss_triage' })
export class NearMissTriageEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @Column({ name: 'near_miss_id', type: 'uuid' }) nearMissId!: string;
  @Column({ type: 'text' }) route!: string;
  @Column({ name: 'suggested_route', type: 'text' }) suggestedRoute!: string;
  @Column({ name: 'override_reason', type: 'text', nullable: true }) overrideReason!: string | null;
  @Column({ name: 'same_day', type: 'boolean' }) sameDay!: boolean;
  @Column({ name: 'due_by', type: 'timestamptz' }) dueBy!: Date;
  @Column({ name: 'triaged_at', type: 'timestamptz' }) triagedAt!: Date;
  @Column({ name: 'triaged_by', type: 'text' }) triagedBy!: string;
  @Column({ name: 'just_culture', type: 'text' }) justCulture!: string;
  @Column({ type: 'text', array: true }) notify!: string[];
  @Column({ type: 'text' }) rationale!: string;
}

import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'corrective_action' })
export class CorrectiveActionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @Column({ type: 'text' }) title!: string;
  @Column({ name: 'owner_id', type: 'text' }) ownerId!: string;
  @Column({ name: 'due_by', type: 'timestamptz' }) dueBy!: Date;
  @Column({ type: 'text', default: 'OPEN' }) status!: string;
  @Column({ name: 'action_type', type: 'text', nullable: true }) actionType!: string | null;
  @Column({ type: 'text' }) strength!: string;
  @Column({ name: 'evidence_required', type: 'text', array: true }) evidenceRequired!: string[];
  @Column({ type: 'text', array: true, default: () => "'{}'" }) evidence!: string[];
  @Column({ type: 'text' }) target!: string;
  @Column({ name: 'service_ids', type: 'text', array: true }) serviceIds!: string[];
  @Column({ name: 'monitoring_days', type: 'integer', default: 42 }) monitoringDays!: number;
  @Column({ name: 'recurrence_scope', type: 'text', default: 'SAME_PERSON' }) recurrenceScope!: string;
  @Column({ name: 'target_max_recurrences', type: 'integer', default: 0 }) targetMaxRecurrences!: number;
  @Column({ name: 'created_by', type: 'text' }) createdBy!: string;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true }) completedAt!: Date | null;
  @Column({ name: 'completed_by', type: 'text', nullable: true }) completedBy!: string | null;
  @Column({ name: 'cancelled_reason', type: 'text', nullable: true }) cancelledReason!: string | null;
  @Column({ type: 'boolean', nullable: true }) effective!: boolean | null;
  @Column({ name: 'effectiveness_reason', type: 'text', nullable: true }) effectivenessReason!: string | null;
  @Column({ name: 'reopen_count', type: 'integer', default: 0 }) reopenCount!: number;
  @Column({ type: 'integer', default: 1 }) version!: number;
}

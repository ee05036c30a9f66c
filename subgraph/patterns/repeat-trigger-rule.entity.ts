import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A provider's repeat trigger rule for a category ('*' = every category); no row means the default rule. */
@Entity({ name: 'repeat_trigger_rule' })
export class RepeatTriggerRuleEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ type: 'text' }) category!: string;
  @Column({ type: 'integer' }) threshold!: number;
  @Column({ name: 'window_days', type: 'integer' }) windowDays!: number;
  @Column({ name: 'review_due_days', type: 'integer' }) reviewDueDays!: number;
  @Column({ type: 'boolean' }) enabled!: boolean;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
  @Column({ name: 'updated_by', type: 'text', nullable: true }) updatedBy!: string | null;
}

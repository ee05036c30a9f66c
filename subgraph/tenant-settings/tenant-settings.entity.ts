import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Per-provider settings; a missing row means the defaults. */
@Entity({ name: 'tenant_settings' })
export class TenantSettingsEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @Column({ name: 'same_day_triage_hours', type: 'integer', default: 4 }) sameDayTriageHours!: number;
  @Column({ name: 'standard_triage_hours', type: 'integer', default: 24 }) standardTriageHours!: number;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
  @Column({ name: 'updated_by', type: 'text', nullable: true }) updatedBy!: string | null;
  @Column({ name: 'retention_months', type: 'integer', default: 96 }) retentionMonths!: number;
  @Column({ name: 'require_workflow_stage_for_triage', type: 'boolean', default: true })
  requireWorkflowStageForTriage!: boolean;
}

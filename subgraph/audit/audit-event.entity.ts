import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'audit_event' })
export class AuditEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @Column({ name: 'near_miss_id', type: 'uuid', nullable: true }) nearMissId!: string | null;
  @Column({ type: 'timestamptz', default: () => "date_trunc('milliseconds', clock_timestamp())" }) at!: Date;
  @Column({ type: 'text', nullable: true }) actor!: string | null;
  @Column({ type: 'text' }) action!: string;
  @Column({ type: 'jsonb', nullable: true }) detail!: unknown;
  // Written only by recordAudit: the tenant's chain (see audit-hash.ts).
  @Column({ type: 'bigint' }) seq!: string;
  @Column({ name: 'prev_hash', type: 'text' }) prevHash!: string;
  @Column({ type: 'text' }) hash!: string;
}

import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A correction of a report after capture: who, when, why, which fields, coded values before and after. */
@Entity({ name: 'near_miss_amendment' })
@Index('IDX_near_miss_amendment_near_miss', ['tenantId', 'nearMissId', 'amendedAt'])
export class NearMissAmendmentEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @Column({ name: 'near_miss_id', type: 'uuid' }) nearMissId!: string;
  @Column({ name: 'amended_at', type: 'timestamptz' }) amendedAt!: Date;
  @Column({ name: 'amended_by', type: 'text' }) amendedBy!: string;
  @Column({ type: 'text' }) reason!: string;
  @Column({ type: 'text', array: true }) fields!: string[];
  @Column({ type: 'jsonb' }) changes!: Record<string, unknown>;
}

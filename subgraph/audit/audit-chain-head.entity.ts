import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The last link of a tenant's audit chain; triggers let it only follow appended rows. */
@Entity({ name: 'audit_chain_head' })
export class AuditChainHeadEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @Column({ name: 'last_seq', type: 'bigint' }) lastSeq!: string;
  @Column({ name: 'last_hash', type: 'text' }) lastHash!: string;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'clock_timestamp()' }) updatedAt!: Date;
}

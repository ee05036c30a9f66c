import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A contributing factor a provider added to the shipped taxonomy. */
@Entity({ name: 'contributing_factor' })
export class ContributingFactorEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ type: 'text' }) code!: string;
  @Column({ name: 'parent_code', type: 'text', nullable: true }) parentCode!: string | null;
  @Column({ type: 'text' }) label!: string;
  @Column({ name: 'added_at', type: 'timestamptz', default: () => 'now()' }) addedAt!: Date;
  @Column({ name: 'added_by', type: 'text' }) addedBy!: string;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Who manages a service: its risk reviews are assigned to them. */
@Entity({ name: 'service_manager' })
export class ServiceManagerEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ name: 'service_id', type: 'text' }) serviceId!: string;
  @Column({ name: 'staff_id', type: 'text' }) staffId!: string;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
  @Column({ name: 'updated_by', type: 'text', nullable: true }) updatedBy!: string | null;
}

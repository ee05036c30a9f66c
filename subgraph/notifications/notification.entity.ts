import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** One person or body who must be told about a near miss, and whether and how they were. */
@Entity({ name: 'notification' })
export class NotificationEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @Column({ name: 'near_miss_id', type: 'uuid' }) nearMissId!: string;
  @Column({ name: 'service_id', type: 'text' }) serviceId!: string;
  @Column({ type: 'text' }) recipient!: string;
  @Column({ name: 'due_by', type: 'timestamptz' }) dueBy!: Date;
  @Column({ name: 'notified_at', type: 'timestamptz', nullable: true }) notifiedAt!: Date | null;
  @Column({ name: 'notified_by', type: 'text', nullable: true }) notifiedBy!: string | null;
  @Column({ type: 'text', nullable: true }) method!: string | null;
  @Column({ name: 'external_reference', type: 'text', nullable: true }) externalReference!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
}

/** A provider's window to notify one recipient (`*`: everyone it names no window for). */
@Entity({ name: 'notification_window' })
export class NotificationWindowEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ type: 'text' }) recipient!: string;
  @Column({ type: 'integer' }) hours!: number;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
  @Column({ name: 'updated_by', type: 'text' }) updatedBy!: string;
}

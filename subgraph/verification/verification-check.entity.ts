import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A scheduled check that a corrective action works. */
@Entity({ name: 'verification_check' })
export class VerificationCheckEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @Column({ name: 'action_id', type: 'uuid' }) actionId!: string;
  @Column({ type: 'integer' }) sequence!: number;
  @Column({ type: 'text' }) method!: string;
  @Column({ name: 'due_at', type: 'timestamptz' }) dueAt!: Date;
  @Column({ name: 'performed_at', type: 'timestamptz', nullable: true }) performedAt!: Date | null;
  @Column({ name: 'performed_by', type: 'text', nullable: true }) performedBy!: string | null;
  @Column({ type: 'text', nullable: true }) result!: string | null;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) evidence!: string[];
  @Column({ type: 'text', nullable: true }) notes!: string | null;
  @Column({ name: 'scheduled_by', type: 'text' }) scheduledBy!: string;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
}

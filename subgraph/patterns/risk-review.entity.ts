import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'risk_review' })
export class RiskReviewEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @Column({ type: 'text', default: 'OPEN' }) status!: string;
  @Column({ type: 'text' }) reason!: string;
  @Column({ type: 'text' }) category!: string;
  @Column({ name: 'service_id', type: 'text' }) serviceId!: string;
  @Column({ type: 'text' }) basis!: string;
  @Column({ type: 'integer' }) threshold!: number;
  @Column({ name: 'window_days', type: 'integer' }) windowDays!: number;
  @Column({ name: 'opened_at', type: 'timestamptz' }) openedAt!: Date;
  @Column({ name: 'opened_by_near_miss_id', type: 'uuid' }) openedByNearMissId!: string;
  @Column({ name: 'due_by', type: 'timestamptz' }) dueBy!: Date;
  @Column({ name: 'assigned_to', type: 'text', nullable: true }) assignedTo!: string | null;
  @Column({ type: 'text', nullable: true }) conclusion!: string | null;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) causes!: string[];
  @Column({ name: 'concluded_at', type: 'timestamptz', nullable: true }) concludedAt!: Date | null;
  @Column({ name: 'concluded_by', type: 'text', nullable: true }) concludedBy!: string | null;
  @Column({ type: 'integer', default: 1 }) version!: number;
}

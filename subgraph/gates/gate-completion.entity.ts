import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A closure gate marked done for a near miss. */
@Entity({ name: 'gate_completion' })
export class GateCompletionEntity {
  @Column({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ name: 'near_miss_id', type: 'uuid' }) nearMissId!: string;
  @PrimaryColumn({ type: 'text' }) key!: string;
  @Column({ name: 'done_by', type: 'text' }) doneBy!: string;
  @Column({ name: 'done_at', type: 'timestamptz' }) doneAt!: Date;
  @Column({ type: 'text', nullable: true }) note!: string | null;
}

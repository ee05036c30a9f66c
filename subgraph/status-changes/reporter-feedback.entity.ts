import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A message to the reporter about what became of their report. */
@Entity({ name: 'reporter_feedback' })
export class ReporterFeedbackEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @Column({ name: 'near_miss_id', type: 'uuid' }) nearMissId!: string;
  @Column({ type: 'timestamptz' }) at!: Date;
  @Column({ type: 'text' }) kind!: string;
  @Column({ type: 'text' }) message!: string;
  @Column({ name: 'sent_by', type: 'text', nullable: true }) sentBy!: string | null;
}

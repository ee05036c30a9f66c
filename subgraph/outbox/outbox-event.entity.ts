import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { xid8 } from '../database/column-types';

/** The transactional outbox: written with the change, delivered later. */
@Entity({ name: 'outbox_event' })
export class OutboxEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @Column({ name: 'event_type', type: 'text' }) eventType!: string;
  @Column({ name: 'aggregate_id', type: 'uuid' }) aggregateId!: string;
  @Column({ type: 'jsonb' }) payload!: Record<string, unknown>;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'clock_timestamp()' }) createdAt!: Date;
  // The writing transaction: the feed only moves past events whose writers have finished.
  @Column({ name: 'transaction_id', type: xid8, default: () => 'pg_current_xact_id()' }) transactionId!: string;
}

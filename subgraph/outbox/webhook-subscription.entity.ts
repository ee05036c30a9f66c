import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'webhook_subscription' })
export class WebhookSubscriptionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @Column({ type: 'text' }) url!: string;
  /** The signing secret sealed under WEBHOOK_SECRET_KEY (`v1:...`, see webhook-secret-cipher.ts); null once erased (inactive). */
  @Column({ name: 'secret', type: 'text', nullable: true }) sealedSecret!: string | null;
  /** Null means every event type. */
  @Column({ name: 'event_types', type: 'text', array: true, nullable: true }) eventTypes!: string[] | null;
  @Column({ type: 'boolean', default: true }) active!: boolean;
  @Column({ name: 'created_by', type: 'text' }) createdBy!: string;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'clock_timestamp()' }) createdAt!: Date;
  @Column({ name: 'deactivated_at', type: 'timestamptz', nullable: true }) deactivatedAt!: Date | null;
}

import type { MigrationInterface, QueryRunner } from 'typeorm';
import { disableTenantIsolation, enableTenantIsolation } from './tenant-isolation';

/**
 * Outbox delivery: each event remembers the transaction that wrote it (so the
 * feed and the dispatcher only move past events whose writers have finished),
 * webhook subscriptions per tenant, and one delivery row per (event, subscription).
 */
export class WebhookDelivery1763900002000 implements MigrationInterface {
  name = 'WebhookDelivery1763900002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE outbox_event ADD COLUMN transaction_id xid8`);
    await queryRunner.query(`UPDATE outbox_event SET transaction_id = pg_current_xact_id()`);
    await queryRunner.query(
      `ALTER TABLE outbox_event ALTER COLUMN transaction_id SET NOT NULL, ALTER COLUMN transaction_id SET DEFAULT pg_current_xact_id()`,
    );
    // The feed's order: (writing transaction, id); see outbox/near-miss-event.query.ts.
    await queryRunner.query(
      `CREATE INDEX "IDX_outbox_event_tenant_position" ON outbox_event (tenant_id, transaction_id, id)`,
    );

    await queryRunner.query(`
      CREATE TABLE webhook_subscription (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL,
        url text NOT NULL,
        secret text NOT NULL,
        event_types text[],
        active boolean NOT NULL DEFAULT true,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        deactivated_at timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX "IDX_webhook_subscription_tenant" ON webhook_subscription (tenant_id, created_at)`,
    );

    await queryRunner.query(`
      CREATE TABLE webhook_delivery (
        id bigserial PRIMARY KEY,
        tenant_id text NOT NULL,
        subscription_id uuid NOT NULL REFERENCES webhook_subscription (id),
        event_id bigint NOT NULL REFERENCES outbox_event (id),
        event_transaction_id xid8 NOT NULL,
        aggregate_id uuid NOT NULL,
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DELIVERED', 'DEAD')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        locked_until timestamptz,
        lease_token uuid,
        last_attempt_at timestamptz,
        last_status_code integer,
        last_error text,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT "UQ_webhook_delivery_event_subscription" UNIQUE (event_id, subscription_id)
      )`);
    // What the dispatcher claims, and the earlier deliveries of the same near miss it waits for.
    await queryRunner.query(
      `CREATE INDEX "IDX_webhook_delivery_due" ON webhook_delivery (next_attempt_at, id) WHERE status = 'PENDING'`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_webhook_delivery_pending_order" ON webhook_delivery (subscription_id, aggregate_id, event_transaction_id, event_id) WHERE status = 'PENDING'`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_webhook_delivery_subscription" ON webhook_delivery (subscription_id, status, id)`,
    );
    // Requests see their own tenant's rows only; the dispatcher works across tenants as the pool's login role.
    await enableTenantIsolation(queryRunner, 'webhook_subscription');
    await enableTenantIsolation(queryRunner, 'webhook_delivery');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await disableTenantIsolation(queryRunner, 'webhook_delivery');
    await disableTenantIsolation(queryRunner, 'webhook_subscription');
    await queryRunner.query(`DROP TABLE webhook_delivery`);
    await queryRunner.query(`DROP TABLE webhook_subscription`);
    await queryRunner.query(`DROP INDEX "IDX_outbox_event_tenant_position"`);
    await queryRunner.query(`ALTER TABLE outbox_event DROP COLUMN transaction_id`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';
import { disableTenantIsolation, enableTenantIsolation } from './tenant-isolation';

/**
 * Who must be told about a near miss, as records: one per recipient, with a
 * due time, and once told, when, by whom, how and any external reference
 * (a Care Act s42 referral, a regulator's notification number). Providers set
 * windows by recipient (`*`: everyone else) in notification_window.
 */
export class Notifications1763900015000 implements MigrationInterface {
  name = 'Notifications1763900015000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS notification (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL,
        near_miss_id uuid NOT NULL REFERENCES near_miss (id),
        service_id text NOT NULL,
        recipient text NOT NULL,
        due_by timestamptz NOT NULL,
        notified_at timestamptz,
        notified_by text,
        method text CONSTRAINT notification_method_known
          CHECK (method IN ('IN_PERSON', 'PHONE', 'EMAIL', 'SECURE_MESSAGE', 'PORTAL', 'LETTER')),
        external_reference text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT notification_recorded_whole CHECK ((notified_at IS NULL) = (method IS NULL) AND (notified_at IS NULL) = (notified_by IS NULL))
      )`);
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "IDX_notification_near_miss" ON notification (tenant_id, near_miss_id)`,
    );
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "IDX_notification_pending_due" ON notification (tenant_id, due_by) WHERE notified_at IS NULL`,
    );
    await enableTenantIsolation(queryRunner, 'notification');

    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS notification_window (
        tenant_id text NOT NULL,
        recipient text NOT NULL,
        hours integer NOT NULL CONSTRAINT notification_window_hours CHECK (hours BETWEEN 1 AND 720),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL,
        PRIMARY KEY (tenant_id, recipient)
      )`);
    await enableTenantIsolation(queryRunner, 'notification_window');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['notification_window', 'notification']) {
      await disableTenantIsolation(queryRunner, table);
      await queryRunner.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}

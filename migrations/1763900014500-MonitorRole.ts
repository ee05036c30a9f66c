import type { MigrationInterface, QueryRunner } from 'typeorm';
import { ensureRole, monitorRole } from './tenant-isolation';

/**
 * The role the metrics' database gauges switch to (`near_miss_monitor`): it
 * counts, across tenants, the webhook deliveries not yet delivered and the
 * near misses waiting for triage. It may read only the columns those counts
 * need (no text, no person, no payload), through a policy of its own, and
 * cannot log in. Idempotent.
 */
export class MonitorRole1763900014500 implements MigrationInterface {
  name = 'MonitorRole1763900014500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await ensureRole(queryRunner, monitorRole);
    const grants: [table: string, columns: string][] = [
      ['near_miss', 'tenant_id, status, triage_due_at'],
      ['webhook_delivery', 'status, created_at'],
    ];
    for (const [table, columns] of grants) {
      await queryRunner.query(`GRANT SELECT (${columns}) ON ${table} TO ${monitorRole}`);
      await queryRunner.query(`DROP POLICY IF EXISTS ${monitorRole}_all ON ${table}`);
      await queryRunner.query(`CREATE POLICY ${monitorRole}_all ON ${table} FOR SELECT TO ${monitorRole} USING (true)`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['near_miss', 'webhook_delivery']) {
      await queryRunner.query(`DROP POLICY ${monitorRole}_all ON ${table}`);
      await queryRunner.query(`REVOKE ALL ON ${table} FROM ${monitorRole}`);
    }
    await queryRunner.query(
      `DO $$ BEGIN EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM ${monitorRole}', current_schema()); END $$`,
    );
  }
}

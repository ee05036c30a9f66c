import type { MigrationInterface, QueryRunner } from 'typeorm';
import { auditorRole, dispatcherRole, ensureRole } from './tenant-isolation';

/**
 * Two narrowly granted roles for the work that spans tenants, so that the
 * service's login never needs to bypass row-level security:
 *
 * - the webhook dispatcher (`near_miss_dispatcher`) reads events and
 *   subscriptions and claims and records deliveries, of every tenant, and
 *   nothing else;
 * - the audit verifier (`near_miss_auditor`) reads every tenant's audit
 *   chain, and nothing else.
 *
 * Each sees all rows of its tables through a policy of its own (policies add
 * up), and neither can log in: the service's login switches to one of them
 * for a worker's transaction, as requests switch to the application role.
 * Idempotent.
 */
export class WorkerRoles1763900013000 implements MigrationInterface {
  name = 'WorkerRoles1763900013000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await ensureRole(queryRunner, dispatcherRole);
    await ensureRole(queryRunner, auditorRole);
    const grants: [role: string, table: string, privileges: string, policy: 'ALL' | 'SELECT'][] = [
      [dispatcherRole, 'outbox_event', 'SELECT', 'SELECT'],
      [dispatcherRole, 'webhook_subscription', 'SELECT', 'SELECT'],
      [dispatcherRole, 'webhook_delivery', 'SELECT, UPDATE', 'ALL'],
      [auditorRole, 'audit_event', 'SELECT', 'SELECT'],
      [auditorRole, 'audit_chain_head', 'SELECT', 'SELECT'],
    ];
    for (const [role, table, privileges, policy] of grants) {
      await queryRunner.query(`GRANT ${privileges} ON ${table} TO ${role}`);
      await queryRunner.query(`DROP POLICY IF EXISTS ${role}_all ON ${table}`);
      await queryRunner.query(`CREATE POLICY ${role}_all ON ${table} FOR ${policy} TO ${role} USING (true)`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [role, tables] of [
      [dispatcherRole, ['outbox_event', 'webhook_subscription', 'webhook_delivery']],
      [auditorRole, ['audit_event', 'audit_chain_head']],
    ] as const) {
      for (const table of tables) {
        await queryRunner.query(`DROP POLICY ${role}_all ON ${table}`);
        await queryRunner.query(`REVOKE ALL ON ${table} FROM ${role}`);
      }
      await queryRunner.query(
        `DO $$ BEGIN EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM ${role}', current_schema()); END $$`,
      );
    }
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';
import { disableTenantIsolation, enableTenantIsolation } from './tenant-isolation';

/**
 * Corrections of a report after capture (amendNearMiss): one row per
 * amendment with who, when, why and which fields changed, and the coded
 * values before and after (never free text: details are named, not copied).
 * A provider setting makes a workflow stage required before triage completes,
 * on unless the provider turns it off. Idempotent.
 */
export class NearMissAmendment1763900021000 implements MigrationInterface {
  name = 'NearMissAmendment1763900021000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS near_miss_amendment (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL,
        near_miss_id uuid NOT NULL REFERENCES near_miss (id),
        amended_at timestamptz NOT NULL,
        amended_by text NOT NULL,
        reason text NOT NULL,
        fields text[] NOT NULL,
        changes jsonb NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "IDX_near_miss_amendment_near_miss" ON near_miss_amendment (tenant_id, near_miss_id, amended_at)`,
    );
    await enableTenantIsolation(queryRunner, 'near_miss_amendment', ['SELECT', 'INSERT', 'UPDATE']);
    await queryRunner.query(
      `ALTER TABLE tenant_settings ADD COLUMN IF NOT EXISTS require_workflow_stage_for_triage boolean NOT NULL DEFAULT true`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE tenant_settings DROP COLUMN require_workflow_stage_for_triage`);
    await disableTenantIsolation(queryRunner, 'near_miss_amendment');
    await queryRunner.query(`DROP TABLE near_miss_amendment`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';
import { disableTenantIsolation, enableTenantIsolation } from './tenant-isolation';

/**
 * What governance reviewed and decided, and what the organisation learned:
 * governance reviews (period, services, attendees, decisions, whether
 * near-miss patterns show emerging risk, near misses it reopened) and
 * learning responses (a SWARM huddle, after-action review, thematic review,
 * MDT review or RCA, with participants, findings and the near misses, risk
 * reviews and actions it concerns).
 */
export class GovernanceRecords1763900016000 implements MigrationInterface {
  name = 'GovernanceRecords1763900016000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS governance_review (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL,
        period_from timestamptz NOT NULL,
        period_to timestamptz NOT NULL,
        service_ids text[] NOT NULL DEFAULT '{}',
        held_at timestamptz NOT NULL,
        attendees text[] NOT NULL,
        decisions text[] NOT NULL,
        emerging_risk boolean NOT NULL,
        reopened_near_miss_ids uuid[] NOT NULL DEFAULT '{}',
        recorded_by text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT governance_review_period CHECK (period_from < period_to)
      )`);
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "IDX_governance_review_held" ON governance_review (tenant_id, held_at)`,
    );
    await enableTenantIsolation(queryRunner, 'governance_review');

    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS learning_response (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL,
        method text NOT NULL CONSTRAINT learning_response_method_known
          CHECK (method IN ('SWARM_HUDDLE', 'AFTER_ACTION_REVIEW', 'THEMATIC_REVIEW', 'MDT_REVIEW', 'RCA')),
        held_at timestamptz NOT NULL,
        participants text[] NOT NULL,
        findings text NOT NULL,
        service_ids text[] NOT NULL DEFAULT '{}',
        near_miss_ids uuid[] NOT NULL DEFAULT '{}',
        risk_review_ids uuid[] NOT NULL DEFAULT '{}',
        action_ids uuid[] NOT NULL DEFAULT '{}',
        recorded_by text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "IDX_learning_response_held" ON learning_response (tenant_id, held_at)`,
    );
    await enableTenantIsolation(queryRunner, 'learning_response');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['learning_response', 'governance_review']) {
      await disableTenantIsolation(queryRunner, table);
      await queryRunner.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}

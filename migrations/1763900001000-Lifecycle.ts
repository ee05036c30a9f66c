import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Lifecycle1763900001000 implements MigrationInterface {
  name = 'Lifecycle1763900001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE near_miss
        ADD COLUMN acknowledged_at timestamptz,
        ADD COLUMN acknowledged_by text,
        ADD COLUMN closed_at timestamptz,
        ADD COLUMN closed_by text,
        ADD COLUMN outcome text,
        ADD COLUMN reopened_at timestamptz,
        ADD COLUMN reopen_reason text,
        ADD COLUMN reopen_count integer NOT NULL DEFAULT 0`);
    // The triage queue: what awaits triage, by due time.
    await queryRunner.query(`
      CREATE INDEX "IDX_near_miss_triage_queue" ON near_miss (tenant_id, triage_due_at)
      WHERE status IN ('REPORTED', 'ACKNOWLEDGED', 'REOPENED')`);

    // Every triage decision; the latest one of a near miss is its current triage.
    await queryRunner.query(`
      CREATE TABLE near_miss_triage (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL,
        near_miss_id uuid NOT NULL REFERENCES near_miss (id),
        route text NOT NULL CHECK (route IN ('SAFEGUARDING_REVIEW', 'MEDICATION_SAFETY_REVIEW', 'OPERATIONAL_FIX', 'TREND_MONITORING')),
        suggested_route text NOT NULL,
        override_reason text,
        same_day boolean NOT NULL,
        due_by timestamptz NOT NULL,
        triaged_at timestamptz NOT NULL,
        triaged_by text NOT NULL,
        just_culture text NOT NULL CHECK (just_culture IN ('SYSTEM_ISSUE', 'HUMAN_ERROR', 'AT_RISK_BEHAVIOUR', 'RECKLESS_BEHAVIOUR')),
        notify text[] NOT NULL,
        rationale text NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX "IDX_near_miss_triage_near_miss" ON near_miss_triage (tenant_id, near_miss_id, triaged_at DESC)`,
    );

    await queryRunner.query(`
      CREATE TABLE gate_completion (
        tenant_id text NOT NULL,
        near_miss_id uuid NOT NULL REFERENCES near_miss (id),
        key text NOT NULL,
        done_by text NOT NULL,
        done_at timestamptz NOT NULL,
        note text,
        PRIMARY KEY (near_miss_id, key)
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_gate_completion_tenant" ON gate_completion (tenant_id, near_miss_id)`);

    await queryRunner.query(`
      CREATE TABLE reporter_feedback (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL,
        near_miss_id uuid NOT NULL REFERENCES near_miss (id),
        at timestamptz NOT NULL,
        kind text NOT NULL CHECK (kind IN ('ACKNOWLEDGED', 'TRIAGED', 'CLOSED', 'REOPENED', 'MANUAL')),
        message text NOT NULL,
        sent_by text
      )`);
    await queryRunner.query(
      `CREATE INDEX "IDX_reporter_feedback_near_miss" ON reporter_feedback (tenant_id, near_miss_id, at)`,
    );

    // Per-provider settings; a missing row means the defaults.
    await queryRunner.query(`
      CREATE TABLE tenant_settings (
        tenant_id text PRIMARY KEY,
        same_day_triage_hours integer NOT NULL DEFAULT 4 CHECK (same_day_triage_hours BETWEEN 1 AND 24),
        standard_triage_hours integer NOT NULL DEFAULT 24 CHECK (standard_triage_hours BETWEEN 1 AND 72),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['tenant_settings', 'reporter_feedback', 'gate_completion', 'near_miss_triage'])
      await queryRunner.query(`DROP TABLE ${table}`);
    await queryRunner.query(`DROP INDEX "IDX_near_miss_triage_queue"`);
    await queryRunner.query(`
      ALTER TABLE near_miss DROP COLUMN acknowledged_at, DROP COLUMN acknowledged_by, DROP COLUMN closed_at, DROP COLUMN closed_by,
        DROP COLUMN outcome, DROP COLUMN reopened_at, DROP COLUMN reopen_reason, DROP COLUMN reopen_count`);
  }
}

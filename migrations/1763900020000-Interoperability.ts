import type { MigrationInterface, QueryRunner } from 'typeorm';

const analyticsColumns = (withReclassification: boolean) =>
  `id, service_id, category, status, workflow_stage, setting, potential_harm, prevention_reliability, contributing_factors,
   reported_at, triage_due_at, reopen_count, minutes_after_shift_start, minutes_before_shift_end, time_critical_medicine,
   care_plan_review_overdue, staff_employment${withReclassification ? ', reclassified_at' : ''}`;

/**
 * Interoperability (#20): the NCC MERP category a medication report was
 * given when it was made, and the reclassification of a near miss that
 * reached the person after all (reclassifyAsIncident). Reports made before
 * this migration get their NCC MERP category from the medication plugin's
 * rule (errorReached). Trends leave reclassified reports out, so the
 * covering analytics index carries reclassified_at; governance counts
 * reclassifications by a partial index. Idempotent.
 */
export class Interoperability1763900020000 implements MigrationInterface {
  name = 'Interoperability1763900020000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE near_miss
        ADD COLUMN IF NOT EXISTS ncc_merp text,
        ADD COLUMN IF NOT EXISTS reclassified_at timestamptz,
        ADD COLUMN IF NOT EXISTS reclassified_by text,
        ADD COLUMN IF NOT EXISTS reclassified_harm text,
        ADD COLUMN IF NOT EXISTS reclassification_reason text`);
    await queryRunner.query(`ALTER TABLE near_miss DROP CONSTRAINT IF EXISTS "CHK_near_miss_ncc_merp"`);
    await queryRunner.query(
      `ALTER TABLE near_miss ADD CONSTRAINT "CHK_near_miss_ncc_merp" CHECK (ncc_merp IN ('A', 'B'))`,
    );
    await queryRunner.query(`ALTER TABLE near_miss DROP CONSTRAINT IF EXISTS "CHK_near_miss_reclassification"`);
    await queryRunner.query(`
      ALTER TABLE near_miss ADD CONSTRAINT "CHK_near_miss_reclassification" CHECK (
        (reclassified_at IS NULL AND reclassified_by IS NULL AND reclassified_harm IS NULL
          AND reclassification_reason IS NULL)
        OR (reclassified_at IS NOT NULL AND reclassified_by IS NOT NULL AND reclassification_reason IS NOT NULL
          AND reclassified_harm IN ('NO_HARM', 'LOW', 'MODERATE', 'SEVERE', 'DEATH')))`);
    await queryRunner.query(`
      UPDATE near_miss
         SET ncc_merp = CASE WHEN details->>'errorReached' = 'CAPACITY_TO_CAUSE_ERROR' THEN 'A' ELSE 'B' END
       WHERE category = 'medication' AND ncc_merp IS NULL`);
    await queryRunner.query(`DROP INDEX IF EXISTS "IDX_near_miss_analytics"`);
    await queryRunner.query(
      `CREATE INDEX "IDX_near_miss_analytics" ON near_miss (tenant_id, occurred_at) INCLUDE (${analyticsColumns(true)})`,
    );
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "IDX_near_miss_reclassified" ON near_miss (tenant_id, reclassified_at) WHERE reclassified_at IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_near_miss_reclassified"`);
    await queryRunner.query(`DROP INDEX "IDX_near_miss_analytics"`);
    await queryRunner.query(
      `CREATE INDEX "IDX_near_miss_analytics" ON near_miss (tenant_id, occurred_at) INCLUDE (${analyticsColumns(false)})`,
    );
    await queryRunner.query(`ALTER TABLE near_miss DROP CONSTRAINT IF EXISTS "CHK_near_miss_reclassification"`);
    await queryRunner.query(`ALTER TABLE near_miss DROP CONSTRAINT IF EXISTS "CHK_near_miss_ncc_merp"`);
    await queryRunner.query(`
      ALTER TABLE near_miss
        DROP COLUMN ncc_merp,
        DROP COLUMN reclassified_at,
        DROP COLUMN reclassified_by,
        DROP COLUMN reclassified_harm,
        DROP COLUMN reclassification_reason`);
  }
}

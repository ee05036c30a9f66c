import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How a reporter is known (ReporterIdentity): NAMED, CONFIDENTIAL (stored,
 * shown only to triage leads, the category's restricted roles and managers)
 * or ANONYMOUS (no identity stored: `reported_by` is NULL, and the report is
 * followed with a receipt code of which only a keyed hash is kept).
 *
 * The checks keep the three consistent: an anonymous report has no reporter
 * and has a receipt hash; every other report has a reporter and no receipt.
 */
export class ReporterIdentity1763900014000 implements MigrationInterface {
  name = 'ReporterIdentity1763900014000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE near_miss ADD COLUMN IF NOT EXISTS reporter_identity text NOT NULL DEFAULT 'NAMED'
         CONSTRAINT near_miss_reporter_identity_known CHECK (reporter_identity IN ('NAMED', 'CONFIDENTIAL', 'ANONYMOUS'))`,
    );
    await queryRunner.query(`ALTER TABLE near_miss ADD COLUMN IF NOT EXISTS receipt_hash text`);
    await queryRunner.query(`ALTER TABLE near_miss ALTER COLUMN reported_by DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE near_miss DROP CONSTRAINT IF EXISTS near_miss_anonymous_unlinked`);
    await queryRunner.query(
      `ALTER TABLE near_miss ADD CONSTRAINT near_miss_anonymous_unlinked CHECK (
         (reporter_identity = 'ANONYMOUS') = (reported_by IS NULL)
         AND (reporter_identity = 'ANONYMOUS') = (receipt_hash IS NOT NULL))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX IF NOT EXISTS "IDX_near_miss_tenant_receipt" ON near_miss (tenant_id, receipt_hash)
         WHERE receipt_hash IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Anonymous reports have no reporter to restore; they cannot survive the older schema's NOT NULL.
    await queryRunner.query(`DROP INDEX IF EXISTS "IDX_near_miss_tenant_receipt"`);
    await queryRunner.query(`ALTER TABLE near_miss DROP CONSTRAINT IF EXISTS near_miss_anonymous_unlinked`);
    await queryRunner.query(`ALTER TABLE near_miss ALTER COLUMN reported_by SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE near_miss DROP COLUMN IF EXISTS receipt_hash`);
    await queryRunner.query(`ALTER TABLE near_miss DROP COLUMN IF EXISTS reporter_identity`);
  }
}

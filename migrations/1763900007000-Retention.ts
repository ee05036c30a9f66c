import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Retention1763900007000 implements MigrationInterface {
  name = 'Retention1763900007000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // How long free text of closed near misses is kept (default eight years, a common care-record period).
    await queryRunner.query(
      `ALTER TABLE tenant_settings ADD COLUMN retention_months integer NOT NULL DEFAULT 96 CHECK (retention_months BETWEEN 12 AND 600)`,
    );
    await queryRunner.query(`ALTER TABLE near_miss ADD COLUMN erased_at timestamptz`);
    await queryRunner.query(
      `CREATE INDEX "IDX_near_miss_retention" ON near_miss (tenant_id, closed_at) WHERE status = 'CLOSED' AND erased_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_near_miss_retention"`);
    await queryRunner.query(`ALTER TABLE near_miss DROP COLUMN erased_at`);
    await queryRunner.query(`ALTER TABLE tenant_settings DROP COLUMN retention_months`);
  }
}

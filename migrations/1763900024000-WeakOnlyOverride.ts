import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A near miss with severe potential harm, a repeat risk review or an action
 * found not effective cannot close on weaker actions alone; a manager may
 * override, giving a reason that is kept on the near miss and counted in the
 * governance summary. Idempotent.
 */
export class WeakOnlyOverride1763900024000 implements MigrationInterface {
  name = 'WeakOnlyOverride1763900024000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE near_miss ADD COLUMN IF NOT EXISTS weak_only_override_reason text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE near_miss DROP COLUMN weak_only_override_reason`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A corrective action's target becomes measurable: at most this many near
 * misses of the kind it answers for (its recurrence scope, in its services)
 * during its monitoring window after completion, compared with the same window
 * before. The free-text target stays as its wording. Idempotent.
 */
export class ActionTarget1763900025000 implements MigrationInterface {
  name = 'ActionTarget1763900025000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE corrective_action ADD COLUMN IF NOT EXISTS target_max_recurrences integer NOT NULL DEFAULT 0
         CHECK (target_max_recurrences >= 0)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE corrective_action DROP COLUMN target_max_recurrences`);
  }
}

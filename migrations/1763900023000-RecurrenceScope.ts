import type { MigrationInterface, QueryRunner } from 'typeorm';
import { builtInCategories } from '../plugins';
import { kindKey } from '../subgraph/patterns/similarity-key';

/**
 * A corrective action declares what it answers for (recurrence_scope):
 * SAME_PERSON, the category's similarity as before, or SAME_KIND_IN_SERVICES,
 * the same kind of near miss to anyone in its services. Near misses carry
 * their kind key for that lookup; existing ones of the built-in categories
 * are keyed here (a provider's own categories get theirs when reported or
 * amended). Idempotent.
 */
export class RecurrenceScope1763900023000 implements MigrationInterface {
  name = 'RecurrenceScope1763900023000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE corrective_action ADD COLUMN IF NOT EXISTS recurrence_scope text NOT NULL DEFAULT 'SAME_PERSON'
         CHECK (recurrence_scope IN ('SAME_PERSON', 'SAME_KIND_IN_SERVICES'))`,
    );
    await queryRunner.query(`ALTER TABLE near_miss ADD COLUMN IF NOT EXISTS kind_key text`);
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "IDX_near_miss_kind" ON near_miss (tenant_id, category, kind_key) WHERE kind_key IS NOT NULL`,
    );
    for (const category of builtInCategories) {
      for (;;) {
        const rows = (await queryRunner.query(
          `SELECT id, service_id, details FROM near_miss WHERE category = $1 AND kind_key IS NULL AND erased_at IS NULL
            ORDER BY id LIMIT 1000`,
          [category.key],
        )) as { id: string; service_id: string; details: Record<string, unknown> }[];
        const keyed = rows.map((row) => ({
          id: row.id,
          key: kindKey(category, {
            category: category.key,
            serviceId: row.service_id,
            setting: 'HOME_VISIT',
            potentialHarm: 'NONE',
            preventionReliability: 'CHANCE',
            contributingFactors: [],
            occurredAt: new Date(0),
            details: row.details,
          }),
        }));
        // A report without its kind fields gets '' so the batch moves on; '' matches nothing.
        if (!keyed.length) break;
        await queryRunner.query(
          `UPDATE near_miss n SET kind_key = k.key FROM unnest($1::uuid[], $2::text[]) AS k (id, key) WHERE n.id = k.id`,
          [keyed.map((row) => row.id), keyed.map((row) => row.key ?? '')],
        );
      }
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_near_miss_kind"`);
    await queryRunner.query(`ALTER TABLE near_miss DROP COLUMN kind_key`);
    await queryRunner.query(`ALTER TABLE corrective_action DROP COLUMN recurrence_scope`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

const analyticsColumns = (withTriageDue: boolean) =>
  `id, service_id, category, status, workflow_stage, setting, potential_harm, prevention_reliability, contributing_factors,
   reported_at, ${withTriageDue ? 'triage_due_at, ' : ''}reopen_count, minutes_after_shift_start, minutes_before_shift_end, time_critical_medicine,
   care_plan_review_overdue, staff_employment`;

/**
 * Indexes chosen with EXPLAIN at a million near misses (npm run bench:analytics):
 * signal health reads triage due times from the covering index too; the
 * repeat trigger reads uncounted occurrences from a partial index and finds a
 * review's rows by primary key; governance counts reopened items by index.
 */
export class PatternIndexes1763900006000 implements MigrationInterface {
  name = 'PatternIndexes1763900006000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_near_miss_analytics"`);
    await queryRunner.query(
      `CREATE INDEX "IDX_near_miss_analytics" ON near_miss (tenant_id, occurred_at) INCLUDE (${analyticsColumns(true)})`,
    );

    await queryRunner.query(`ALTER TABLE near_miss_similarity DROP CONSTRAINT near_miss_similarity_pkey`);
    await queryRunner.query(
      `ALTER TABLE near_miss_similarity ADD PRIMARY KEY (tenant_id, similarity_key, near_miss_id)`,
    );
    await queryRunner.query(`DROP INDEX "IDX_near_miss_similarity_near_miss"`);
    // The trigger reads only occurrences no review has counted yet: a small partial index, whatever the history.
    await queryRunner.query(`
      CREATE INDEX "IDX_near_miss_similarity_uncounted" ON near_miss_similarity (tenant_id, similarity_key, occurred_at) INCLUDE (near_miss_id)
      WHERE review_id IS NULL`);

    await queryRunner.query(
      `CREATE INDEX "IDX_near_miss_reopened" ON near_miss (tenant_id, reopened_at) WHERE reopened_at IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_near_miss_reopened"`);
    await queryRunner.query(`DROP INDEX "IDX_near_miss_similarity_uncounted"`);
    await queryRunner.query(
      `CREATE INDEX "IDX_near_miss_similarity_near_miss" ON near_miss_similarity (tenant_id, near_miss_id)`,
    );
    await queryRunner.query(`ALTER TABLE near_miss_similarity DROP CONSTRAINT near_miss_similarity_pkey`);
    await queryRunner.query(
      `ALTER TABLE near_miss_similarity ADD PRIMARY KEY (tenant_id, similarity_key, occurred_at, near_miss_id)`,
    );
    await queryRunner.query(`DROP INDEX "IDX_near_miss_analytics"`);
    await queryRunner.query(
      `CREATE INDEX "IDX_near_miss_analytics" ON near_miss (tenant_id, occurred_at) INCLUDE (${analyticsColumns(false)})`,
    );
  }
}

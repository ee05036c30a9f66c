import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SimilarityKey1763900004500 implements MigrationInterface {
  name = 'SimilarityKey1763900004500';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The category plugin's similarity fields, hashed at report time (subgraph/patterns/similarity-key.ts).
    await queryRunner.query(`ALTER TABLE near_miss ADD COLUMN similarity_key text`);
    await queryRunner.query(
      `CREATE INDEX "IDX_near_miss_similarity" ON near_miss (tenant_id, category, similarity_key, occurred_at) WHERE similarity_key IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_near_miss_similarity"`);
    await queryRunner.query(`ALTER TABLE near_miss DROP COLUMN similarity_key`);
  }
}

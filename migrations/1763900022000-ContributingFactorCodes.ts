import type { MigrationInterface, QueryRunner } from 'typeorm';
import { codeFactors, shippedFactors } from '../subgraph/contributing-factors/factor-coding';
import { disableTenantIsolation, enableTenantIsolation } from './tenant-isolation';

/**
 * Contributing factors become codes of a taxonomy (shipped in
 * subgraph/contributing-factors/taxonomy.ts; providers add their own to
 * contributing_factor). Each near miss keeps its free text and gains
 * contributing_factor_codes: existing text is mapped where it matches a
 * shipped factor's label or phrase, and coded OTHER, kept as written, where it
 * does not. Idempotent: it codes only rows not coded yet.
 */
export class ContributingFactorCodes1763900022000 implements MigrationInterface {
  name = 'ContributingFactorCodes1763900022000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS contributing_factor (
        tenant_id text NOT NULL,
        code text NOT NULL,
        parent_code text,
        label text NOT NULL,
        added_at timestamptz NOT NULL DEFAULT now(),
        added_by text NOT NULL,
        PRIMARY KEY (tenant_id, code)
      )`);
    await enableTenantIsolation(queryRunner, 'contributing_factor', ['SELECT', 'INSERT']);
    await queryRunner.query(
      `ALTER TABLE near_miss ADD COLUMN IF NOT EXISTS contributing_factor_codes text[] NOT NULL DEFAULT '{}'`,
    );
    const texts = (await queryRunner.query(
      `SELECT DISTINCT factor FROM near_miss, unnest(contributing_factors) AS factor
        WHERE contributing_factor_codes = '{}' AND contributing_factors <> '{}'`,
    )) as { factor: string }[];
    if (!texts.length) return;
    const mapping = texts.map(({ factor }) => [factor, codeFactors([factor], shippedFactors).codes[0]] as const);
    // Codes in the order the texts were written, each once.
    await queryRunner.query(
      `WITH mapping (factor, code) AS (SELECT * FROM unnest($1::text[], $2::text[]))
       UPDATE near_miss n SET contributing_factor_codes = coded.codes
         FROM (SELECT n2.id, array_agg(m.code ORDER BY first_at) AS codes
                 FROM near_miss n2,
                      LATERAL (SELECT m.code, min(t.ordinality) AS first_at
                                 FROM unnest(n2.contributing_factors) WITH ORDINALITY AS t (factor, ordinality)
                                 JOIN mapping m ON m.factor = t.factor
                                GROUP BY m.code) AS m
                WHERE n2.contributing_factor_codes = '{}' AND n2.contributing_factors <> '{}'
                GROUP BY n2.id) AS coded
        WHERE n.id = coded.id`,
      [mapping.map(([factor]) => factor), mapping.map(([, code]) => code ?? null)],
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE near_miss DROP COLUMN contributing_factor_codes`);
    await disableTenantIsolation(queryRunner, 'contributing_factor');
    await queryRunner.query(`DROP TABLE contributing_factor`);
  }
}

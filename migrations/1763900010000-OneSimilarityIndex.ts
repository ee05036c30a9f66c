import type { MigrationInterface, QueryRunner } from 'typeorm';
import { RepeatScan1763900009000 } from './1763900009000-RepeatScan';
import { applicationRole } from './tenant-isolation';

const scanSignature = 'repeat_trigger_scan(text, uuid, timestamptz, text[], bigint[], text, integer)';
const readSignature = 'repeat_trigger_read(text, uuid, timestamptz, text[], text, integer)';

/**
 * The repeat trigger's similarity rows keep one index instead of two: the
 * primary key becomes (tenant, key, occurred_at, near miss) and carries the
 * review that counted the row, so the trigger's range scan reads occurrences
 * and whether they were counted from it, and a report writes one index entry
 * per key instead of two. Rows a review counted stay in the range the scan reads,
 * but only within the rule's window, so the scan stays bounded.
 *
 * The rows lose their deferred foreign key to near_miss: they are written in
 * the same statement as the near miss they name, and near misses are never
 * deleted (erasure redacts a report and keeps its row), while the key cost
 * every report one check per row at commit. (SimilarityKeyLocks restores it.)
 *
 * repeat_trigger_scan goes: the trigger's steps now ride on the report's own
 * statements (subgraph/patterns/repeat-trigger.ts). What remains of it is
 * repeat_trigger_read, the reads alone (no writes, no locks: the caller took
 * them in an earlier statement, so this statement's snapshot sees every
 * report that held them before). It is a function so that the rule's window
 * is a plain parameter of its cached plans and bounds the index range scan:
 * in one SQL statement the window comes from a subquery, and PostgreSQL's
 * generic plans then apply it as a filter after reading the key's whole
 * history.
 */
export class OneSimilarityIndex1763900010000 implements MigrationInterface {
  name = 'OneSimilarityIndex1763900010000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_near_miss_similarity_uncounted"`);
    await queryRunner.query(`ALTER TABLE near_miss_similarity DROP CONSTRAINT near_miss_similarity_pkey`);
    await queryRunner.query(
      `ALTER TABLE near_miss_similarity ADD PRIMARY KEY (tenant_id, similarity_key, occurred_at, near_miss_id) INCLUDE (review_id)`,
    );
    await queryRunner.query(`ALTER TABLE near_miss_similarity DROP CONSTRAINT near_miss_similarity_near_miss_id_fkey`);
    await queryRunner.query(`DROP FUNCTION ${scanSignature}`);
    await queryRunner.query(`
      CREATE FUNCTION repeat_trigger_read(p_tenant text, p_near_miss uuid, p_occurred_at timestamptz, p_keys text[], p_category text, p_default_window_days integer)
      RETURNS TABLE (
        row_kind text, key_hash text, member_id uuid, member_occurred_at timestamptz, open_review_id uuid,
        rule_threshold integer, rule_window_days integer, rule_review_due_days integer, rule_enabled boolean
      ) LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
      DECLARE
        width interval;
      BEGIN
        SELECT r.threshold, r.window_days, r.review_due_days, r.enabled
          INTO rule_threshold, rule_window_days, rule_review_due_days, rule_enabled
          FROM repeat_trigger_rule r
         WHERE r.tenant_id = p_tenant AND r.category IN (p_category, '*') ORDER BY r.category = '*' LIMIT 1;
        row_kind := 'rule';
        RETURN NEXT;
        IF rule_enabled IS FALSE THEN RETURN; END IF;
        width := make_interval(days => coalesce(rule_window_days, p_default_window_days));
        RETURN QUERY
          SELECT 'occurrence', s.similarity_key, s.near_miss_id, s.occurred_at, NULL::uuid, NULL::integer, NULL::integer, NULL::integer, NULL::boolean
            FROM near_miss_similarity s
           WHERE s.tenant_id = p_tenant AND s.similarity_key = ANY (p_keys) AND s.occurred_at BETWEEN p_occurred_at - width AND p_occurred_at + width
             AND s.review_id IS NULL AND s.near_miss_id <> p_near_miss
          UNION ALL
          SELECT 'open', k.similarity_key, NULL::uuid, NULL::timestamptz, k.review_id, NULL::integer, NULL::integer, NULL::integer, NULL::boolean
            FROM risk_review_key k
           WHERE k.tenant_id = p_tenant AND k.similarity_key = ANY (p_keys) AND k.open;
      END
      $$`);
    await queryRunner.query(`GRANT EXECUTE ON FUNCTION ${readSignature} TO ${applicationRole}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION ${readSignature}`);
    await new RepeatScan1763900009000().up(queryRunner);
    await queryRunner.query(`GRANT EXECUTE ON FUNCTION ${scanSignature} TO ${applicationRole}`);
    await queryRunner.query(
      `ALTER TABLE near_miss_similarity ADD CONSTRAINT near_miss_similarity_near_miss_id_fkey FOREIGN KEY (near_miss_id) REFERENCES near_miss (id) DEFERRABLE INITIALLY DEFERRED`,
    );
    await queryRunner.query(`ALTER TABLE near_miss_similarity DROP CONSTRAINT near_miss_similarity_pkey`);
    await queryRunner.query(
      `ALTER TABLE near_miss_similarity ADD PRIMARY KEY (tenant_id, similarity_key, near_miss_id)`,
    );
    await queryRunner.query(`
      CREATE INDEX "IDX_near_miss_similarity_uncounted" ON near_miss_similarity (tenant_id, similarity_key, occurred_at) INCLUDE (near_miss_id)
      WHERE review_id IS NULL`);
  }
}

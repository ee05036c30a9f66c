import type { MigrationInterface, QueryRunner } from 'typeorm';

const signature = 'repeat_trigger_scan(text, uuid, timestamptz, text[], bigint[], text, integer)';

const definition = (body: string, options: string) => `
  CREATE OR REPLACE FUNCTION repeat_trigger_scan(
    p_tenant text, p_near_miss uuid, p_occurred_at timestamptz, p_keys text[], p_locks bigint[], p_category text, p_default_window_days integer
  ) RETURNS TABLE (
    row_kind text, key_hash text, member_id uuid, member_occurred_at timestamptz, open_review_id uuid,
    rule_threshold integer, rule_window_days integer, rule_review_due_days integer, rule_enabled boolean
  ) LANGUAGE plpgsql VOLATILE ${options} AS $$
  ${body}
  $$`;

/**
 * The repeat trigger's scan, cheaper per report: its statements keep one generic plan instead of
 * being planned again on every call, the rule comes back without a query of
 * its own, and occurrences and open reviews come from one query. Same
 * signature, same rows, same locks and snapshots as the Patterns migration's.
 */
export class RepeatScan1763900009000 implements MigrationInterface {
  name = 'RepeatScan1763900009000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      definition(
        `DECLARE
          width interval;
        BEGIN
          INSERT INTO near_miss_similarity (tenant_id, similarity_key, occurred_at, near_miss_id)
          SELECT p_tenant, key, p_occurred_at, p_near_miss FROM unnest(p_keys) AS key;
          PERFORM pg_advisory_xact_lock(lock_id) FROM unnest(p_locks) AS lock_id ORDER BY lock_id;
          -- Read after the locks: a VOLATILE function takes a fresh snapshot per statement.
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
        END`,
        // The plans depend on no parameter value (index range scans on tenant and key): plan once per connection.
        'SET plan_cache_mode = force_generic_plan',
      ),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER FUNCTION ${signature} RESET plan_cache_mode`);
    await queryRunner.query(
      definition(
        `DECLARE
          rule record;
          width interval;
        BEGIN
          INSERT INTO near_miss_similarity (tenant_id, similarity_key, occurred_at, near_miss_id)
          SELECT p_tenant, key, p_occurred_at, p_near_miss FROM unnest(p_keys) AS key;
          PERFORM pg_advisory_xact_lock(lock_id) FROM unnest(p_locks) AS lock_id ORDER BY lock_id;
          SELECT r.threshold, r.window_days, r.review_due_days, r.enabled INTO rule FROM repeat_trigger_rule r
           WHERE r.tenant_id = p_tenant AND r.category IN (p_category, '*') ORDER BY r.category = '*' LIMIT 1;
          RETURN QUERY SELECT 'rule', NULL::text, NULL::uuid, NULL::timestamptz, NULL::uuid, rule.threshold, rule.window_days, rule.review_due_days, rule.enabled;
          IF rule.enabled IS FALSE THEN RETURN; END IF;
          width := make_interval(days => coalesce(rule.window_days, p_default_window_days));
          RETURN QUERY SELECT 'occurrence', s.similarity_key, s.near_miss_id, s.occurred_at, NULL::uuid, NULL::integer, NULL::integer, NULL::integer, NULL::boolean
            FROM near_miss_similarity s
           WHERE s.tenant_id = p_tenant AND s.similarity_key = ANY (p_keys) AND s.occurred_at BETWEEN p_occurred_at - width AND p_occurred_at + width
             AND s.review_id IS NULL AND s.near_miss_id <> p_near_miss;
          RETURN QUERY SELECT 'open', k.similarity_key, NULL::uuid, NULL::timestamptz, k.review_id, NULL::integer, NULL::integer, NULL::integer, NULL::boolean
            FROM risk_review_key k WHERE k.tenant_id = p_tenant AND k.similarity_key = ANY (p_keys) AND k.open;
        END`,
        '',
      ),
    );
  }
}

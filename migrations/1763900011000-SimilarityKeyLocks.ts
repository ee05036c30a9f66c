import type { MigrationInterface, QueryRunner } from 'typeorm';
import { applicationRole } from './tenant-isolation';

/**
 * The repeat trigger's key locks become one database function that every
 * path locking similarity keys calls (a report, concluding a risk review),
 * so the lock's definition has one owner. It takes a transaction-scoped
 * advisory lock per distinct key of the tenant, in ascending order of lock
 * id, so that two transactions sharing keys never deadlock. Two keys that
 * happen to hash alike only wait for each other.
 *
 * repeat_trigger_read, which nothing calls, goes; the similarity rows get
 * their foreign key to near_miss back (deferred: a report writes its near
 * miss and its similarity rows in one statement).
 */
export class SimilarityKeyLocks1763900011000 implements MigrationInterface {
  name = 'SimilarityKeyLocks1763900011000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION repeat_trigger_read(text, uuid, timestamptz, text[], text, integer)`);
    await queryRunner.query(
      `ALTER TABLE near_miss_similarity ADD CONSTRAINT near_miss_similarity_near_miss_id_fkey
         FOREIGN KEY (near_miss_id) REFERENCES near_miss (id) DEFERRABLE INITIALLY DEFERRED`,
    );
    await queryRunner.query(`
      CREATE FUNCTION lock_similarity_keys(p_tenant text, p_keys text[]) RETURNS integer
      LANGUAGE sql VOLATILE AS $$
        SELECT count(pg_advisory_xact_lock(lock_id))::integer
          FROM (SELECT DISTINCT hashtextextended(key, hashtext(p_tenant)) AS lock_id
                  FROM unnest(p_keys) AS key ORDER BY 1) AS ordered
      $$`);
    await queryRunner.query(`GRANT EXECUTE ON FUNCTION lock_similarity_keys(text, text[]) TO ${applicationRole}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION lock_similarity_keys(text, text[])`);
    await queryRunner.query(`ALTER TABLE near_miss_similarity DROP CONSTRAINT near_miss_similarity_near_miss_id_fkey`);
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
           WHERE s.tenant_id = p_tenant AND s.similarity_key = ANY (p_keys)
             AND s.occurred_at BETWEEN p_occurred_at - width AND p_occurred_at + width
             AND s.review_id IS NULL AND s.near_miss_id <> p_near_miss
          UNION ALL
          SELECT 'open', k.similarity_key, NULL::uuid, NULL::timestamptz, k.review_id, NULL::integer, NULL::integer, NULL::integer, NULL::boolean
            FROM risk_review_key k
           WHERE k.tenant_id = p_tenant AND k.similarity_key = ANY (p_keys) AND k.open;
      END
      $$`);
    await queryRunner.query(
      `GRANT EXECUTE ON FUNCTION repeat_trigger_read(text, uuid, timestamptz, text[], text, integer) TO ${applicationRole}`,
    );
  }
}

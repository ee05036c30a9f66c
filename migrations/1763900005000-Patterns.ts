import type { MigrationInterface, QueryRunner } from 'typeorm';
import { applicationRole, disableTenantIsolation, enableTenantIsolation } from './tenant-isolation';

const tenantTables = [
  'near_miss_similarity',
  'risk_review',
  'risk_review_key',
  'risk_review_near_miss',
  'risk_review_action',
  'repeat_trigger_rule',
  'service_manager',
  'analytics_settings',
];

/**
 * Patterns and governance intelligence: the workflow context a report carries,
 * the repeat trigger's similarity index, risk reviews, per-provider trigger
 * rules and the covering index the analytics queries read.
 */
export class Patterns1763900005000 implements MigrationInterface {
  name = 'Patterns1763900005000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The host's rota, MAR and care plan as the reporter's app saw them, plus
    // the figures derived from them at report time (what was known then).
    await queryRunner.query(`
      ALTER TABLE near_miss
        ADD COLUMN workflow_context jsonb,
        ADD COLUMN minutes_after_shift_start integer,
        ADD COLUMN minutes_before_shift_end integer,
        ADD COLUMN minutes_after_scheduled integer,
        ADD COLUMN time_critical_medicine boolean NOT NULL DEFAULT false,
        ADD COLUMN care_plan_review_overdue boolean,
        ADD COLUMN staff_employment text CHECK (staff_employment IN ('PERMANENT', 'AGENCY', 'BANK'))`);
    // Aggregates over one tenant and a time range read only this index (index-only scans).
    await queryRunner.query(`
      CREATE INDEX "IDX_near_miss_analytics" ON near_miss (tenant_id, occurred_at)
      INCLUDE (id, service_id, category, status, workflow_stage, setting, potential_harm, prevention_reliability, contributing_factors,
               reported_at, reopen_count, minutes_after_shift_start, minutes_before_shift_end, time_critical_medicine,
               care_plan_review_overdue, staff_employment)`);

    // One row per (near miss, similarity key): the repeat trigger is an index range scan.
    await queryRunner.query(`
      CREATE TABLE near_miss_similarity (
        tenant_id text NOT NULL,
        similarity_key text NOT NULL,
        occurred_at timestamptz NOT NULL,
        near_miss_id uuid NOT NULL REFERENCES near_miss (id) DEFERRABLE INITIALLY DEFERRED,
        review_id uuid,
        PRIMARY KEY (tenant_id, similarity_key, occurred_at, near_miss_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX "IDX_near_miss_similarity_near_miss" ON near_miss_similarity (tenant_id, near_miss_id)`,
    );

    await queryRunner.query(`
      CREATE TABLE risk_review (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL,
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'CONCLUDED')),
        reason text NOT NULL,
        category text NOT NULL,
        service_id text NOT NULL,
        basis text NOT NULL CHECK (basis IN ('CATEGORY_SIMILARITY', 'WORKFLOW_STAGE', 'CONTRIBUTING_FACTOR')),
        threshold integer NOT NULL,
        window_days integer NOT NULL,
        opened_at timestamptz NOT NULL,
        opened_by_near_miss_id uuid NOT NULL REFERENCES near_miss (id) DEFERRABLE INITIALLY DEFERRED,
        due_by timestamptz NOT NULL,
        assigned_to text,
        conclusion text,
        causes text[] NOT NULL DEFAULT '{}',
        concluded_at timestamptz,
        concluded_by text,
        version integer NOT NULL DEFAULT 1
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_risk_review_status" ON risk_review (tenant_id, status, due_by)`);
    await queryRunner.query(`CREATE INDEX "IDX_risk_review_opened" ON risk_review (tenant_id, opened_at)`);

    // The keys a review stands for; at most one open review per key, whatever the race.
    await queryRunner.query(`
      CREATE TABLE risk_review_key (
        tenant_id text NOT NULL,
        review_id uuid NOT NULL REFERENCES risk_review (id),
        similarity_key text NOT NULL,
        open boolean NOT NULL,
        PRIMARY KEY (review_id, similarity_key)
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_risk_review_key_open" ON risk_review_key (tenant_id, similarity_key) WHERE open`,
    );

    await queryRunner.query(`
      CREATE TABLE risk_review_near_miss (
        tenant_id text NOT NULL,
        review_id uuid NOT NULL REFERENCES risk_review (id),
        near_miss_id uuid NOT NULL REFERENCES near_miss (id) DEFERRABLE INITIALLY DEFERRED,
        joined_at timestamptz NOT NULL,
        PRIMARY KEY (review_id, near_miss_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX "IDX_risk_review_near_miss_near_miss" ON risk_review_near_miss (tenant_id, near_miss_id)`,
    );

    await queryRunner.query(`
      CREATE TABLE risk_review_action (
        tenant_id text NOT NULL,
        review_id uuid NOT NULL REFERENCES risk_review (id),
        action_id uuid NOT NULL REFERENCES corrective_action (id),
        PRIMARY KEY (review_id, action_id)
      )`);

    // Per provider and category ('*' = every category); no row means 3 in 14 days.
    await queryRunner.query(`
      CREATE TABLE repeat_trigger_rule (
        tenant_id text NOT NULL,
        category text NOT NULL,
        threshold integer NOT NULL CHECK (threshold BETWEEN 2 AND 50),
        window_days integer NOT NULL CHECK (window_days BETWEEN 1 AND 365),
        review_due_days integer NOT NULL CHECK (review_due_days BETWEEN 1 AND 90),
        enabled boolean NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text,
        PRIMARY KEY (tenant_id, category)
      )`);

    // Who manages each service: risk reviews are assigned to them.
    await queryRunner.query(`
      CREATE TABLE service_manager (
        tenant_id text NOT NULL,
        service_id text NOT NULL,
        staff_id text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text,
        PRIMARY KEY (tenant_id, service_id)
      )`);

    // Local time for hour-of-day, weekday, nights and period boundaries.
    await queryRunner.query(`
      CREATE TABLE analytics_settings (
        tenant_id text PRIMARY KEY,
        time_zone text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text
      )`);

    for (const table of tenantTables) await enableTenantIsolation(queryRunner, table);

    // The repeat trigger's reads in one round trip: record the report's keys, lock them
    // (ascending), then read under the locks. A VOLATILE function takes a fresh snapshot
    // per statement, so the reads see every similar report committed before the locks.
    await queryRunner.query(`
      CREATE FUNCTION repeat_trigger_scan(
        p_tenant text, p_near_miss uuid, p_occurred_at timestamptz, p_keys text[], p_locks bigint[], p_category text, p_default_window_days integer
      ) RETURNS TABLE (
        row_kind text, key_hash text, member_id uuid, member_occurred_at timestamptz, open_review_id uuid,
        rule_threshold integer, rule_window_days integer, rule_review_due_days integer, rule_enabled boolean
      ) LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
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
      END $$`);
    await queryRunner.query(
      `GRANT EXECUTE ON FUNCTION repeat_trigger_scan(text, uuid, timestamptz, text[], bigint[], text, integer) TO ${applicationRole}`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP FUNCTION repeat_trigger_scan(text, uuid, timestamptz, text[], bigint[], text, integer)`,
    );
    for (const table of [...tenantTables].reverse()) {
      await disableTenantIsolation(queryRunner, table);
      await queryRunner.query(`DROP TABLE ${table}`);
    }
    await queryRunner.query(`DROP INDEX "IDX_near_miss_analytics"`);
    await queryRunner.query(`
      ALTER TABLE near_miss DROP COLUMN workflow_context, DROP COLUMN minutes_after_shift_start, DROP COLUMN minutes_before_shift_end,
        DROP COLUMN minutes_after_scheduled, DROP COLUMN time_critical_medicine, DROP COLUMN care_plan_review_overdue, DROP COLUMN staff_employment`);
  }
}

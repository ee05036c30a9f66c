import type { MigrationInterface, QueryRunner } from 'typeorm';

const statuses = ['REPORTED', 'ACKNOWLEDGED', 'TRIAGED', 'ACTIONS_IN_PROGRESS', 'VERIFYING', 'CLOSED', 'REOPENED'];
const settings = ['HOME_VISIT', 'SUPPORTED_LIVING', 'RESIDENTIAL', 'DAY_SERVICE', 'COMMUNITY', 'TRANSPORT', 'OTHER'];
const reliabilities = ['SYSTEM_CONTROL', 'INDIVIDUAL_VIGILANCE', 'CHANCE'];
const harms = ['NONE', 'LOW', 'MODERATE', 'SEVERE', 'CATASTROPHIC'];
const stages = [
  'PRESCRIBING_OR_PHARMACY',
  'HANDOVER',
  'SCHEDULING',
  'ALLOCATION',
  'ADMINISTRATION',
  'DOCUMENTATION',
  'ESCALATION',
  'TRANSPORT',
  'MEAL_PREPARATION',
  'ENVIRONMENT',
  'COMMUNICATION',
  'OTHER',
];
const routes = ['SAFEGUARDING_REVIEW', 'MEDICATION_SAFETY_REVIEW', 'OPERATIONAL_FIX', 'TREND_MONITORING'];
const oneOf = (values: string[]) => `(${values.map((value) => `'${value}'`).join(', ')})`;

export class Foundation1763900000000 implements MigrationInterface {
  name = 'Foundation1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE near_miss (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL,
        reference text NOT NULL,
        service_id text NOT NULL,
        category text NOT NULL,
        category_version integer NOT NULL,
        status text NOT NULL DEFAULT 'REPORTED' CHECK (status IN ${oneOf(statuses)}),
        occurred_at timestamptz NOT NULL,
        detected_at timestamptz,
        reported_at timestamptz NOT NULL DEFAULT now(),
        reported_by text NOT NULL,
        staff_involved_ids text[] NOT NULL DEFAULT '{}',
        person_id text,
        visit_id text,
        medication_record_id text,
        shift_id text,
        care_plan_id text,
        setting text NOT NULL CHECK (setting IN ${oneOf(settings)}),
        what_happened text NOT NULL,
        how_detected text NOT NULL,
        what_prevented_harm text NOT NULL,
        prevention_reliability text NOT NULL CHECK (prevention_reliability IN ${oneOf(reliabilities)}),
        immediate_actions text[] NOT NULL,
        what_made_this_possible text,
        contributing_factors text[] NOT NULL DEFAULT '{}',
        workflow_stage text CHECK (workflow_stage IN ${oneOf(stages)}),
        potential_harm text NOT NULL CHECK (potential_harm IN ${oneOf(harms)}),
        details jsonb NOT NULL,
        suggested_route text NOT NULL CHECK (suggested_route IN ${oneOf(routes)}),
        same_day boolean NOT NULL,
        suggested_notify text[] NOT NULL DEFAULT '{}',
        triage_due_at timestamptz NOT NULL,
        version integer NOT NULL DEFAULT 1,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_near_miss_reference" UNIQUE (tenant_id, reference)
      )`);
    // Keyset pagination and the filters every list uses start from tenant + time.
    await queryRunner.query(
      `CREATE INDEX "IDX_near_miss_tenant_occurred" ON near_miss (tenant_id, occurred_at DESC, id DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_near_miss_tenant_service_occurred" ON near_miss (tenant_id, service_id, occurred_at DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_near_miss_tenant_person" ON near_miss (tenant_id, person_id, occurred_at DESC) WHERE person_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_near_miss_tenant_reporter" ON near_miss (tenant_id, reported_by, occurred_at DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_near_miss_tenant_visit" ON near_miss (tenant_id, visit_id) WHERE visit_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_near_miss_tenant_medication_record" ON near_miss (tenant_id, medication_record_id) WHERE medication_record_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_near_miss_tenant_shift" ON near_miss (tenant_id, shift_id) WHERE shift_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_near_miss_tenant_care_plan" ON near_miss (tenant_id, care_plan_id) WHERE care_plan_id IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_near_miss_staff_involved" ON near_miss USING gin (staff_involved_ids)`);

    // Per-tenant, per-year reference numbers; the row lock makes them gap-free across replicas.
    await queryRunner.query(`
      CREATE TABLE reference_counter (
        tenant_id text NOT NULL,
        year integer NOT NULL,
        last_value integer NOT NULL,
        PRIMARY KEY (tenant_id, year)
      )`);

    // Idempotency keys never expire: phones retry days later.
    await queryRunner.query(`
      CREATE TABLE idempotency_key (
        tenant_id text NOT NULL,
        reporter_id text NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        near_miss_id uuid NOT NULL REFERENCES near_miss (id) DEFERRABLE INITIALLY DEFERRED,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, reporter_id, key)
      )`);

    await queryRunner.query(`
      CREATE TABLE audit_event (
        id bigserial PRIMARY KEY,
        tenant_id text NOT NULL,
        near_miss_id uuid REFERENCES near_miss (id),
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        actor text,
        action text NOT NULL,
        detail jsonb
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_audit_event_near_miss" ON audit_event (tenant_id, near_miss_id, id)`);

    // Transactional outbox: written with the change, delivered later.
    await queryRunner.query(`
      CREATE TABLE outbox_event (
        id bigserial PRIMARY KEY,
        tenant_id text NOT NULL,
        event_type text NOT NULL,
        aggregate_id uuid NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_outbox_event_tenant" ON outbox_event (tenant_id, id)`);

    await queryRunner.query(`
      CREATE TABLE tenant_category_setting (
        tenant_id text NOT NULL,
        category text NOT NULL,
        enabled boolean NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, category)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'tenant_category_setting',
      'outbox_event',
      'audit_event',
      'idempotency_key',
      'reference_counter',
      'near_miss',
    ]) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}

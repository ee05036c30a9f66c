import type { MigrationInterface, QueryRunner } from 'typeorm';
import { disableTenantIsolation, enableTenantIsolation } from './tenant-isolation';

const actionTypes = [
  'FORCING_FUNCTION',
  'REDESIGN',
  'STANDARDISATION',
  'SIMPLIFICATION',
  'CHECKLIST',
  'COGNITIVE_AID',
  'STAFFING_CHANGE',
  'SOFTWARE_PROMPT',
  'REDUNDANCY',
  'TRAINING',
  'REMINDER',
  'NEW_POLICY',
  'DOUBLE_CHECK',
  'WARNING',
];
const oneOf = (values: string[]) => `(${values.map((value) => `'${value}'`).join(', ')})`;

export class CorrectiveActions1763900004000 implements MigrationInterface {
  name = 'CorrectiveActions1763900004000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE near_miss ADD COLUMN no_action_reason text`);
    await queryRunner.query(`
      CREATE TABLE corrective_action (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL,
        title text NOT NULL,
        owner_id text NOT NULL,
        due_by timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'IN_PROGRESS', 'DONE', 'CANCELLED')),
        action_type text CHECK (action_type IN ${oneOf(actionTypes)}),
        strength text NOT NULL CHECK (strength IN ('STRONGER', 'INTERMEDIATE', 'WEAKER')),
        evidence_required text[] NOT NULL,
        evidence text[] NOT NULL DEFAULT '{}',
        target text NOT NULL,
        service_ids text[] NOT NULL,
        monitoring_days integer NOT NULL DEFAULT 42 CHECK (monitoring_days BETWEEN 1 AND 730),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        completed_by text,
        cancelled_reason text,
        effective boolean,
        effectiveness_reason text,
        reopen_count integer NOT NULL DEFAULT 0,
        version integer NOT NULL DEFAULT 1
      )`);
    await queryRunner.query(
      `CREATE INDEX "IDX_corrective_action_owner" ON corrective_action (tenant_id, owner_id, status)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_corrective_action_due" ON corrective_action (tenant_id, due_by) WHERE status IN ('OPEN', 'IN_PROGRESS')`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_corrective_action_services" ON corrective_action USING gin (service_ids)`,
    );
    await enableTenantIsolation(queryRunner, 'corrective_action');

    await queryRunner.query(`
      CREATE TABLE corrective_action_near_miss (
        tenant_id text NOT NULL,
        action_id uuid NOT NULL REFERENCES corrective_action (id),
        near_miss_id uuid NOT NULL REFERENCES near_miss (id),
        PRIMARY KEY (action_id, near_miss_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX "IDX_corrective_action_near_miss_near_miss" ON corrective_action_near_miss (tenant_id, near_miss_id)`,
    );
    await enableTenantIsolation(queryRunner, 'corrective_action_near_miss');

    await queryRunner.query(`
      CREATE TABLE verification_check (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL,
        action_id uuid NOT NULL REFERENCES corrective_action (id),
        sequence integer NOT NULL,
        method text NOT NULL CHECK (method IN ('AUDIT', 'SPOT_CHECK', 'OBSERVATION', 'RECORD_REVIEW', 'FEEDBACK')),
        due_at timestamptz NOT NULL,
        performed_at timestamptz,
        performed_by text,
        result text CHECK (result IN ('PASS', 'PARTIAL', 'FAIL')),
        evidence text[] NOT NULL DEFAULT '{}',
        notes text,
        scheduled_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX "IDX_verification_check_action" ON verification_check (tenant_id, action_id, due_at)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_verification_check_due" ON verification_check (tenant_id, due_at) WHERE performed_at IS NULL`,
    );
    await enableTenantIsolation(queryRunner, 'verification_check');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['verification_check', 'corrective_action_near_miss', 'corrective_action']) {
      await disableTenantIsolation(queryRunner, table);
      await queryRunner.query(`DROP TABLE ${table}`);
    }
    await queryRunner.query(`ALTER TABLE near_miss DROP COLUMN no_action_reason`);
  }
}

import type { QueryRunner } from 'typeorm';

/**
 * The role every request's transaction switches to (`SET LOCAL ROLE`, see
 * subgraph/database/tenant-scope.ts). It cannot log in and has no BYPASSRLS,
 * so row-level security applies to it even when the pool connects as a
 * superuser or as the tables' owner.
 */
export const applicationRole = 'near_miss_app';

/** The transaction-local setting that carries the caller's tenant. */
export const tenantSetting = 'app.tenant_id';

const policyName = 'tenant_isolation';

/** The role the webhook dispatcher's transactions switch to (see the WorkerRoles migration). */
export const dispatcherRole = 'near_miss_dispatcher';

/** The role audit verification switches to (see the WorkerRoles migration). */
export const auditorRole = 'near_miss_auditor';

/** The role the metrics' database gauges switch to (see the MonitorRole migration). */
export const monitorRole = 'near_miss_monitor';

/**
 * Creates the application role if the cluster does not have it yet, lets the
 * migrating user switch to it, and grants it the schema. Idempotent, and safe
 * when several schemas of one cluster migrate at once (tests do).
 */
export async function ensureApplicationRole(queryRunner: QueryRunner): Promise<void> {
  await ensureRole(queryRunner, applicationRole);
}

/**
 * Creates a role that cannot log in or bypass row-level security, if the
 * cluster does not have it yet, lets the migrating user switch to it, and
 * grants it the schema.
 */
export async function ensureRole(queryRunner: QueryRunner, role: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(role)) throw new Error(`ensureRole: unsafe role name ${role}`);
  await queryRunner.query(`
    DO $$
    BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN
        CREATE ROLE ${role} NOLOGIN NOSUPERUSER NOBYPASSRLS;
      END IF;
    EXCEPTION
      -- Another schema's migration created it between the check and CREATE ROLE.
      WHEN duplicate_object OR unique_violation THEN NULL;
    END $$`);
  // SET ROLE needs membership unless the migrating user is a superuser.
  await queryRunner.query(`
    DO $$
    BEGIN
      IF NOT pg_has_role(current_user, '${role}', 'MEMBER') THEN
        EXECUTE format('GRANT ${role} TO %I', current_user);
      END IF;
    END $$`);
  await queryRunner.query(
    `DO $$ BEGIN EXECUTE format('GRANT USAGE ON SCHEMA %I TO ${role}', current_schema()); END $$`,
  );
}

/**
 * Puts a tenant table under row-level security: the application role sees and
 * writes only rows whose `tenant_id` equals the transaction's `app.tenant_id`,
 * so a query that forgets `WHERE tenant_id = ...` still returns nothing from
 * another tenant. FORCE makes the table's owner subject too; superusers and
 * BYPASSRLS roles (migrations, cross-tenant maintenance) are not.
 *
 * Call it in the migration that creates a table with a `tenant_id text`
 * column, after CREATE TABLE:
 *
 * ```ts
 * await queryRunner.query(`CREATE TABLE corrective_action (id uuid PRIMARY KEY, tenant_id text NOT NULL, ...)`);
 * await enableTenantIsolation(queryRunner, 'corrective_action');
 * ```
 *
 * It also grants the application role SELECT/INSERT/UPDATE/DELETE on the table
 * and its sequences (pass `privileges` to grant less, e.g. an append-only log).
 * Idempotent. A test (tenant-isolation.int.test.ts) fails for any table with a
 * `tenant_id` column that is not isolated. Views over tenant tables should be
 * created `WITH (security_invoker = true)` so the caller's policies apply.
 */
export async function enableTenantIsolation(
  queryRunner: QueryRunner,
  table: string,
  privileges: readonly ('SELECT' | 'INSERT' | 'UPDATE' | 'DELETE')[] = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`enableTenantIsolation: unsafe table name ${table}`);
  await ensureApplicationRole(queryRunner);
  await queryRunner.query(`GRANT ${privileges.join(', ')} ON ${table} TO ${applicationRole}`);
  const sequences = (await queryRunner.query(
    `SELECT format('%I.%I', n.nspname, s.relname) AS name
       FROM pg_depend d
       JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
       JOIN pg_namespace n ON n.oid = s.relnamespace
      WHERE d.refobjid = $1::regclass AND d.deptype IN ('a', 'i')`,
    [table],
  )) as { name: string }[];
  for (const sequence of sequences)
    await queryRunner.query(`GRANT USAGE, SELECT ON SEQUENCE ${sequence.name} TO ${applicationRole}`);
  await queryRunner.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
  await queryRunner.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
  await queryRunner.query(`DROP POLICY IF EXISTS ${policyName} ON ${table}`);
  const sameTenant = `tenant_id = current_setting('${tenantSetting}', true)`;
  await queryRunner.query(`CREATE POLICY ${policyName} ON ${table} USING (${sameTenant}) WITH CHECK (${sameTenant})`);
}

/** Undoes enableTenantIsolation (for a migration's `down`). */
export async function disableTenantIsolation(queryRunner: QueryRunner, table: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`disableTenantIsolation: unsafe table name ${table}`);
  await queryRunner.query(`DROP POLICY IF EXISTS ${policyName} ON ${table}`);
  await queryRunner.query(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`);
  await queryRunner.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
  await queryRunner.query(`REVOKE ALL ON ${table} FROM ${applicationRole}`);
}

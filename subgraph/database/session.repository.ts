import type { DataSource, QueryRunner } from 'typeorm';
import {
  applicationRole,
  auditorRole,
  dispatcherRole,
  monitorRole,
  tenantSetting,
} from '../../migrations/tenant-isolation';
import type { Transaction } from './transaction';

/*
 * The statements the database layer itself sends: a request's session
 * settings, the lock that serialises migrations across replicas, the
 * readiness probe and a test schema. Hand-written: they are settings and
 * locks, not rows.
 */

// All transaction-local: the role has no BYPASSRLS, so row-level security
// limits every statement to this tenant even without a WHERE. No JIT and no
// parallel workers: every statement reads a bounded range of one tenant, in
// milliseconds, where compiling a plan or starting workers costs more than
// the query.
const setup = `SELECT set_config('${tenantSetting}', $1, true), set_config('role', $2, true),
  set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)`;
const genericPlansSetting = `set_config('plan_cache_mode', 'force_generic_plan', true)`;
// A request's time budget: PostgreSQL cancels a statement that runs longer.
const statementTimeoutSetting = `set_config('statement_timeout', $3, true)`;

/** Confines the transaction to a tenant, as the application role (and, when given, a statement timeout). */
export async function enterTenant(
  tx: Transaction,
  tenantId: string,
  genericPlans: boolean,
  statementTimeoutMs?: number,
): Promise<void> {
  const settings = [setup, ...(genericPlans ? [genericPlansSetting] : [])];
  if (statementTimeoutMs === undefined) return void (await tx.query(settings.join(', '), [tenantId, applicationRole]));
  settings.push(statementTimeoutSetting);
  await tx.query(settings.join(', '), [tenantId, applicationRole, `${statementTimeoutMs}ms`]);
}

/** Switches the transaction to the webhook dispatcher's role (every tenant's deliveries, nothing else). */
export async function enterDispatcher(tx: Transaction): Promise<void> {
  await tx.query(`SELECT set_config('role', $1, true)`, [dispatcherRole]);
}

/** Switches the transaction to the audit verifier's role (every tenant's audit chain, read only). */
export async function enterAuditor(tx: Transaction): Promise<void> {
  await tx.query(`SELECT set_config('role', $1, true)`, [auditorRole]);
}

/**
 * Lets the service's login switch to the roles its transactions use (run by
 * the schema owner after migrating, when the service has a login of its own).
 */
export async function grantServiceRoles(dataSource: DataSource, login: string): Promise<void> {
  await dataSource.query(
    `DO $$ BEGIN EXECUTE format('GRANT ${applicationRole}, ${dispatcherRole}, ${auditorRole}, ${monitorRole} TO %I', ${quoteLiteral(login)}); END $$`,
  );
  // Readiness reads which migrations ran; the schema's objects are reached through the roles above.
  await dataSource.query(
    `DO $$ BEGIN
       EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), ${quoteLiteral(login)});
       EXECUTE format('GRANT SELECT ON typeorm_migrations TO %I', ${quoteLiteral(login)});
     END $$`,
  );
}

const quoteLiteral = (value: string) => `'${value.replace(/'/g, "''")}'`;

// Any stable 64-bit number: the advisory lock that serialises migrations across replicas.
const migrationLockKey = 4_731_190_337;

export async function lockMigrations(runner: QueryRunner): Promise<void> {
  await runner.query('SELECT pg_advisory_lock($1)', [migrationLockKey]);
}

export async function unlockMigrations(runner: QueryRunner): Promise<void> {
  await runner.query('SELECT pg_advisory_unlock($1)', [migrationLockKey]);
}

/** Whether the database answers. */
export async function ping(dataSource: DataSource): Promise<void> {
  await dataSource.query('SELECT 1');
}

/** A schema of its own (tests on a shared server); the name is checked by the caller. */
export async function createSchemaIfMissing(dataSource: DataSource, schema: string): Promise<void> {
  await dataSource.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
}

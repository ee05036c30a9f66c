import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  applicationRole,
  disableTenantIsolation,
  enableTenantIsolation,
  ensureApplicationRole,
} from './tenant-isolation';

/** Tables of this schema with a `tenant_id` column. */
async function tenantTables(queryRunner: QueryRunner): Promise<string[]> {
  const rows = (await queryRunner.query(
    `SELECT c.table_name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = current_schema() AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE'
      ORDER BY c.table_name`,
  )) as { table_name: string }[];
  return rows.map((row) => row.table_name);
}

/**
 * Row-level security on every tenant table that exists at this point, and the
 * application role that requests run as. Later tenant tables call
 * enableTenantIsolation in their own migration.
 */
export class TenantIsolation1763900008000 implements MigrationInterface {
  name = 'TenantIsolation1763900008000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await ensureApplicationRole(queryRunner);
    // Tables without tenant_id (none yet) are readable; sequences back bigserial ids.
    await queryRunner.query(
      `DO $$ BEGIN EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO ${applicationRole}', current_schema()); END $$`,
    );
    await queryRunner.query(
      `DO $$ BEGIN EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO ${applicationRole}', current_schema()); END $$`,
    );
    // Tables and sequences that later migrations create get the same grants.
    await queryRunner.query(
      `DO $$ BEGIN EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${applicationRole}', current_schema()); END $$`,
    );
    await queryRunner.query(
      `DO $$ BEGIN EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO ${applicationRole}', current_schema()); END $$`,
    );
    // Requests never touch the migration bookkeeping.
    await queryRunner.query(`REVOKE ALL ON typeorm_migrations FROM ${applicationRole}`);
    for (const table of await tenantTables(queryRunner)) await enableTenantIsolation(queryRunner, table);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of await tenantTables(queryRunner)) await disableTenantIsolation(queryRunner, table);
    await queryRunner.query(
      `DO $$ BEGIN EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON TABLES FROM ${applicationRole}', current_schema()); END $$`,
    );
    await queryRunner.query(
      `DO $$ BEGIN EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON SEQUENCES FROM ${applicationRole}', current_schema()); END $$`,
    );
    await queryRunner.query(
      `DO $$ BEGIN EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM ${applicationRole}', current_schema()); END $$`,
    );
    await queryRunner.query(
      `DO $$ BEGIN EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM ${applicationRole}', current_schema()); END $$`,
    );
    await queryRunner.query(
      `DO $$ BEGIN EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM ${applicationRole}', current_schema()); END $$`,
    );
    // The role is shared by every schema of the cluster: it stays.
  }
}

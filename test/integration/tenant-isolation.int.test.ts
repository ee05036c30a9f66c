import { DataSource, type EntityManager } from 'typeorm';
import { applicationRole } from '../../migrations/tenant-isolation';
import { acceptPostgresTypes } from '../../subgraph/database/column-types';
import { createTenantDatabase } from '../../subgraph/database/tenant-scope';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { startTestApp, uniqueTenant, type TestApp } from '../support/test-app';

// Row-level security underneath the application's own WHERE clauses: these
// tests run deliberately unscoped SQL through a request's tenant transaction.

let t: TestApp;
const tenantA = uniqueTenant('rls-a');
const tenantB = uniqueTenant('rls-b');
let tenantTables: string[];

/** Tables of the app's schema with a tenant_id column (as the superuser sees them). */
const listTenantTables = async (dataSource: DataSource) =>
  (
    await dataSource.query<{ name: string }[]>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') ORDER BY 1`,
    )
  ).map((row) => row.name);

class Rollback extends Error {}
/** Runs work in the tenant's request transaction, then rolls it back. */
async function inTenantThenRollBack<T>(tenant: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  let result: T | undefined;
  await createTenantDatabase(t.app.database.dataSource, tenant)
    .transaction(async (manager) => {
      result = await work(manager);
      throw new Rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
  return result as T;
}

beforeAll(async () => {
  t = await startTestApp();
  for (const tenant of [tenantA, tenantB]) {
    for (let index = 0; index < 2; index++) {
      const result = await t.graphql(
        reportMutation,
        { input: medicationReport(), key: newKey() },
        { tenant, roles: ['REPORTER'], services: ['north'] },
      );
      expect(result.errors).toBeUndefined();
    }
    await t.app.database.dataSource.query(
      `INSERT INTO tenant_category_setting (tenant_id, category, enabled) VALUES ($1, 'transport', true)`,
      [tenant],
    );
  }
  tenantTables = await listTenantTables(t.app.database.dataSource);
});
afterAll(async () => t?.stop());

describe('row-level security', () => {
  it('guards every table with a tenant_id column (forced, so the owner is subject too)', async () => {
    expect(tenantTables).toEqual(
      expect.arrayContaining([
        'near_miss',
        'audit_event',
        'outbox_event',
        'idempotency_key',
        'reference_counter',
        'tenant_category_setting',
      ]),
    );
    const rows: { name: string; enabled: boolean; forced: boolean; policies: string[] }[] =
      await t.app.database.dataSource.query(
        `SELECT c.relname AS name, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
              coalesce(array_agg(p.polname::text) FILTER (WHERE p.polname IS NOT NULL), '{}') AS policies
         FROM pg_class c LEFT JOIN pg_policy p ON p.polrelid = c.oid
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY($1)
        GROUP BY 1, 2, 3 ORDER BY 1`,
        [tenantTables],
      );
    const unguarded = rows.filter((row) => !row.enabled || !row.forced || !row.policies.includes('tenant_isolation'));
    // A table listed here needs enableTenantIsolation(queryRunner, table) in its migration.
    expect(unguarded.map((row) => row.name)).toEqual([]);
  });

  it('runs requests as a role that cannot log in or bypass row-level security', async () => {
    const [role] = await t.app.database.dataSource.query(
      `SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = $1`,
      [applicationRole],
    );
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, rolcanlogin: false });
    const [session] = await createTenantDatabase(t.app.database.dataSource, tenantA).read((manager) =>
      manager.query(`SELECT current_user AS "user", current_setting('app.tenant_id', true) AS tenant`),
    );
    expect(session).toEqual({ user: applicationRole, tenant: tenantA });
  });

  it("returns only the caller's rows from `SELECT *` without a WHERE, on every tenant table", async () => {
    const admin = t.app.database.dataSource;
    for (const table of tenantTables) {
      const seen: { tenant_id: string }[] = await createTenantDatabase(admin, tenantA).read((manager) =>
        manager.query(`SELECT * FROM ${table}`),
      );
      const [{ count }] = await admin.query(`SELECT count(*)::int AS count FROM ${table} WHERE tenant_id = $1`, [
        tenantA,
      ]);
      expect({ table, tenants: [...new Set(seen.map((row) => row.tenant_id))] }).toEqual({
        table,
        tenants: seen.length ? [tenantA] : [],
      });
      expect({ table, rows: seen.length }).toEqual({ table, rows: count });
    }
    // The rows exist: the superuser (migrations, maintenance) sees both tenants.
    const [{ tenants }] = await admin.query(
      `SELECT count(DISTINCT tenant_id)::int AS tenants FROM near_miss WHERE tenant_id = ANY($1)`,
      [[tenantA, tenantB]],
    );
    expect(tenants).toBe(2);
  });

  it('finds nothing of another tenant by id, by join or by aggregate', async () => {
    const [{ id: idOfB }] = await t.app.database.dataSource.query(
      `SELECT id FROM near_miss WHERE tenant_id = $1 LIMIT 1`,
      [tenantB],
    );
    const result = await createTenantDatabase(t.app.database.dataSource, tenantA).read(async (manager) => ({
      byId: await manager.query(`SELECT id FROM near_miss WHERE id = $1`, [idOfB]),
      byJoin: await manager.query(
        `SELECT a.id FROM audit_event a JOIN near_miss n ON n.id = a.near_miss_id WHERE n.id = $1`,
        [idOfB],
      ),
      byTenant: await manager.query(`SELECT count(*)::int AS count FROM near_miss WHERE tenant_id = $1`, [tenantB]),
    }));
    expect(result).toEqual({ byId: [], byJoin: [], byTenant: [{ count: 0 }] });
  });

  it("cannot write another tenant's rows: inserts are refused, unscoped updates and deletes touch only the caller's", async () => {
    await expect(
      inTenantThenRollBack(tenantA, (manager) =>
        manager.query(
          `INSERT INTO tenant_category_setting (tenant_id, category, enabled) VALUES ($1, 'mealtime', false)`,
          [tenantB],
        ),
      ),
    ).rejects.toThrow(/row-level security/);
    const changed = await inTenantThenRollBack(tenantA, async (manager) => ({
      updated: (await manager.query(`UPDATE near_miss SET version = version + 1 RETURNING tenant_id`))[0] as {
        tenant_id: string;
      }[],
      deleted: (await manager.query(`DELETE FROM tenant_category_setting RETURNING tenant_id`))[0] as {
        tenant_id: string;
      }[],
    }));
    expect(new Set(changed.updated.map((row) => row.tenant_id))).toEqual(new Set([tenantA]));
    expect(changed.updated).toHaveLength(2);
    expect(changed.deleted).toEqual([{ tenant_id: tenantA }]);
    await expect(
      inTenantThenRollBack(tenantA, (manager) =>
        manager.query(`UPDATE tenant_category_setting SET tenant_id = $1`, [tenantB]),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('sees nothing as the application role when no tenant is set', async () => {
    const rows = await t.app.database.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT set_config('role', $1, true)`, [applicationRole]);
      return manager.query(`SELECT count(*)::int AS count FROM near_miss`);
    });
    expect(rows).toEqual([{ count: 0 }]);
  });

  it("does not carry one request's tenant or role into the next use of a pooled connection", async () => {
    const options = t.app.database.dataSource.options;
    const single = new DataSource({ ...options, migrations: [], extra: { ...options.extra, max: 1 } });
    acceptPostgresTypes(single);
    await single.initialize();
    try {
      const [{ session_user: sessionUser }] = await single.query('SELECT session_user');
      await createTenantDatabase(single, tenantA).read((manager) => manager.query('SELECT count(*) FROM near_miss'));
      // A failed request rolls back too.
      await createTenantDatabase(single, tenantA)
        .transaction((manager) => manager.query('SELECT * FROM no_such_table'))
        .catch(() => undefined);
      const [after] = await single.query(
        `SELECT current_user AS "user", coalesce(current_setting('app.tenant_id', true), '') AS tenant`,
      );
      expect(after).toEqual({ user: sessionUser, tenant: '' });
      const seenByB: { tenant_id: string }[] = await createTenantDatabase(single, tenantB).read((manager) =>
        manager.query('SELECT DISTINCT tenant_id FROM near_miss'),
      );
      expect(seenByB).toEqual([{ tenant_id: tenantB }]);
    } finally {
      await single.destroy();
    }
  });
});

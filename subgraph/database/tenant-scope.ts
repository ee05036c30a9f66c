import type { DataSource, EntityManager } from 'typeorm';
import { applicationRole, tenantSetting } from '../../migrations/tenant-isolation';

/**
 * Every database access of a request runs in a transaction that carries the
 * caller's tenant (`app.tenant_id`, transaction-local), so a pooled connection
 * never carries one request's tenant into the next. The transaction runs as the
 * application role, which row-level security confines to that tenant.
 */
export interface TenantDatabase {
  readonly tenantId: string;
  /** One transaction for a whole mutation: all of it or none of it. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T>;
  /** A read, in its own short transaction. */
  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T>;
}

export function createTenantDatabase(dataSource: DataSource, tenantId: string): TenantDatabase {
  const run = <T>(work: (manager: EntityManager) => Promise<T>) =>
    dataSource.transaction(async (manager) => {
      // Both transaction-local: the role has no BYPASSRLS, so row-level
      // security limits every statement to this tenant even without a WHERE.
      await manager.query(`SELECT set_config('${tenantSetting}', $1, true), set_config('role', $2, true)`, [tenantId, applicationRole]);
      return work(manager);
    });
  return { tenantId, transaction: run, read: run };
}

import type { DataSource, EntityManager } from 'typeorm';

/**
 * Every database access of a request runs in a transaction that carries the
 * caller's tenant (`app.tenant_id`, transaction-local), so a pooled connection
 * never carries one request's tenant into the next.
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
      await manager.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
      return work(manager);
    });
  return { tenantId, transaction: run, read: run };
}

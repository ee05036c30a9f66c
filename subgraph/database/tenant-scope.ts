import type { DataSource, EntityManager } from 'typeorm';
import { enterTenant } from './session.repository';

/**
 * Every database access of a request runs in a transaction that carries the
 * caller's tenant (`app.tenant_id`, transaction-local), so a pooled connection
 * never carries one request's tenant into the next. The transaction runs as the
 * application role, which row-level security confines to that tenant.
 */
export interface TenantDatabase {
  readonly tenantId: string;
  /** One transaction for a whole mutation: all of it or none of it. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** A read, in its own short transaction. */
  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T>;
}

export interface TransactionOptions {
  /**
   * Generic plans for every statement of the transaction (plan_cache_mode =
   * force_generic_plan): for the report path only, whose prepared statements
   * are lookups by tenant and key whose best plan depends on no value, and
   * would otherwise be planned again on every call. Nowhere else: a generic
   * plan cannot see how selective a value is, and picked a reporter's index
   * over the primary key to read one near miss (every report of that
   * reporter read to return one).
   */
  genericPlans?: boolean;
}

/** PostgreSQL's deadlock_detected and serialization_failure: the whole transaction may simply run again. */
const retryableCodes = new Set(['40P01', '40001']);
export const maxTransactionAttempts = 3;

export const isRetryable = (error: unknown) =>
  retryableCodes.has(
    (error as { driverError?: { code?: string }; code?: string })?.driverError?.code ??
      (error as { code?: string })?.code ??
      '',
  );

/** `statementTimeoutMs`: a request's time budget per statement (requests pass the configured one). */
export function createTenantDatabase(
  dataSource: DataSource,
  tenantId: string,
  settings: { statementTimeoutMs?: number } = {},
): TenantDatabase {
  const once = <T>(work: (manager: EntityManager) => Promise<T>, options: TransactionOptions = {}) =>
    dataSource.transaction(async (manager) => {
      await enterTenant(manager, tenantId, options.genericPlans ?? false, settings.statementTimeoutMs);
      return work(manager);
    });
  // Work inside is database-only, so a transaction the server rolled back for
  // a deadlock or a serialisation conflict is run again from the start.
  const run = async <T>(work: (manager: EntityManager) => Promise<T>, options?: TransactionOptions): Promise<T> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await once(work, options);
      } catch (error) {
        if (attempt >= maxTransactionAttempts || !isRetryable(error)) throw error;
      }
    }
  };
  return { tenantId, transaction: run, read: (work) => run(work) };
}

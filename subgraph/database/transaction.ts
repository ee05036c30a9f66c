import type { EntityManager } from 'typeorm';

/**
 * The one transaction of a mutation (or of one batch of reads): opened by
 * TenantDatabase, already confined to the caller's tenant, and passed down
 * to every service and repository the use case touches. Only repositories
 * (`*.repository.ts`) send it SQL or use its TypeORM repositories.
 */
export type Transaction = EntityManager;

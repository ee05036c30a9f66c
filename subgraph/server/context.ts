import type { Principal } from '../auth/principal';
import type { CategoryRegistry } from '../categories/category-registry';
import type { Logger } from '../common/logger';
import type { Config } from '../config';
import type { DataSource } from 'typeorm';
import { createTenantDatabase, type TenantDatabase } from '../database/tenant-scope';
import { createNearMissLoaders, type NearMissLoaders } from '../near-misses/near-miss.loaders';
import { createLifecycleLoaders, type LifecycleLoaders } from '../lifecycle/lifecycle.loaders';
import { createActionLoaders, type ActionLoaders } from '../corrective-actions/corrective-action.loaders';
import { createPatternLoaders, type PatternLoaders } from '../patterns/pattern.loaders';

/** What lives for the whole process. */
export interface AppServices {
  config: Config;
  dataSource: DataSource;
  registry: CategoryRegistry;
  logger: Logger;
}

/** What lives for one GraphQL request. */
export interface RequestContext {
  requestId: string;
  principal: Principal;
  services: AppServices;
  db: TenantDatabase;
  loaders: NearMissLoaders;
  lifecycle: LifecycleLoaders;
  actions: ActionLoaders;
  patterns: PatternLoaders;
}

export function createRequestContext(services: AppServices, principal: Principal, requestId: string): RequestContext {
  const db = createTenantDatabase(services.dataSource, principal.tenantId);
  return { requestId, principal, services, db, loaders: createNearMissLoaders(principal, db), lifecycle: createLifecycleLoaders(principal.tenantId, db), actions: createActionLoaders(principal, db), patterns: createPatternLoaders(principal, db) };
}

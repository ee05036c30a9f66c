import type { Principal } from '../auth/principal';
import { createTenantDatabase, type TenantDatabase, type TransactionOptions } from '../database/tenant-scope';
import type { Transaction } from '../database/transaction';
import type { Actor } from './actor';
import type { AppServices } from './app-services';
import { createNearMissLoaders, type NearMissLoaders } from '../near-misses/near-miss.loaders';
import { createLifecycleLoaders, type LifecycleLoaders } from '../lifecycle/lifecycle.loaders';
import { createActionLoaders, type ActionLoaders } from '../corrective-actions/corrective-action.loaders';
import { createPatternLoaders, type PatternLoaders } from '../patterns/pattern.loaders';

export type { AppServices } from './app-services';

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
  /**
   * Runs a mutation's service in one transaction. After the commit every
   * per-request loader forgets what it read, so fields the client selects on
   * the payload read the committed state.
   */
  mutate<T>(work: (tx: Transaction, actor: Actor) => Promise<T>, options?: TransactionOptions): Promise<T>;
}

export function createRequestContext(services: AppServices, principal: Principal, requestId: string): RequestContext {
  const db = createTenantDatabase(services.dataSource, principal.tenantId, {
    statementTimeoutMs: services.config.requestLimits.statementTimeoutMs,
  });
  const context: RequestContext = {
    requestId,
    principal,
    services,
    db,
    ...createLoaders(principal, db, services),
    async mutate(work, options) {
      const result = await db.transaction((tx) => work(tx, { principal, services }), options);
      Object.assign(context, createLoaders(principal, db, services));
      return result;
    },
  };
  return context;
}

/** Per-request caches: made anew after each write, so later reads see it. */
function createLoaders(principal: Principal, db: TenantDatabase, services: AppServices) {
  return {
    loaders: createNearMissLoaders(principal, db, services.registry),
    lifecycle: createLifecycleLoaders(principal.tenantId, db),
    actions: createActionLoaders(principal, db),
    patterns: createPatternLoaders(principal, db, services.registry),
  };
}

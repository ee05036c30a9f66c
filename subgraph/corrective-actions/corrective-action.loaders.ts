import DataLoader from 'dataloader';
import type { Principal } from '../auth/principal';
import type { TenantDatabase } from '../database/tenant-scope';
import type { ActionStatusValue } from './action-rules';
import {
  actionScopeOf,
  loadActionsByIds,
  loadActionsByNearMiss,
  loadActionsByOwner,
  loadChecksByAction,
  loadChecksByIds,
  loadNearMissIdsByAction,
  listCaps,
} from './corrective-action.repository';
import type { CorrectiveAction, VerificationCheck } from './corrective-action.type';

/** Per-request loaders for actions and checks: one statement per batch. */
export function createActionLoaders(principal: Principal, db: TenantDatabase) {
  const scope = actionScopeOf(principal);
  const byOwner = new Map<string, DataLoader<string, CorrectiveAction[]>>();
  return {
    byId: new DataLoader<string, CorrectiveAction | null>((ids) => db.read((tx) => loadActionsByIds(tx, scope, ids))),
    byNearMiss: new DataLoader<string, CorrectiveAction[]>((ids) =>
      db.read((tx) => loadActionsByNearMiss(tx, scope, ids)),
    ),
    nearMissIds: new DataLoader<string, string[]>((ids) =>
      db.read((tx) => loadNearMissIdsByAction(tx, principal.tenantId, ids, listCaps.nearMissesPerAction)),
    ),
    checks: new DataLoader<string, VerificationCheck[]>((ids) =>
      db.read((tx) => loadChecksByAction(tx, principal.tenantId, ids)),
    ),
    checkById: new DataLoader<string, VerificationCheck | null>((ids) =>
      db.read((tx) => loadChecksByIds(tx, scope, ids)),
    ),
    byOwner(statuses?: ActionStatusValue[]) {
      const key = [...(statuses ?? [])].sort().join(',');
      let loader = byOwner.get(key);
      if (!loader) {
        loader = new DataLoader<string, CorrectiveAction[]>((ids) =>
          db.read((tx) => loadActionsByOwner(tx, scope, ids, statuses)),
        );
        byOwner.set(key, loader);
      }
      return loader;
    },
  };
}

export type ActionLoaders = ReturnType<typeof createActionLoaders>;

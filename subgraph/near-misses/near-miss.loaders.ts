import DataLoader from 'dataloader';
import type { Principal } from '../auth/principal';
import type { CategoryRegistry } from '../categories/category-registry';
import { canonicalJson } from '../common/canonical-json';
import type { TenantDatabase } from '../database/tenant-scope';
import {
  loadByIds,
  loadByLink,
  loadCounts,
  loadPages,
  type ConnectionRequest,
  type LinkColumn,
  type Page,
} from './near-miss.repository';
import type { AuditEvent, NearMiss } from './near-miss.type';
import { loadTimelines } from '../audit/audit-timeline';
import { disabledCategories } from '../categories/tenant-category-setting.repository';
import { readScopeOf, type ReadScope } from './read-scope';

/** Requests that differ only in their anchor value can share one statement. */
const shapeOf = (request: ConnectionRequest) => canonicalJson({ ...request, anchor: request.anchor?.column });
const keyOf = (request: ConnectionRequest) => canonicalJson(request);

function batchByShape<R>(
  db: TenantDatabase,
  load: (manager: Parameters<Parameters<TenantDatabase['read']>[0]>[0], group: ConnectionRequest[]) => Promise<R[]>,
) {
  return async (requests: readonly ConnectionRequest[]): Promise<R[]> => {
    const groups = new Map<string, number[]>();
    requests.forEach((request, index) => {
      const shape = shapeOf(request);
      groups.set(shape, [...(groups.get(shape) ?? []), index]);
    });
    const results = new Array<R>(requests.length);
    await db.read(async (manager) => {
      for (const indexes of groups.values()) {
        const answers = await load(
          manager,
          indexes.map((index) => requests[index]),
        );
        indexes.forEach((index, position) => (results[index] = answers[position]));
      }
    });
    return results;
  };
}

/** Per-request loaders: each gateway batch costs a bounded number of statements. */
export function createNearMissLoaders(principal: Principal, db: TenantDatabase, registry: CategoryRegistry) {
  let scope: ReadScope | undefined;
  const readScope = () => (scope ??= readScopeOf(principal, registry));
  const byLink = new Map<LinkColumn, DataLoader<string, NearMiss[]>>();
  let disabled: Promise<Set<string>> | undefined;
  return {
    readScope,
    /** Categories the caller's organisation has turned off (one statement per request). */
    disabledCategories: () => (disabled ??= db.read((manager) => disabledCategories(manager, principal.tenantId))),
    pages: new DataLoader<ConnectionRequest, Page, string>(batchByShape(db, loadPages), { cacheKeyFn: keyOf }),
    counts: new DataLoader<ConnectionRequest, number, string>(batchByShape(db, loadCounts), { cacheKeyFn: keyOf }),
    byId: new DataLoader<string, NearMiss | null>((ids) => db.read((manager) => loadByIds(manager, readScope(), ids))),
    timeline: new DataLoader<string, AuditEvent[]>((ids) =>
      db.read((manager) => loadTimelines(manager, principal.tenantId, ids)),
    ),
    byLink(column: LinkColumn) {
      let loader = byLink.get(column);
      if (!loader) {
        loader = new DataLoader<string, NearMiss[]>((values) =>
          db.read((manager) => loadByLink(manager, readScope(), column, values)),
        );
        byLink.set(column, loader);
      }
      return loader;
    },
  };
}

export type NearMissLoaders = ReturnType<typeof createNearMissLoaders>;

import DataLoader from 'dataloader';
import type { TenantDatabase } from '../database/tenant-scope';
import type { JustCultureClassValue } from './just-culture';
import type { TriageRouteValue } from '../domain/vocabulary';

export interface TriageRecord {
  route: TriageRouteValue;
  suggestedRoute: TriageRouteValue;
  overrideReason: string | null;
  sameDay: boolean;
  dueBy: Date;
  triagedAt: Date;
  triagedBy: string;
  justCulture: JustCultureClassValue;
  notify: string[];
  rationale: string;
}

export interface GateCompletion {
  key: string;
  doneBy: string;
  doneAt: Date;
}

export interface FeedbackRecord {
  at: Date;
  kind: string;
  message: string;
}

const groupByNearMiss = <Row extends { near_miss_id: string }, T>(ids: readonly string[], rows: Row[], map: (row: Row) => T) => {
  const groups = new Map<string, T[]>();
  for (const row of rows) groups.set(row.near_miss_id, [...(groups.get(row.near_miss_id) ?? []), map(row)]);
  return ids.map((id) => groups.get(id) ?? []);
};

/** Per-request loaders for what the learning loop adds to a near miss: one statement per batch each. */
export function createLifecycleLoaders(tenantId: string, db: TenantDatabase) {
  return {
    triage: new DataLoader<string, TriageRecord | null>((ids) =>
      db.read(async (manager) => {
        const rows = await manager.query(
          `SELECT DISTINCT ON (near_miss_id) * FROM near_miss_triage WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[])
           ORDER BY near_miss_id, triaged_at DESC`,
          [tenantId, ids],
        );
        const latest = groupByNearMiss(ids, rows, (row: Record<string, any>): TriageRecord => ({
          route: row.route,
          suggestedRoute: row.suggested_route,
          overrideReason: row.override_reason,
          sameDay: row.same_day,
          dueBy: row.due_by,
          triagedAt: row.triaged_at,
          triagedBy: row.triaged_by,
          justCulture: row.just_culture,
          notify: row.notify,
          rationale: row.rationale,
        }));
        return latest.map((records) => records[0] ?? null);
      }),
    ),
    gateCompletions: new DataLoader<string, GateCompletion[]>((ids) =>
      db.read(async (manager) => {
        const rows = await manager.query(`SELECT near_miss_id, key, done_by, done_at FROM gate_completion WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[])`, [tenantId, ids]);
        return groupByNearMiss(ids, rows, (row: Record<string, any>) => ({ key: row.key, doneBy: row.done_by, doneAt: row.done_at }));
      }),
    ),
    feedback: new DataLoader<string, FeedbackRecord[]>((ids) =>
      db.read(async (manager) => {
        const rows = await manager.query(
          `SELECT near_miss_id, at, kind, message FROM reporter_feedback WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[]) ORDER BY at, id`,
          [tenantId, ids],
        );
        return groupByNearMiss(ids, rows, (row: Record<string, any>) => ({ at: row.at, kind: row.kind, message: row.message }));
      }),
    ),
  };
}

export type LifecycleLoaders = ReturnType<typeof createLifecycleLoaders>;

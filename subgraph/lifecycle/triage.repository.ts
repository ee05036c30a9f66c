import type { Transaction } from '../database/transaction';
import { NearMissTriageEntity } from '../triage/near-miss-triage.entity';
import type { TriageRouteValue } from '../domain/vocabulary';
import type { JustCultureClassValue } from './just-culture';

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

interface TriageRow {
  near_miss_id: string;
  route: TriageRouteValue;
  suggested_route: TriageRouteValue;
  override_reason: string | null;
  same_day: boolean;
  due_by: Date;
  triaged_at: Date;
  triaged_by: string;
  just_culture: JustCultureClassValue;
  notify: string[];
  rationale: string;
}

export interface NewTriage extends TriageRecord {
  tenantId: string;
  nearMissId: string;
}

const toTriage = (row: TriageRow): TriageRecord => ({
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
});

/** Records a triage decision, timed by the database clock. */
export async function insertTriage(tx: Transaction, triage: Omit<NewTriage, 'triagedAt'>): Promise<void> {
  await tx.getRepository(NearMissTriageEntity).insert({ ...triage, triagedAt: () => 'clock_timestamp()' });
}

/**
 * The current (latest) triage of each near miss: one statement per batch.
 * Raw SQL: DISTINCT ON picks each near miss's latest row from the index.
 */
export async function loadLatestTriages(
  tx: Transaction,
  tenantId: string,
  nearMissIds: readonly string[],
): Promise<(TriageRecord | null)[]> {
  const rows: TriageRow[] = await tx.query(
    `SELECT DISTINCT ON (near_miss_id) near_miss_id, route, suggested_route, override_reason, same_day, due_by, triaged_at, triaged_by, just_culture, notify, rationale
     FROM near_miss_triage WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[])
     ORDER BY near_miss_id, triaged_at DESC`,
    [tenantId, nearMissIds],
  );
  const latest = new Map(rows.map((row) => [row.near_miss_id, toTriage(row)]));
  return nearMissIds.map((id) => latest.get(id) ?? null);
}

/** The route of a near miss's latest triage (null before its first). */
export async function loadLatestRoute(
  tx: Transaction,
  nearMiss: { id: string; tenantId: string },
): Promise<TriageRouteValue | null> {
  const latest = await tx.getRepository(NearMissTriageEntity).findOne({
    select: { id: true, route: true },
    where: { tenantId: nearMiss.tenantId, nearMissId: nearMiss.id },
    order: { triagedAt: 'DESC' },
  });
  return (latest?.route as TriageRouteValue | undefined) ?? null;
}

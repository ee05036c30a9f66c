import type { Transaction } from '../database/transaction';
import { In, Not } from 'typeorm';
import { NearMissEntity } from '../near-misses/near-miss.entity';
import type { RestrictedCategories } from '../near-misses/read-scope';

/**
 * A row exactly as stored, every column under its column name: a subject
 * access export hands over everything held, so it is not mapped to a type.
 */
export type StoredColumns = Record<string, unknown>;

export interface StoredPersonData {
  nearMisses: StoredColumns[];
  triages: StoredColumns[];
  gates: StoredColumns[];
  feedback: StoredColumns[];
  /** Each linked action's columns, with the near miss it is linked to (`near_miss_id`). */
  correctiveActions: StoredColumns[];
}

interface IdRow {
  id: string;
}

/** Near misses about a person, oldest first, leaving out restricted reports the caller cannot read. */
export async function findNearMissIdsAbout(
  tx: Transaction,
  tenantId: string,
  personId: string,
  restricted?: RestrictedCategories,
): Promise<string[]> {
  const rows = await tx.getRepository(NearMissEntity).find({
    select: { id: true },
    where: restricted?.categories.length
      ? [
          { tenantId, personId, category: Not(In(restricted.categories)) },
          { tenantId, personId, reportedBy: restricted.exceptReportedBy },
        ]
      : { tenantId, personId },
    order: { occurredAt: 'ASC', id: 'ASC' },
  });
  return rows.map((row) => row.id);
}

/** Locks up to `limit` near misses closed more than `retentionMonths` before `now` and not yet erased, oldest closure first. */
export async function lockNearMissesPastRetention(
  tx: Transaction,
  tenantId: string,
  now: Date,
  retentionMonths: number,
  limit: number,
): Promise<string[]> {
  // Hand-written: months are counted by the database's calendar (make_interval), as retention is defined.
  const rows: IdRow[] = await tx.query(
    `SELECT id FROM near_miss WHERE tenant_id = $1 AND status = 'CLOSED' AND erased_at IS NULL
       AND closed_at < $2::timestamptz - make_interval(months => $3) ORDER BY closed_at, id LIMIT $4 FOR UPDATE`,
    [tenantId, now, retentionMonths, limit],
  );
  return rows.map((row) => row.id);
}

/** Every row held about the given near misses, column by column as stored. */
export async function loadStoredPersonData(
  tx: Transaction,
  tenantId: string,
  nearMissIds: readonly string[],
): Promise<StoredPersonData> {
  // Hand-written: an export copies whole rows of five tables as stored (SELECT *), whatever their columns.
  const byNearMiss = (sql: string): Promise<StoredColumns[]> => tx.query(sql, [tenantId, nearMissIds]);
  // One statement at a time: they share the transaction's connection.
  const nearMisses = await byNearMiss(
    `SELECT * FROM near_miss WHERE tenant_id = $1 AND id = ANY($2::uuid[]) ORDER BY occurred_at, id`,
  );
  const triages = await byNearMiss(
    `SELECT * FROM near_miss_triage WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[]) ORDER BY triaged_at`,
  );
  const gates = await byNearMiss(
    `SELECT * FROM gate_completion WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[]) ORDER BY done_at`,
  );
  const feedback = await byNearMiss(
    `SELECT * FROM reporter_feedback WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[]) ORDER BY at`,
  );
  const correctiveActions = await byNearMiss(
    `SELECT l.near_miss_id, a.* FROM corrective_action_near_miss l JOIN corrective_action a ON a.id = l.action_id
     WHERE l.tenant_id = $1 AND l.near_miss_id = ANY($2::uuid[]) ORDER BY a.created_at`,
  );
  return { nearMisses, triages, gates, feedback, correctiveActions };
}

/**
 * Replaces free text of near misses (and of their triage decisions, gate
 * notes and feedback) with `erasedText` and unlinks the person, keeping every
 * row, count and status. Similarity keys hash the person's id with other
 * fields, so they go too (reviews keep their counted near misses).
 */
export async function eraseFreeText(
  tx: Transaction,
  tenantId: string,
  nearMissIds: readonly string[],
  erasedText: string,
): Promise<void> {
  // Hand-written: set-based updates of every row of the batch, keeping NULLs NULL column by column.
  await tx.query(
    `UPDATE near_miss SET what_happened = $3, how_detected = $3, what_prevented_harm = $3, what_made_this_possible = CASE WHEN what_made_this_possible IS NULL THEN NULL ELSE $3 END,
       immediate_actions = ARRAY[$3], outcome = CASE WHEN outcome IS NULL THEN NULL ELSE $3 END, reopen_reason = CASE WHEN reopen_reason IS NULL THEN NULL ELSE $3 END,
       no_action_reason = CASE WHEN no_action_reason IS NULL THEN NULL ELSE $3 END, details = '{}'::jsonb, person_id = NULL, similarity_key = NULL,
       erased_at = now(), version = version + 1, updated_at = now()
     WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
    [tenantId, nearMissIds, erasedText],
  );
  await tx.query(
    `UPDATE near_miss_triage SET rationale = $3, override_reason = CASE WHEN override_reason IS NULL THEN NULL ELSE $3 END WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[])`,
    [tenantId, nearMissIds, erasedText],
  );
  await tx.query(`DELETE FROM near_miss_similarity WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[])`, [
    tenantId,
    nearMissIds,
  ]);
  await tx.query(`UPDATE gate_completion SET note = NULL WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[])`, [
    tenantId,
    nearMissIds,
  ]);
  await tx.query(`UPDATE reporter_feedback SET message = $3 WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[])`, [
    tenantId,
    nearMissIds,
    erasedText,
  ]);
}

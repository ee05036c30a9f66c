import type { Transaction } from '../database/transaction';
import { In, Not } from 'typeorm';
import { NearMissEntity } from '../near-misses/near-miss.entity';
import type { RestrictedCategories } from '../near-misses/read-scope';
import { NearMissSimilarityEntity } from '../patterns/near-miss-similarity.entity';

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
  amendments: StoredColumns[];
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
  // Hand-written: an export copies whole rows of six tables as stored (SELECT *), whatever their columns.
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
  const amendments = await byNearMiss(
    `SELECT * FROM near_miss_amendment WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[]) ORDER BY amended_at`,
  );
  const correctiveActions = await byNearMiss(
    `SELECT l.near_miss_id, a.* FROM corrective_action_near_miss l JOIN corrective_action a ON a.id = l.action_id
     WHERE l.tenant_id = $1 AND l.near_miss_id = ANY($2::uuid[]) ORDER BY a.created_at`,
  );
  return { nearMisses, triages, gates, feedback, amendments, correctiveActions };
}

/**
 * Replaces free text of near misses (and of their triage decisions, gate
 * notes, feedback and amendment reasons) with `erasedText` and unlinks the person, keeping every
 * row, count and status. The host links that name the person (visit, MAR
 * entry, care plan) go with the person id; the shift stays (a rota shift names
 * staff, not the person). Similarity keys hash the person's id with other
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
       no_action_reason = CASE WHEN no_action_reason IS NULL THEN NULL ELSE $3 END,
       weak_only_override_reason = CASE WHEN weak_only_override_reason IS NULL THEN NULL ELSE $3 END, details = '{}'::jsonb, person_id = NULL, similarity_key = NULL, kind_key = NULL,
       visit_id = NULL, medication_record_id = NULL, care_plan_id = NULL,
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
  await tx.query(`UPDATE near_miss_amendment SET reason = $3 WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[])`, [
    tenantId,
    nearMissIds,
    erasedText,
  ]);
  await tx.query(`UPDATE reporter_feedback SET message = $3 WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[])`, [
    tenantId,
    nearMissIds,
    erasedText,
  ]);
}

/** The repeat trigger's similarity keys of the given near misses (what erasing them may leave unheld). */
export async function loadSimilarityKeysOf(
  tx: Transaction,
  tenantId: string,
  nearMissIds: readonly string[],
): Promise<string[]> {
  const rows = await tx.getRepository(NearMissSimilarityEntity).find({
    select: { similarityKey: true },
    where: { tenantId, nearMissId: In([...nearMissIds]) },
  });
  return [...new Set(rows.map((row) => row.similarityKey))].sort();
}

/** Locks the near misses about a person in id order (the lock order of every writer), returning their ids. */
export async function lockNearMissesAbout(tx: Transaction, tenantId: string, personId: string): Promise<string[]> {
  // Hand-written: FOR UPDATE in id order.
  const rows: IdRow[] = await tx.query(
    `SELECT id FROM near_miss WHERE tenant_id = $1 AND person_id = $2 ORDER BY id FOR UPDATE`,
    [tenantId, personId],
  );
  return rows.map((row) => row.id);
}

/**
 * The conclusions of the risk reviews that counted these near misses become
 * `erasedText`: a manager's conclusion about a pattern of one person's near
 * misses may name them. Returns how many.
 */
export async function eraseReviewConclusions(
  tx: Transaction,
  tenantId: string,
  nearMissIds: readonly string[],
  erasedText: string,
): Promise<number> {
  // Hand-written: one set-based update through the review membership table.
  const [, count]: [unknown, number] = await tx.query(
    `UPDATE risk_review r SET conclusion = $3, version = version + 1
      WHERE r.tenant_id = $1 AND r.conclusion IS NOT NULL AND r.conclusion <> $3
        AND r.id IN (SELECT m.review_id FROM risk_review_near_miss m WHERE m.tenant_id = $1 AND m.near_miss_id = ANY($2::uuid[]))`,
    [tenantId, nearMissIds, erasedText],
  );
  return count;
}

/**
 * The free text of the corrective actions that answer these near misses, and
 * of their verification checks, becomes `erasedText` (each list item one
 * `erasedText`, so counts hold): title, target, evidence given, cancellation
 * and effectiveness reasons, check notes and evidence references (MAR
 * entries). Owner, strength, type, dates, status and the evidence required
 * (kinds of evidence, which completion checks against) stay. Actions are
 * locked in id order first. Returns how many actions.
 */
export async function eraseActionText(
  tx: Transaction,
  tenantId: string,
  nearMissIds: readonly string[],
  erasedText: string,
): Promise<number> {
  // Hand-written: FOR UPDATE in id order, then set-based updates keeping NULLs NULL and list lengths.
  const locked: IdRow[] = await tx.query(
    `SELECT a.id FROM corrective_action a
      WHERE a.tenant_id = $1
        AND a.id IN (SELECT l.action_id FROM corrective_action_near_miss l WHERE l.tenant_id = $1 AND l.near_miss_id = ANY($2::uuid[]))
      ORDER BY a.id FOR UPDATE`,
    [tenantId, nearMissIds],
  );
  const actionIds = locked.map((row) => row.id);
  if (!actionIds.length) return 0;
  await tx.query(
    `UPDATE corrective_action SET title = $3, target = $3,
       evidence = array_fill($3::text, ARRAY[cardinality(evidence)]),
       cancelled_reason = CASE WHEN cancelled_reason IS NULL THEN NULL ELSE $3 END,
       effectiveness_reason = CASE WHEN effectiveness_reason IS NULL THEN NULL ELSE $3 END,
       version = version + 1
     WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
    [tenantId, actionIds, erasedText],
  );
  await tx.query(
    `UPDATE verification_check SET notes = CASE WHEN notes IS NULL THEN NULL ELSE $3 END,
       evidence = array_fill($3::text, ARRAY[cardinality(evidence)])
     WHERE tenant_id = $1 AND action_id = ANY($2::uuid[])`,
    [tenantId, actionIds, erasedText],
  );
  return actionIds.length;
}

/**
 * Review keys (which send later similar reports to an open review) that no
 * near miss holds any more: after erasure a key derived from the person's id
 * (same person and medication) is held by nobody and goes; a key other
 * people's near misses share (same service and stage) stays.
 */
export async function deleteUnheldReviewKeys(
  tx: Transaction,
  tenantId: string,
  keys: readonly string[],
): Promise<void> {
  if (!keys.length) return;
  // Hand-written: an anti-join delete.
  await tx.query(
    `DELETE FROM risk_review_key k WHERE k.tenant_id = $1 AND k.similarity_key = ANY($2::text[])
        AND NOT EXISTS (SELECT 1 FROM near_miss_similarity s WHERE s.tenant_id = k.tenant_id AND s.similarity_key = k.similarity_key)`,
    [tenantId, keys],
  );
}

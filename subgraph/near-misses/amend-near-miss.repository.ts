import type { Transaction } from '../database/transaction';
import type { RepeatTriggerInput, RepeatWrites } from '../patterns/repeat-trigger';
import type { RepeatTriggerRule } from '../patterns/repeat-trigger-rule';
import { ruleOf, tokenArray, triggerWritesSql, triggerWriteValues } from './report-near-miss.repository';

/*
 * The SQL of an amendment (amend-near-miss.service.ts). The repeat trigger's
 * lock, scan and writes are the report's own (report-near-miss.repository.ts),
 * run for the keys the amendment adds.
 */

/** The similarity keys a near miss is counted under now. */
export async function loadOwnKeys(tx: Transaction, tenantId: string, nearMissId: string): Promise<string[]> {
  const rows: { similarity_key: string }[] = await tx.query(
    `SELECT DISTINCT similarity_key FROM near_miss_similarity WHERE tenant_id = $1 AND near_miss_id = $2::uuid`,
    [tenantId, nearMissId],
  );
  return rows.map((row) => row.similarity_key);
}

/** Locks keys as a report does (lock_similarity_keys: ascending lock ids) and reads the provider's rule for the category. */
export async function lockKeysAndReadRule(
  tx: Transaction,
  tenantId: string,
  keys: readonly string[],
  category: string,
): Promise<RepeatTriggerRule> {
  const [row]: { rule: number[] | null }[] = await tx.query(
    `SELECT lock_similarity_keys($1, $2::text[]) AS locks,
       (SELECT ARRAY[r.threshold, r.window_days, r.review_due_days, r.enabled::integer] FROM repeat_trigger_rule r
         WHERE r.tenant_id = $1 AND r.category IN ($3, '*') ORDER BY r.category = '*' LIMIT 1) AS rule`,
    [tenantId, tokenArray(keys), category],
  );
  return ruleOf(row?.rule);
}

/**
 * The near miss stops standing for keys it no longer has: its similarity rows
 * of those keys go, except the ones a review counted (the review's evidence).
 */
export async function dropOwnKeys(
  tx: Transaction,
  tenantId: string,
  nearMissId: string,
  keys: readonly string[],
): Promise<void> {
  if (!keys.length) return;
  await tx.query(
    `DELETE FROM near_miss_similarity
      WHERE tenant_id = $1 AND near_miss_id = $2::uuid AND similarity_key = ANY ($3::text[]) AND review_id IS NULL`,
    [tenantId, nearMissId, tokenArray(keys)],
  );
}

/** The repeat trigger's step 3 for the keys an amendment adds; returns the assignee of a review it opened. */
export async function writeAddedKeys(
  tx: Transaction,
  input: RepeatTriggerInput,
  writes: RepeatWrites & { shape: 'own' | 'join' | 'count' },
): Promise<string | null> {
  if (!input.keys.length) return null;
  const [row]: { assigned_to: string | null }[] = await tx.query(
    `WITH ${triggerWritesSql(1, writes.shape)}`,
    triggerWriteValues(input, writes),
  );
  return row?.assigned_to ?? null;
}

/** The report's fields an amendment sets, and what the rules now suggest for it. */
export interface AmendedNearMiss {
  id: string;
  tenantId: string;
  category: string;
  categoryVersion: number;
  details: Record<string, unknown>;
  workflowStage: string | null;
  contributingFactorCodes: string[];
  potentialHarm: string;
  suggestedRoute: string;
  sameDay: boolean;
  suggestedNotify: string[];
  triageDueAt: Date;
  similarityKey: string | null;
  kindKey: string | null;
}

export async function updateAmendedNearMiss(tx: Transaction, amended: AmendedNearMiss): Promise<void> {
  await tx.query(
    `UPDATE near_miss SET category = $3, category_version = $4, details = $5::jsonb, workflow_stage = $6,
       contributing_factor_codes = $7::text[], potential_harm = $8, suggested_route = $9, same_day = $10,
       suggested_notify = $11::text[], triage_due_at = $12, similarity_key = $13, kind_key = $14,
       version = version + 1, updated_at = now()
     WHERE tenant_id = $1 AND id = $2::uuid`,
    [
      amended.tenantId,
      amended.id,
      amended.category,
      amended.categoryVersion,
      JSON.stringify(amended.details),
      amended.workflowStage,
      amended.contributingFactorCodes,
      amended.potentialHarm,
      amended.suggestedRoute,
      amended.sameDay,
      amended.suggestedNotify,
      amended.triageDueAt.toISOString(),
      amended.similarityKey,
      amended.kindKey,
    ],
  );
}

export interface NewAmendment {
  tenantId: string;
  nearMissId: string;
  amendedAt: Date;
  amendedBy: string;
  reason: string;
  fields: string[];
  changes: Record<string, unknown>;
}

export async function insertAmendment(tx: Transaction, amendment: NewAmendment): Promise<string> {
  const [row]: { id: string }[] = await tx.query(
    `INSERT INTO near_miss_amendment (tenant_id, near_miss_id, amended_at, amended_by, reason, fields, changes)
     VALUES ($1, $2::uuid, $3, $4, $5, $6::text[], $7::jsonb) RETURNING id`,
    [
      amendment.tenantId,
      amendment.nearMissId,
      amendment.amendedAt.toISOString(),
      amendment.amendedBy,
      amendment.reason,
      amendment.fields,
      JSON.stringify(amendment.changes),
    ],
  );
  return row.id;
}

export interface StoredAmendment {
  nearMissId: string;
  at: Date;
  by: string;
  reason: string;
  fields: string[];
}

/** At most this many amendments are listed per near miss (the latest). */
export const maxAmendmentsPerNearMiss = 50;

/** Amendments of several near misses, oldest first per near miss (one statement per batch). */
export async function loadAmendments(
  tx: Transaction,
  tenantId: string,
  nearMissIds: readonly string[],
): Promise<StoredAmendment[]> {
  const rows: { near_miss_id: string; amended_at: Date; amended_by: string; reason: string; fields: string[] }[] =
    await tx.query(
      `SELECT a.near_miss_id, a.amended_at, a.amended_by, a.reason, a.fields
         FROM unnest($2::uuid[]) AS wanted (id)
         CROSS JOIN LATERAL (SELECT * FROM near_miss_amendment x
                              WHERE x.tenant_id = $1 AND x.near_miss_id = wanted.id
                              ORDER BY x.amended_at DESC LIMIT ${maxAmendmentsPerNearMiss}) AS a
        ORDER BY a.near_miss_id, a.amended_at`,
      [tenantId, nearMissIds],
    );
  return rows.map((row) => ({
    nearMissId: row.near_miss_id,
    at: row.amended_at,
    by: row.amended_by,
    reason: row.reason,
    fields: row.fields,
  }));
}

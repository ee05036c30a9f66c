import type { Transaction } from '../database/transaction';

export type FeedbackKind = 'ACKNOWLEDGED' | 'TRIAGED' | 'CLOSED' | 'REOPENED' | 'MANUAL';

export interface FeedbackRecord {
  at: Date;
  kind: FeedbackKind;
  message: string;
}

interface FeedbackRow {
  near_miss_id: string;
  at: Date;
  kind: FeedbackKind;
  message: string;
}

export interface NewFeedback {
  tenantId: string;
  nearMissId: string;
  kind: FeedbackKind;
  message: string;
  sentBy?: string;
}

export async function insertFeedback(tx: Transaction, feedback: NewFeedback): Promise<void> {
  await tx.query(`INSERT INTO reporter_feedback (tenant_id, near_miss_id, at, kind, message, sent_by) VALUES ($1, $2, clock_timestamp(), $3, $4, $5)`, [
    feedback.tenantId,
    feedback.nearMissId,
    feedback.kind,
    feedback.message,
    feedback.sentBy ?? null,
  ]);
}

/** Messages to the reporter of each near miss, oldest first: one statement per batch. */
export async function loadFeedback(tx: Transaction, tenantId: string, nearMissIds: readonly string[]): Promise<FeedbackRecord[][]> {
  const rows: FeedbackRow[] = await tx.query(
    `SELECT near_miss_id, at, kind, message FROM reporter_feedback WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[]) ORDER BY at, id`,
    [tenantId, nearMissIds],
  );
  const groups = new Map<string, FeedbackRecord[]>();
  for (const row of rows) groups.set(row.near_miss_id, [...(groups.get(row.near_miss_id) ?? []), { at: row.at, kind: row.kind, message: row.message }]);
  return nearMissIds.map((id) => groups.get(id) ?? []);
}

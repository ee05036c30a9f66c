import type { Transaction } from '../database/transaction';
import { ReporterFeedbackEntity } from './reporter-feedback.entity';

export type FeedbackKind = 'ACKNOWLEDGED' | 'TRIAGED' | 'CLOSED' | 'REOPENED' | 'MANUAL';

export interface FeedbackRecord {
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

/** Writes a message to the reporter, timed by the database clock. */
export async function insertFeedback(tx: Transaction, feedback: NewFeedback): Promise<void> {
  await tx.getRepository(ReporterFeedbackEntity).insert({
    tenantId: feedback.tenantId,
    nearMissId: feedback.nearMissId,
    at: () => 'clock_timestamp()',
    kind: feedback.kind,
    message: feedback.message,
    sentBy: feedback.sentBy ?? null,
  });
}

/** The most messages `NearMiss.feedback` and a receipt list: the latest ones (reopenings add messages without end). */
export const maxFeedbackMessages = 20;

/** The latest messages to the reporter of each near miss, oldest first: one statement per batch. */
export async function loadFeedback(
  tx: Transaction,
  tenantId: string,
  nearMissIds: readonly string[],
): Promise<FeedbackRecord[][]> {
  if (!nearMissIds.length) return [];
  const rows = await tx
    .getRepository(ReporterFeedbackEntity)
    .createQueryBuilder('f')
    .select(['f.id', 'f.nearMissId', 'f.at', 'f.kind', 'f.message'])
    .where('f.tenantId = :tenantId AND f.nearMissId IN (:...nearMissIds)', { tenantId, nearMissIds })
    // Per near miss, not per statement: a window over the same rows (the builder has no window functions).
    .andWhere(
      `f.id IN (SELECT ranked.id FROM (
         SELECT r.id, row_number() OVER (PARTITION BY r.near_miss_id ORDER BY r.at DESC, r.id DESC) AS position
         FROM reporter_feedback r WHERE r.tenant_id = :tenantId AND r.near_miss_id IN (:...nearMissIds)) ranked
       WHERE ranked.position <= :maxMessages)`,
      { maxMessages: maxFeedbackMessages },
    )
    .orderBy('f.at', 'ASC')
    .addOrderBy('f.id', 'ASC')
    .getMany();
  const groups = new Map<string, FeedbackRecord[]>();
  for (const row of rows) {
    groups.set(row.nearMissId, [
      ...(groups.get(row.nearMissId) ?? []),
      { at: row.at, kind: row.kind as FeedbackKind, message: row.message },
    ]);
  }
  return nearMissIds.map((id) => groups.get(id) ?? []);
}

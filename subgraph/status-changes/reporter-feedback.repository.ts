import { In } from 'typeorm';
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

/** Messages to the reporter of each near miss, oldest first: one statement per batch. */
export async function loadFeedback(
  tx: Transaction,
  tenantId: string,
  nearMissIds: readonly string[],
): Promise<FeedbackRecord[][]> {
  const rows = await tx.getRepository(ReporterFeedbackEntity).find({
    select: { id: true, nearMissId: true, at: true, kind: true, message: true },
    where: { tenantId, nearMissId: In([...nearMissIds]) },
    order: { at: 'ASC', id: 'ASC' },
  });
  const groups = new Map<string, FeedbackRecord[]>();
  for (const row of rows) {
    groups.set(row.nearMissId, [
      ...(groups.get(row.nearMissId) ?? []),
      { at: row.at, kind: row.kind as FeedbackKind, message: row.message },
    ]);
  }
  return nearMissIds.map((id) => groups.get(id) ?? []);
}

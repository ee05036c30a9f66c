import { In } from 'typeorm';
import type { Transaction } from '../database/transaction';
import { GateCompletionEntity } from './gate-completion.entity';

export interface GateCompletion {
  key: string;
  doneBy: string;
  doneAt: Date;
}

export interface NewGateCompletion {
  tenantId: string;
  nearMissId: string;
  key: string;
  doneBy: string;
  note?: string;
}

/** Gate items done for each near miss: one statement per batch. */
export async function loadGateCompletions(
  tx: Transaction,
  tenantId: string,
  nearMissIds: readonly string[],
): Promise<GateCompletion[][]> {
  const rows = await tx.getRepository(GateCompletionEntity).find({
    select: { nearMissId: true, key: true, doneBy: true, doneAt: true },
    where: { tenantId, nearMissId: In([...nearMissIds]) },
  });
  const groups = new Map<string, GateCompletion[]>();
  for (const row of rows)
    groups.set(row.nearMissId, [
      ...(groups.get(row.nearMissId) ?? []),
      { key: row.key, doneBy: row.doneBy, doneAt: row.doneAt },
    ]);
  return nearMissIds.map((id) => groups.get(id) ?? []);
}

/** Keys of the gate items done for one near miss. */
export async function loadDoneGateKeys(
  tx: Transaction,
  nearMiss: { id: string; tenantId: string },
): Promise<Set<string>> {
  const rows = await tx
    .getRepository(GateCompletionEntity)
    .find({ select: { nearMissId: true, key: true }, where: { tenantId: nearMiss.tenantId, nearMissId: nearMiss.id } });
  return new Set(rows.map((row) => row.key));
}

/** Marks a gate item done, timed by the database clock. */
export async function insertGateCompletion(tx: Transaction, completion: NewGateCompletion): Promise<void> {
  await tx.getRepository(GateCompletionEntity).insert({
    tenantId: completion.tenantId,
    nearMissId: completion.nearMissId,
    key: completion.key,
    doneBy: completion.doneBy,
    doneAt: () => 'clock_timestamp()',
    note: completion.note ?? null,
  });
}

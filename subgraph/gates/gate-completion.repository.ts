import type { Transaction } from '../database/transaction';

export interface GateCompletion {
  key: string;
  doneBy: string;
  doneAt: Date;
}

interface GateCompletionRow {
  near_miss_id: string;
  key: string;
  done_by: string;
  done_at: Date;
}

export interface NewGateCompletion {
  tenantId: string;
  nearMissId: string;
  key: string;
  doneBy: string;
  note?: string;
}

/** Gate items done for each near miss: one statement per batch. */
export async function loadGateCompletions(tx: Transaction, tenantId: string, nearMissIds: readonly string[]): Promise<GateCompletion[][]> {
  const rows: GateCompletionRow[] = await tx.query(
    `SELECT near_miss_id, key, done_by, done_at FROM gate_completion WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[])`,
    [tenantId, nearMissIds],
  );
  const groups = new Map<string, GateCompletion[]>();
  for (const row of rows) groups.set(row.near_miss_id, [...(groups.get(row.near_miss_id) ?? []), { key: row.key, doneBy: row.done_by, doneAt: row.done_at }]);
  return nearMissIds.map((id) => groups.get(id) ?? []);
}

/** Keys of the gate items done for one near miss. */
export async function loadDoneGateKeys(tx: Transaction, nearMiss: { id: string; tenantId: string }): Promise<Set<string>> {
  const rows: { key: string }[] = await tx.query(`SELECT key FROM gate_completion WHERE tenant_id = $1 AND near_miss_id = $2`, [nearMiss.tenantId, nearMiss.id]);
  return new Set(rows.map((row) => row.key));
}

export async function insertGateCompletion(tx: Transaction, completion: NewGateCompletion): Promise<void> {
  await tx.query(`INSERT INTO gate_completion (tenant_id, near_miss_id, key, done_by, done_at, note) VALUES ($1, $2, $3, $4, clock_timestamp(), $5)`, [
    completion.tenantId,
    completion.nearMissId,
    completion.key,
    completion.doneBy,
    completion.note ?? null,
  ]);
}

import type { Transaction } from '../database/transaction';
import type { NearMiss } from '../near-misses/near-miss.type';

/** The near miss a change applies to. */
export type ChangeTarget = Pick<NearMiss, 'id' | 'tenantId'>;

/**
 * Every change to a near miss bumps its version (the optimistic lock clients
 * hold) and updated_at in the same statement; `set` is one of the named
 * changes below, never caller text. Raw SQL: `version = version + 1` is the
 * point of the statement.
 */
async function update(tx: Transaction, target: ChangeTarget, set: string, values: unknown[] = []): Promise<void> {
  await tx.query(`UPDATE near_miss SET ${set}version = version + 1, updated_at = now() WHERE id = $1 AND tenant_id = $2`, [
    target.id,
    target.tenantId,
    ...values,
  ]);
}

export const markAcknowledged = (tx: Transaction, target: ChangeTarget, by: string) =>
  update(tx, target, `status = 'ACKNOWLEDGED', acknowledged_at = now(), acknowledged_by = $3, `, [by]);

export const markTriaged = (tx: Transaction, target: ChangeTarget) => update(tx, target, `status = 'TRIAGED', `);

export const markActionsInProgress = (tx: Transaction, target: ChangeTarget) => update(tx, target, `status = 'ACTIONS_IN_PROGRESS', `);

export const markVerifying = (tx: Transaction, target: ChangeTarget) => update(tx, target, `status = 'VERIFYING', `);

export const markClosed = (tx: Transaction, target: ChangeTarget, change: { by: string; outcome: string }) =>
  update(tx, target, `status = 'CLOSED', closed_at = now(), closed_by = $3, outcome = $4, `, [change.by, change.outcome]);

/** Back to triage: a new due time, and the reason and count of reopenings. */
export const markReopened = (tx: Transaction, target: ChangeTarget, change: { reason: string; triageDueAt: Date }) =>
  update(tx, target, `status = 'REOPENED', reopened_at = now(), reopen_reason = $3, reopen_count = reopen_count + 1, triage_due_at = $4, `, [
    change.reason,
    change.triageDueAt,
  ]);

/** A change that leaves the status as it is (e.g. a gate item done). */
export const bumpVersion = (tx: Transaction, target: ChangeTarget) => update(tx, target, '');

export const recordNoActionReason = (tx: Transaction, target: ChangeTarget, reason: string) =>
  update(tx, target, 'no_action_reason = $3, ', [reason]);

import type { QueryDeepPartialEntity } from 'typeorm';
import type { Transaction } from '../database/transaction';
import { NearMissEntity } from '../near-misses/near-miss.entity';
import type { NearMiss } from '../near-misses/near-miss.type';

/** The near miss a change applies to. */
export type ChangeTarget = Pick<NearMiss, 'id' | 'tenantId'>;

/**
 * Every change to a near miss bumps its version (the optimistic lock clients
 * hold) and updated_at in the same statement as the change itself.
 */
async function change(
  tx: Transaction,
  target: ChangeTarget,
  values: QueryDeepPartialEntity<NearMissEntity>,
): Promise<void> {
  await tx
    .getRepository(NearMissEntity)
    .update(
      { id: target.id, tenantId: target.tenantId },
      { ...values, version: () => 'version + 1', updatedAt: () => 'now()' },
    );
}

export const markAcknowledged = (tx: Transaction, target: ChangeTarget, by: string) =>
  change(tx, target, { status: 'ACKNOWLEDGED', acknowledgedAt: () => 'now()', acknowledgedBy: by });

export const markTriaged = (tx: Transaction, target: ChangeTarget) => change(tx, target, { status: 'TRIAGED' });

export const markActionsInProgress = (tx: Transaction, target: ChangeTarget) =>
  change(tx, target, { status: 'ACTIONS_IN_PROGRESS' });

export const markVerifying = (tx: Transaction, target: ChangeTarget) => change(tx, target, { status: 'VERIFYING' });

export const markClosed = (
  tx: Transaction,
  target: ChangeTarget,
  closure: { by: string; outcome: string; weakOnlyOverrideReason?: string | null },
) =>
  change(tx, target, {
    status: 'CLOSED',
    closedAt: () => 'now()',
    closedBy: closure.by,
    outcome: closure.outcome,
    weakOnlyOverrideReason: closure.weakOnlyOverrideReason ?? null,
  });

/** Back to triage: a new due time, and the reason and count of reopenings. */
export const markReopened = (tx: Transaction, target: ChangeTarget, reopening: { reason: string; triageDueAt: Date }) =>
  change(tx, target, {
    status: 'REOPENED',
    reopenedAt: () => 'now()',
    reopenReason: reopening.reason,
    reopenCount: () => 'reopen_count + 1',
    triageDueAt: reopening.triageDueAt,
  });

/** A change that leaves the status as it is (e.g. a gate item done). */
export const bumpVersion = (tx: Transaction, target: ChangeTarget) => change(tx, target, {});

export const recordNoActionReason = (tx: Transaction, target: ChangeTarget, reason: string) =>
  change(tx, target, { noActionReason: reason });

/** The near miss reached the person after all (the status stays: its learning loop goes on). */
export const markReclassified = (
  tx: Transaction,
  target: ChangeTarget,
  reclassification: { by: string; harm: string; reason: string },
) =>
  change(tx, target, {
    reclassifiedAt: () => 'now()',
    reclassifiedBy: reclassification.by,
    reclassifiedHarm: reclassification.harm,
    reclassificationReason: reclassification.reason,
  });

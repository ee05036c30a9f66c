import { z } from 'zod';
import { authorize } from '../auth/role-matrix';
import { conflict } from '../common/errors';
import { text, validate } from '../common/validation';
import type { Transaction } from '../database/transaction';
import { actualHarms, type ActualHarmValue } from '../domain/vocabulary';
import type { NearMiss } from '../near-misses/near-miss.type';
import type { Actor } from '../server/actor';
import { markReclassified } from '../status-changes/status-change.repository';
import { checkVersion, lockNearMiss, readNearMiss, recordChange } from '../status-changes/status-change.service';
import { reclassificationRefusal } from './reclassification-rules';

export interface ReclassifyInput {
  id: string;
  expectedVersion: number;
  harm: ActualHarmValue;
  reason: string;
}

const reclassifySchema = z.object({
  expectedVersion: z.number().int().min(1, 'must be a version returned by the API'),
  harm: z.enum(actualHarms),
  reason: text(4000),
});

/**
 * The event reached the person after all: the near miss becomes an incident
 * for the host's incident system (the outbox event), keeps its audit trail
 * and learning loop, and leaves the near-miss trends. One transaction:
 * authorise, validate, lock, rules, write, audit, outbox.
 */
export async function reclassifyAsIncident(
  tx: Transaction,
  actor: Actor,
  input: ReclassifyInput,
): Promise<NearMiss | null> {
  const { principal } = actor;
  authorize(principal, 'nearMiss.reclassify');
  const valid = validate(reclassifySchema, {
    expectedVersion: input.expectedVersion,
    harm: input.harm,
    reason: input.reason,
  });
  const nearMiss = await lockNearMiss(tx, actor, input.id);
  checkVersion(nearMiss, valid.expectedVersion);
  const refusal = reclassificationRefusal(nearMiss);
  if (refusal) throw conflict(refusal, { currentVersion: nearMiss.version });
  await markReclassified(tx, nearMiss, { by: principal.staffId, harm: valid.harm, reason: valid.reason });
  await recordChange(tx, principal, nearMiss, {
    action: 'near_miss.reclassified_as_incident',
    detail: { harm: valid.harm, reason: valid.reason },
    event: { harm: valid.harm, actuality: 'actual', status: nearMiss.status },
  });
  return readNearMiss(tx, actor, nearMiss.id);
}

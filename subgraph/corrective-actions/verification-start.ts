import type { Transaction } from '../database/transaction';
import { lockForUpdate } from '../near-misses/near-miss.repository';
import type { Actor } from '../server/actor';
import { markVerifying } from '../status-changes/status-change.repository';
import { gateState, type ChangeLog } from '../status-changes/status-change.service';
import { readyForVerification } from './closure-conditions';
import { loadActionStatesOf } from './corrective-action.repository';

/**
 * Moves near misses whose actions are all done (and gates done) to
 * VERIFYING, adding each change to `log`. A system step: no role needed.
 */
export async function advanceToVerification(
  tx: Transaction,
  actor: Actor,
  nearMissIds: readonly string[],
  log: ChangeLog,
): Promise<void> {
  for (const id of [...nearMissIds].sort()) {
    const nearMiss = await lockForUpdate(tx, { tenantId: actor.principal.tenantId, serviceIds: '*' }, id);
    if (!nearMiss || nearMiss.status !== 'ACTIONS_IN_PROGRESS') continue;
    const { required, done } = await gateState(tx, actor.services.registry, nearMiss);
    const actions = await loadActionStatesOf(tx, nearMiss);
    if (
      !readyForVerification(
        actions,
        required.every((key) => done.has(key)),
      )
    )
      continue;
    await markVerifying(tx, nearMiss);
    log.change(undefined, nearMiss, {
      action: 'near_miss.verification_started',
      detail: { status: { from: nearMiss.status, to: 'VERIFYING' } },
      event: { status: 'VERIFYING' },
    });
  }
}

import type { Transaction } from '../database/transaction';
import { ChangeLog } from '../status-changes/status-change.service';
import { lockNearMissesOf, lockRecurrentActions, type RecurrentAction } from './corrective-action.repository';
import { reopenAction } from './corrective-action.service';

export interface NewReport {
  id: string;
  reference: string;
  tenantId: string;
  serviceId: string;
  category: string;
  similarityKey: string | null;
  /** The report's kind key, for actions answering for the same kind in their services. */
  kindKey: string | null;
  occurredAt: Date;
  reportedAt: Date;
}

/**
 * Inside the report's transaction: a similar near miss reported in a done
 * action's services during its monitoring window means the control did not
 * hold, so the action and its near misses reopen. The window is measured on
 * when the report arrives: a late report of an earlier similar event is new
 * evidence the action was not tested against, so it reopens the action too
 * (the cause records when it occurred). Actions are locked in id
 * order and re-checked under the lock, so a report racing a closure or a
 * verification on another replica either sees the committed state or waits for it.
 */
export interface Recurrence {
  actions: RecurrentAction[];
}

/** Phase one, before any audit write: find and lock the actions (and their near misses) the report recurs against. */
export async function lockRecurrences(tx: Transaction, report: NewReport): Promise<Recurrence> {
  if (!report.similarityKey && !report.kindKey) return { actions: [] };
  const actions = await lockRecurrentActions(tx, report);
  await lockNearMissesOf(
    tx,
    report.tenantId,
    actions.map((action) => action.id),
  );
  return { actions };
}

/** Phase two: reopen them (writes, then audit and outbox events); returns the reopened actions' ids. */
export async function reopenRecurrences(
  tx: Transaction,
  report: NewReport,
  { actions }: Recurrence,
): Promise<string[]> {
  const log = new ChangeLog();
  for (const action of actions) {
    await reopenAction(
      tx,
      undefined,
      action,
      {
        kind: 'recurrence',
        nearMissId: report.id,
        reference: report.reference,
        occurredAt: report.occurredAt.toISOString(),
      },
      log,
    );
  }
  await log.record(tx);
  return actions.map((action) => action.id);
}

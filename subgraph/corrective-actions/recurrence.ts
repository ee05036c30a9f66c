import type { EntityManager } from 'typeorm';
import { lockNearMissesOf, reopenAction } from './corrective-action.service';

export interface NewReport {
  id: string;
  reference: string;
  tenantId: string;
  serviceId: string;
  category: string;
  similarityKey: string | null;
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
  actions: { id: string; tenant_id: string; owner_id: string; title: string }[];
}

/** Phase one, before any audit write: find and lock the actions (and their near misses) the report recurs against. */
export async function lockRecurrences(manager: EntityManager, report: NewReport): Promise<Recurrence> {
  if (!report.similarityKey) return { actions: [] };
  const actions: { id: string; tenant_id: string; owner_id: string; title: string }[] = await manager.query(
    `SELECT a.id, a.tenant_id, a.owner_id, a.title FROM corrective_action a
     WHERE a.tenant_id = $1
       AND a.status = 'DONE' AND a.effective IS DISTINCT FROM false
       AND $2 = ANY(a.service_ids)
       AND $3 >= a.completed_at AND $3 <= a.completed_at + a.monitoring_days * interval '1 day'
       AND a.id IN (
         SELECT l.action_id FROM corrective_action_near_miss l JOIN near_miss n ON n.id = l.near_miss_id
         WHERE l.tenant_id = $1 AND n.tenant_id = $1 AND n.category = $4 AND n.similarity_key = $5 AND n.id <> $6
       )
     ORDER BY a.id
     FOR UPDATE`,
    [report.tenantId, report.serviceId, report.reportedAt, report.category, report.similarityKey, report.id],
  );
  await lockNearMissesOf(manager, report.tenantId, actions.map((action) => action.id));
  return { actions };
}

/** Phase two: reopen them (writes audit and outbox events). */
export async function reopenRecurrences(manager: EntityManager, report: NewReport, { actions }: Recurrence): Promise<string[]> {
  for (const action of actions) {
    await reopenAction(manager, undefined, { id: action.id, tenantId: action.tenant_id, ownerId: action.owner_id, title: action.title }, {
      kind: 'recurrence',
      nearMissId: report.id,
      reference: report.reference,
      occurredAt: report.occurredAt.toISOString(),
    });
  }
  return actions.map((action) => action.id);
}

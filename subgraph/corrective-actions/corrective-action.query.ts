import type { EntityManager } from 'typeorm';
import type { Principal } from '../auth/principal';
import { monitoringUntil } from '../verification/verification-rules';
import { isOpenAction, type ActionStatusValue } from './action-rules';
import type { CorrectiveAction, VerificationCheck } from './corrective-action.type';

/** Which actions a caller may read: their tenant, and actions applying to one of their services. */
export interface ActionScope {
  tenantId: string;
  serviceIds: string[] | '*';
}

export const actionScopeOf = (principal: Principal): ActionScope => ({ tenantId: principal.tenantId, serviceIds: principal.services });

const actionColumns = `a.id, a.tenant_id, a.title, a.owner_id, a.due_by, a.status, a.action_type, a.strength, a.evidence_required, a.evidence,
  a.target, a.service_ids, a.monitoring_days, a.completed_at, a.cancelled_reason, a.effective, a.effectiveness_reason, a.reopen_count`;

type Row = Record<string, any>;

export function toAction(row: Row, now = new Date()): CorrectiveAction {
  const completedAt: Date | undefined = row.completed_at ?? undefined;
  return {
    id: row.id,
    tenantId: row.tenant_id,
    title: row.title,
    ownerId: row.owner_id,
    owner: { id: row.owner_id },
    dueBy: row.due_by,
    status: row.status,
    actionType: row.action_type ?? undefined,
    strength: row.strength,
    evidenceRequired: row.evidence_required,
    evidence: row.evidence,
    target: row.target,
    serviceIds: row.service_ids,
    monitoringDays: row.monitoring_days,
    monitoringUntil: completedAt ? monitoringUntil(completedAt, row.monitoring_days) : undefined,
    completedAt,
    cancelledReason: row.cancelled_reason,
    effective: row.effective,
    effectivenessReason: row.effectiveness_reason,
    overdue: isOpenAction(row.status) && row.due_by.getTime() < now.getTime(),
    reopenCount: row.reopen_count,
  };
}

export function toCheck(row: Row, now = new Date()): VerificationCheck {
  return {
    id: row.id,
    actionId: row.action_id,
    sequence: row.sequence,
    method: row.method,
    dueAt: row.due_at,
    performedAt: row.performed_at ?? undefined,
    performedById: row.performed_by ?? undefined,
    result: row.result ?? undefined,
    evidence: row.evidence,
    notes: row.notes,
    overdue: !row.performed_at && row.due_at.getTime() < now.getTime(),
  };
}

function scopeConditions(scope: ActionScope, values: unknown[]): string {
  values.push(scope.tenantId);
  let where = `a.tenant_id = $${values.length}`;
  if (scope.serviceIds !== '*') {
    values.push(scope.serviceIds);
    where += ` AND a.service_ids && $${values.length}::text[]`;
  }
  return where;
}

export async function loadActionsByIds(manager: EntityManager, scope: ActionScope, ids: readonly string[]): Promise<(CorrectiveAction | null)[]> {
  const valid = ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  if (!valid.length) return ids.map(() => null);
  const values: unknown[] = [];
  const where = scopeConditions(scope, values);
  values.push(valid);
  const rows: Row[] = await manager.query(`SELECT ${actionColumns} FROM corrective_action a WHERE ${where} AND a.id = ANY($${values.length}::uuid[])`, values);
  const byId = new Map(rows.map((row) => [row.id as string, toAction(row)]));
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}

export async function loadActionsByNearMiss(manager: EntityManager, scope: ActionScope, nearMissIds: readonly string[]): Promise<CorrectiveAction[][]> {
  const values: unknown[] = [];
  const where = scopeConditions(scope, values);
  values.push(nearMissIds);
  const rows: Row[] = await manager.query(
    `SELECT l.near_miss_id, ${actionColumns} FROM corrective_action_near_miss l JOIN corrective_action a ON a.id = l.action_id
     WHERE ${where} AND l.tenant_id = a.tenant_id AND l.near_miss_id = ANY($${values.length}::uuid[]) ORDER BY a.created_at, a.id`,
    values,
  );
  return nearMissIds.map((id) => rows.filter((row) => row.near_miss_id === id).map((row) => toAction(row)));
}

export async function loadActionsByOwner(manager: EntityManager, scope: ActionScope, ownerIds: readonly string[], statuses?: ActionStatusValue[]): Promise<CorrectiveAction[][]> {
  const values: unknown[] = [];
  let where = scopeConditions(scope, values);
  values.push(ownerIds);
  where += ` AND a.owner_id = ANY($${values.length}::text[])`;
  if (statuses?.length) {
    values.push(statuses);
    where += ` AND a.status = ANY($${values.length}::text[])`;
  }
  const rows: Row[] = await manager.query(`SELECT ${actionColumns} FROM corrective_action a WHERE ${where} ORDER BY a.due_by, a.id`, values);
  return ownerIds.map((ownerId) => rows.filter((row) => row.owner_id === ownerId).map((row) => toAction(row)));
}

export async function loadNearMissIdsByAction(manager: EntityManager, tenantId: string, actionIds: readonly string[]): Promise<string[][]> {
  const rows: Row[] = await manager.query(
    `SELECT action_id, near_miss_id FROM corrective_action_near_miss WHERE tenant_id = $1 AND action_id = ANY($2::uuid[]) ORDER BY near_miss_id`,
    [tenantId, actionIds],
  );
  return actionIds.map((id) => rows.filter((row) => row.action_id === id).map((row) => row.near_miss_id as string));
}

export async function loadChecksByAction(manager: EntityManager, tenantId: string, actionIds: readonly string[]): Promise<VerificationCheck[][]> {
  const rows: Row[] = await manager.query(
    `SELECT * FROM verification_check WHERE tenant_id = $1 AND action_id = ANY($2::uuid[]) ORDER BY due_at, sequence`,
    [tenantId, actionIds],
  );
  return actionIds.map((id) => rows.filter((row) => row.action_id === id).map((row) => toCheck(row)));
}

export async function loadChecksByIds(manager: EntityManager, scope: ActionScope, ids: readonly string[]): Promise<(VerificationCheck | null)[]> {
  const valid = ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  if (!valid.length) return ids.map(() => null);
  const values: unknown[] = [];
  const where = scopeConditions(scope, values);
  values.push(valid);
  const rows: Row[] = await manager.query(
    `SELECT c.* FROM verification_check c JOIN corrective_action a ON a.id = c.action_id WHERE ${where} AND c.id = ANY($${values.length}::uuid[])`,
    values,
  );
  const byId = new Map(rows.map((row) => [row.id as string, toCheck(row)]));
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}

/** Scope conditions narrowed to actions that apply to one of `serviceIds`, when given. */
function inServices(scope: ActionScope, serviceIds: string[] | undefined, values: unknown[]): string {
  const where = scopeConditions(scope, values);
  if (!serviceIds?.length) return where;
  values.push(serviceIds);
  return `${where} AND a.service_ids && $${values.length}::text[]`;
}

/** Open actions past their due date, oldest first. */
export async function loadOverdueActions(manager: EntityManager, scope: ActionScope, serviceIds?: string[]): Promise<CorrectiveAction[]> {
  const values: unknown[] = [];
  const rows: Row[] = await manager.query(
    `SELECT ${actionColumns} FROM corrective_action a WHERE ${inServices(scope, serviceIds, values)}
     AND a.status IN ('OPEN', 'IN_PROGRESS') AND a.due_by < now() ORDER BY a.due_by LIMIT 500`,
    values,
  );
  return rows.map((row) => toAction(row));
}

/** Checks not performed and past their due time, oldest first. */
export async function loadOverdueChecks(manager: EntityManager, scope: ActionScope, serviceIds?: string[]): Promise<VerificationCheck[]> {
  const values: unknown[] = [];
  const rows: Row[] = await manager.query(
    `SELECT c.* FROM verification_check c JOIN corrective_action a ON a.id = c.action_id
     WHERE ${inServices(scope, serviceIds, values)} AND c.tenant_id = a.tenant_id AND c.performed_at IS NULL AND c.due_at < now()
     AND a.status <> 'CANCELLED' ORDER BY c.due_at LIMIT 500`,
    values,
  );
  return rows.map((row) => toCheck(row));
}

/** One action, locked for the rest of the transaction. */
export async function lockAction(manager: EntityManager, scope: ActionScope, id: string): Promise<CorrectiveAction | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const values: unknown[] = [];
  const where = scopeConditions(scope, values);
  values.push(id);
  const [row]: Row[] = await manager.query(`SELECT ${actionColumns} FROM corrective_action a WHERE ${where} AND a.id = $${values.length}::uuid FOR UPDATE`, values);
  return row ? toAction(row) : null;
}

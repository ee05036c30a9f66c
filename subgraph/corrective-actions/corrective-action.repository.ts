import type { Principal } from '../auth/principal';
import { uuid } from '../common/validation';
import type { Transaction } from '../database/transaction';
import type { VerificationMethodValue } from '../domain/vocabulary';
import { monitoringUntil, type VerificationResultValue } from '../verification/verification-rules';
import { isOpenAction, type ActionStatusValue, type ActionStrengthValue, type ActionTypeValue } from './action-rules';
import type { CorrectiveAction, VerificationCheck } from './corrective-action.type';

/** Which actions a caller may read: their tenant, and actions applying to one of their services. */
export interface ActionScope {
  tenantId: string;
  serviceIds: string[] | '*';
}

export const actionScopeOf = (principal: Principal): ActionScope => ({ tenantId: principal.tenantId, serviceIds: principal.services });

/** What a write needs to name an action. */
export type ActionTarget = Pick<CorrectiveAction, 'id' | 'tenantId'>;

const isId = (id: string) => uuid.safeParse(id).success;

const actionColumns = `a.id, a.tenant_id, a.title, a.owner_id, a.due_by, a.status, a.action_type, a.strength, a.evidence_required, a.evidence,
  a.target, a.service_ids, a.monitoring_days, a.completed_at, a.cancelled_reason, a.effective, a.effectiveness_reason, a.reopen_count`;

/** A corrective_action row as read by `actionColumns` (analytics reads the same columns). */
export interface ActionRow {
  id: string;
  tenant_id: string;
  title: string;
  owner_id: string;
  due_by: Date;
  status: ActionStatusValue;
  action_type: ActionTypeValue | null;
  strength: ActionStrengthValue;
  evidence_required: string[];
  evidence: string[];
  target: string;
  service_ids: string[];
  monitoring_days: number;
  completed_at: Date | null;
  cancelled_reason: string | null;
  effective: boolean | null;
  effectiveness_reason: string | null;
  reopen_count: number;
}

interface CheckRow {
  id: string;
  action_id: string;
  sequence: number;
  method: VerificationMethodValue;
  due_at: Date;
  performed_at: Date | null;
  performed_by: string | null;
  result: VerificationResultValue | null;
  evidence: string[];
  notes: string | null;
}

const checkColumns = `c.id, c.action_id, c.sequence, c.method, c.due_at, c.performed_at, c.performed_by, c.result, c.evidence, c.notes`;

export function toAction(row: ActionRow, now = new Date()): CorrectiveAction {
  const completedAt = row.completed_at ?? undefined;
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

function toCheck(row: CheckRow, now = new Date()): VerificationCheck {
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

/** Scope conditions narrowed to actions that apply to one of `serviceIds`, when given. */
function inServices(scope: ActionScope, serviceIds: string[] | undefined, values: unknown[]): string {
  const where = scopeConditions(scope, values);
  if (!serviceIds?.length) return where;
  values.push(serviceIds);
  return `${where} AND a.service_ids && $${values.length}::text[]`;
}

// Reads below are raw SQL: the scope is an array overlap (service_ids && $n) and
// lists join the link table; they are the loaders' batched statements.

export async function loadActionsByIds(tx: Transaction, scope: ActionScope, ids: readonly string[]): Promise<(CorrectiveAction | null)[]> {
  const valid = ids.filter(isId);
  if (!valid.length) return ids.map(() => null);
  const values: unknown[] = [];
  const where = scopeConditions(scope, values);
  values.push(valid);
  const rows: ActionRow[] = await tx.query(`SELECT ${actionColumns} FROM corrective_action a WHERE ${where} AND a.id = ANY($${values.length}::uuid[])`, values);
  const byId = new Map(rows.map((row) => [row.id, toAction(row)]));
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}

export async function loadActionsByNearMiss(tx: Transaction, scope: ActionScope, nearMissIds: readonly string[]): Promise<CorrectiveAction[][]> {
  const values: unknown[] = [];
  const where = scopeConditions(scope, values);
  values.push(nearMissIds);
  const rows: (ActionRow & { near_miss_id: string })[] = await tx.query(
    `SELECT l.near_miss_id, ${actionColumns} FROM corrective_action_near_miss l JOIN corrective_action a ON a.id = l.action_id
     WHERE ${where} AND l.tenant_id = a.tenant_id AND l.near_miss_id = ANY($${values.length}::uuid[]) ORDER BY a.created_at, a.id`,
    values,
  );
  return nearMissIds.map((id) => rows.filter((row) => row.near_miss_id === id).map((row) => toAction(row)));
}

export async function loadActionsByOwner(
  tx: Transaction,
  scope: ActionScope,
  ownerIds: readonly string[],
  statuses?: ActionStatusValue[],
): Promise<CorrectiveAction[][]> {
  const values: unknown[] = [];
  let where = scopeConditions(scope, values);
  values.push(ownerIds);
  where += ` AND a.owner_id = ANY($${values.length}::text[])`;
  if (statuses?.length) {
    values.push(statuses);
    where += ` AND a.status = ANY($${values.length}::text[])`;
  }
  const rows: ActionRow[] = await tx.query(`SELECT ${actionColumns} FROM corrective_action a WHERE ${where} ORDER BY a.due_by, a.id`, values);
  return ownerIds.map((ownerId) => rows.filter((row) => row.owner_id === ownerId).map((row) => toAction(row)));
}

export async function loadNearMissIdsByAction(tx: Transaction, tenantId: string, actionIds: readonly string[]): Promise<string[][]> {
  const rows: { action_id: string; near_miss_id: string }[] = await tx.query(
    `SELECT action_id, near_miss_id FROM corrective_action_near_miss WHERE tenant_id = $1 AND action_id = ANY($2::uuid[]) ORDER BY near_miss_id`,
    [tenantId, actionIds],
  );
  return actionIds.map((id) => rows.filter((row) => row.action_id === id).map((row) => row.near_miss_id));
}

/** The near misses an action answers, in id order. */
export async function loadLinkedNearMissIds(tx: Transaction, action: ActionTarget): Promise<string[]> {
  const [ids] = await loadNearMissIdsByAction(tx, action.tenantId, [action.id]);
  return ids;
}

/** What closure and verification rules need of a near miss's actions. */
export interface ActionState {
  id: string;
  status: ActionStatusValue;
  effective: boolean | null;
  title: string;
  strength: ActionStrengthValue;
}

export async function loadActionStatesOf(tx: Transaction, nearMiss: { id: string; tenantId: string }): Promise<ActionState[]> {
  return tx.query(
    `SELECT a.id, a.status, a.effective, a.title, a.strength FROM corrective_action_near_miss l JOIN corrective_action a ON a.id = l.action_id
     WHERE l.tenant_id = $1 AND l.near_miss_id = $2`,
    [nearMiss.tenantId, nearMiss.id],
  );
}

export async function loadChecksByAction(tx: Transaction, tenantId: string, actionIds: readonly string[]): Promise<VerificationCheck[][]> {
  const rows: CheckRow[] = await tx.query(
    `SELECT ${checkColumns} FROM verification_check c WHERE c.tenant_id = $1 AND c.action_id = ANY($2::uuid[]) ORDER BY c.due_at, c.sequence`,
    [tenantId, actionIds],
  );
  return actionIds.map((id) => rows.filter((row) => row.action_id === id).map((row) => toCheck(row)));
}

export async function loadChecksByIds(tx: Transaction, scope: ActionScope, ids: readonly string[]): Promise<(VerificationCheck | null)[]> {
  const valid = ids.filter(isId);
  if (!valid.length) return ids.map(() => null);
  const values: unknown[] = [];
  const where = scopeConditions(scope, values);
  values.push(valid);
  const rows: CheckRow[] = await tx.query(
    `SELECT ${checkColumns} FROM verification_check c JOIN corrective_action a ON a.id = c.action_id WHERE ${where} AND c.id = ANY($${values.length}::uuid[])`,
    values,
  );
  const byId = new Map(rows.map((row) => [row.id, toCheck(row)]));
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}

/** Open actions past their due date, oldest first. */
export async function loadOverdueActions(tx: Transaction, scope: ActionScope, serviceIds?: string[]): Promise<CorrectiveAction[]> {
  const values: unknown[] = [];
  const rows: ActionRow[] = await tx.query(
    `SELECT ${actionColumns} FROM corrective_action a WHERE ${inServices(scope, serviceIds, values)}
     AND a.status IN ('OPEN', 'IN_PROGRESS') AND a.due_by < now() ORDER BY a.due_by LIMIT 500`,
    values,
  );
  return rows.map((row) => toAction(row));
}

/** Checks not performed and past their due time, oldest first. */
export async function loadOverdueChecks(tx: Transaction, scope: ActionScope, serviceIds?: string[]): Promise<VerificationCheck[]> {
  const values: unknown[] = [];
  const rows: CheckRow[] = await tx.query(
    `SELECT ${checkColumns} FROM verification_check c JOIN corrective_action a ON a.id = c.action_id
     WHERE ${inServices(scope, serviceIds, values)} AND c.tenant_id = a.tenant_id AND c.performed_at IS NULL AND c.due_at < now()
     AND a.status <> 'CANCELLED' ORDER BY c.due_at LIMIT 500`,
    values,
  );
  return rows.map((row) => toCheck(row));
}

/** One action, locked for the rest of the transaction. Raw SQL: FOR UPDATE within the read scope. */
export async function lockAction(tx: Transaction, scope: ActionScope, id: string): Promise<CorrectiveAction | null> {
  if (!isId(id)) return null;
  const values: unknown[] = [];
  const where = scopeConditions(scope, values);
  values.push(id);
  const [row]: ActionRow[] = await tx.query(`SELECT ${actionColumns} FROM corrective_action a WHERE ${where} AND a.id = $${values.length}::uuid FOR UPDATE`, values);
  return row ? toAction(row) : null;
}

/**
 * Locks the near misses of actions, in id order (raw SQL: FOR UPDATE in one
 * statement, ordered, so writers never deadlock; see docs/data-layer.md).
 */
export async function lockNearMissesOf(tx: Transaction, tenantId: string, actionIds: string[]): Promise<void> {
  if (!actionIds.length) return;
  await tx.query(
    `SELECT n.id FROM near_miss n WHERE n.tenant_id = $1
       AND n.id IN (SELECT near_miss_id FROM corrective_action_near_miss WHERE tenant_id = $1 AND action_id = ANY($2::uuid[]))
     ORDER BY n.id FOR UPDATE`,
    [tenantId, actionIds],
  );
}

/** A done action a new report recurs against. */
export type RecurrentAction = Pick<CorrectiveAction, 'id' | 'tenantId' | 'ownerId' | 'title'>;

export interface RecurrenceProbe {
  id: string;
  tenantId: string;
  serviceId: string;
  category: string;
  similarityKey: string;
  reportedAt: Date;
}

/**
 * Done, not ineffective actions of the report's service, within their
 * monitoring window, that answer a similar near miss: locked in id order.
 * Raw SQL: a window on each row's own columns, and FOR UPDATE in id order.
 */
export async function lockRecurrentActions(tx: Transaction, report: RecurrenceProbe): Promise<RecurrentAction[]> {
  const rows: { id: string; tenant_id: string; owner_id: string; title: string }[] = await tx.query(
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
  return rows.map((row) => ({ id: row.id, tenantId: row.tenant_id, ownerId: row.owner_id, title: row.title }));
}

export interface NewAction {
  tenantId: string;
  title: string;
  ownerId: string;
  dueBy: Date;
  actionType: ActionTypeValue | null;
  strength: ActionStrengthValue;
  evidenceRequired: string[];
  target: string;
  serviceIds: string[];
  monitoringDays: number;
  createdBy: string;
}

/** Inserts an action; returns its id. */
export async function insertAction(tx: Transaction, action: NewAction): Promise<string> {
  const [{ id }]: { id: string }[] = await tx.query(
    `INSERT INTO corrective_action (tenant_id, title, owner_id, due_by, action_type, strength, evidence_required, target, service_ids, monitoring_days, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
    [action.tenantId, action.title, action.ownerId, action.dueBy, action.actionType, action.strength, action.evidenceRequired, action.target,
      action.serviceIds, action.monitoringDays, action.createdBy],
  );
  return id;
}

export async function linkNearMiss(tx: Transaction, action: ActionTarget, nearMissId: string): Promise<void> {
  await tx.query(`INSERT INTO corrective_action_near_miss (tenant_id, action_id, near_miss_id) VALUES ($1, $2, $3)`, [action.tenantId, action.id, nearMissId]);
}

export async function markActionDone(tx: Transaction, action: ActionTarget, change: { evidence: string[]; by: string }): Promise<void> {
  await tx.query(
    `UPDATE corrective_action SET status = 'DONE', evidence = $1, completed_at = clock_timestamp(), completed_by = $2, version = version + 1 WHERE id = $3 AND tenant_id = $4`,
    [change.evidence, change.by, action.id, action.tenantId],
  );
}

export async function markActionCancelled(tx: Transaction, action: ActionTarget, reason: string): Promise<void> {
  await tx.query(`UPDATE corrective_action SET status = 'CANCELLED', cancelled_reason = $1, version = version + 1 WHERE id = $2 AND tenant_id = $3`, [
    reason,
    action.id,
    action.tenantId,
  ]);
}

/** Open again and not effective, for `reason`; no longer completed. */
export async function markActionReopened(tx: Transaction, action: ActionTarget, reason: string): Promise<void> {
  await tx.query(
    `UPDATE corrective_action SET status = 'OPEN', effective = false, effectiveness_reason = $1, completed_at = NULL, completed_by = NULL,
       reopen_count = reopen_count + 1, version = version + 1 WHERE id = $2 AND tenant_id = $3`,
    [reason, action.id, action.tenantId],
  );
}

/** Effectiveness undecided again (new checks were scheduled). */
export async function clearEffectiveness(tx: Transaction, action: ActionTarget): Promise<void> {
  await tx.query(`UPDATE corrective_action SET effective = NULL, effectiveness_reason = NULL WHERE id = $1 AND tenant_id = $2`, [action.id, action.tenantId]);
}

export async function recordEffectiveness(tx: Transaction, action: ActionTarget, verdict: { effective: boolean; reason: string | null }): Promise<void> {
  await tx.query(`UPDATE corrective_action SET effective = $1, effectiveness_reason = $2, version = version + 1 WHERE id = $3 AND tenant_id = $4`, [
    verdict.effective,
    verdict.reason,
    action.id,
    action.tenantId,
  ]);
}

export async function countChecks(tx: Transaction, action: ActionTarget): Promise<number> {
  const [{ count }]: { count: number }[] = await tx.query(`SELECT count(*)::int AS count FROM verification_check WHERE tenant_id = $1 AND action_id = $2`, [
    action.tenantId,
    action.id,
  ]);
  return count;
}

export interface NewCheck {
  sequence: number;
  method: VerificationMethodValue;
  dueAt: Date;
  scheduledBy: string;
}

/** Inserts a check of an action; returns its id. */
export async function insertCheck(tx: Transaction, action: ActionTarget, check: NewCheck): Promise<string> {
  const [{ id }]: { id: string }[] = await tx.query(
    `INSERT INTO verification_check (tenant_id, action_id, sequence, method, due_at, scheduled_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [action.tenantId, action.id, check.sequence, check.method, check.dueAt, check.scheduledBy],
  );
  return id;
}

/** One check of the tenant, locked for the rest of the transaction (raw SQL: FOR UPDATE). */
export async function lockCheck(tx: Transaction, tenantId: string, id: string): Promise<VerificationCheck | null> {
  if (!isId(id)) return null;
  const [row]: CheckRow[] = await tx.query(`SELECT ${checkColumns} FROM verification_check c WHERE c.tenant_id = $1 AND c.id = $2::uuid FOR UPDATE`, [tenantId, id]);
  return row ? toCheck(row) : null;
}

export async function recordCheckResult(
  tx: Transaction,
  check: { id: string; tenantId: string },
  outcome: { by: string; result: VerificationResultValue; evidence: string[]; notes: string | null },
): Promise<void> {
  await tx.query(
    `UPDATE verification_check SET performed_at = clock_timestamp(), performed_by = $1, result = $2, evidence = $3, notes = $4 WHERE id = $5 AND tenant_id = $6`,
    [outcome.by, outcome.result, outcome.evidence, outcome.notes, check.id, check.tenantId],
  );
}

/** Results of every check of an action (null: not performed yet). */
export async function loadCheckResults(tx: Transaction, action: ActionTarget): Promise<(VerificationResultValue | null)[]> {
  const rows: { result: VerificationResultValue | null }[] = await tx.query(`SELECT result FROM verification_check WHERE tenant_id = $1 AND action_id = $2`, [
    action.tenantId,
    action.id,
  ]);
  return rows.map((row) => row.result);
}

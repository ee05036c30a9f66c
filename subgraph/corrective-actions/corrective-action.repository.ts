import type { SelectQueryBuilder } from 'typeorm';
import type { Principal } from '../auth/principal';
import { isUuid } from '../common/validation';
import type { Transaction } from '../database/transaction';
import type { RecurrenceScopeValue, VerificationMethodValue } from '../domain/vocabulary';
import { VerificationCheckEntity } from '../verification/verification-check.entity';
import { monitoringUntil, type VerificationResultValue } from '../verification/verification-rules';
import { isOpenAction, type ActionStatusValue, type ActionStrengthValue, type ActionTypeValue } from './action-rules';
import { CorrectiveActionNearMissEntity } from './corrective-action-near-miss.entity';
import { CorrectiveActionEntity } from './corrective-action.entity';
import type { CorrectiveAction, VerificationCheck } from './corrective-action.type';

/** Which actions a caller may read: their tenant, and actions applying to one of their services. */
export interface ActionScope {
  tenantId: string;
  serviceIds: string[] | '*';
}

export const actionScopeOf = (principal: Principal): ActionScope => ({
  tenantId: principal.tenantId,
  serviceIds: principal.services,
});

/** What a write needs to name an action. */
export type ActionTarget = Pick<CorrectiveAction, 'id' | 'tenantId'>;

const actionColumns = `a.id, a.tenant_id, a.title, a.owner_id, a.due_by, a.status, a.action_type, a.strength, a.evidence_required, a.evidence,
  a.target, a.service_ids, a.monitoring_days, a.recurrence_scope, a.target_max_recurrences, a.completed_at, a.cancelled_reason, a.effective, a.effectiveness_reason, a.reopen_count`;

/** A corrective_action row as read by `actionColumns`. */
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
  recurrence_scope: RecurrenceScopeValue;
  target_max_recurrences: number;
  completed_at: Date | null;
  cancelled_reason: string | null;
  effective: boolean | null;
  effectiveness_reason: string | null;
  reopen_count: number;
}

/** What a check read selects (entity fields). */
type CheckFields = Pick<
  VerificationCheckEntity,
  'id' | 'actionId' | 'sequence' | 'method' | 'dueAt' | 'performedAt' | 'performedBy' | 'result' | 'evidence' | 'notes'
>;

const checkFields = {
  id: true,
  actionId: true,
  sequence: true,
  method: true,
  dueAt: true,
  performedAt: true,
  performedBy: true,
  result: true,
  evidence: true,
  notes: true,
} as const;

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
    recurrenceScope: row.recurrence_scope,
    targetMaxRecurrences: row.target_max_recurrences,
    monitoringUntil: completedAt ? monitoringUntil(completedAt, row.monitoring_days) : undefined,
    completedAt,
    cancelledReason: row.cancelled_reason,
    effective: row.effective,
    effectivenessReason: row.effectiveness_reason,
    overdue: isOpenAction(row.status) && row.due_by.getTime() < now.getTime(),
    reopenCount: row.reopen_count,
  };
}

function toCheck(row: CheckFields, now = new Date()): VerificationCheck {
  return {
    id: row.id,
    actionId: row.actionId,
    sequence: row.sequence,
    method: row.method as VerificationMethodValue,
    dueAt: row.dueAt,
    performedAt: row.performedAt ?? undefined,
    performedById: row.performedBy ?? undefined,
    result: (row.result as VerificationResultValue | null) ?? undefined,
    evidence: row.evidence,
    notes: row.notes,
    overdue: !row.performedAt && row.dueAt.getTime() < now.getTime(),
  };
}

/** Checks joined to their action and confined to the action scope (`a`). */
function checksInScope(tx: Transaction, scope: ActionScope): SelectQueryBuilder<VerificationCheckEntity> {
  const query = tx
    .getRepository(VerificationCheckEntity)
    .createQueryBuilder('c')
    .select(Object.keys(checkFields).map((field) => `c.${field}`))
    .innerJoin(CorrectiveActionEntity, 'a', 'a.id = c.actionId AND a.tenantId = c.tenantId')
    .where('a.tenantId = :tenantId', { tenantId: scope.tenantId });
  return scope.serviceIds === '*'
    ? query
    : query.andWhere('a.serviceIds && CAST(:scopeServices AS text[])', { scopeServices: scope.serviceIds });
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

// Action reads are raw SQL: their rows are the `actionColumns` row governance reads
// too, the scope is an array overlap and lists join the link table.

export async function loadActionsByIds(
  tx: Transaction,
  scope: ActionScope,
  ids: readonly string[],
): Promise<(CorrectiveAction | null)[]> {
  const valid = ids.filter(isUuid);
  if (!valid.length) return ids.map(() => null);
  const values: unknown[] = [];
  const where = scopeConditions(scope, values);
  values.push(valid);
  const rows: ActionRow[] = await tx.query(
    `SELECT ${actionColumns} FROM corrective_action a WHERE ${where} AND a.id = ANY($${values.length}::uuid[])`,
    values,
  );
  const byId = new Map(rows.map((row) => [row.id, toAction(row)]));
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}

/**
 * The most a nested list returns per parent (NearMiss.correctiveActions,
 * CorrectiveAction.nearMisses, Staff.correctiveActionsOwned): the query cost
 * counts these lists at these sizes, so the database never returns more.
 */
export const listCaps = {
  actionsPerNearMiss: 50,
  nearMissesPerAction: 100,
  actionsPerOwner: 100,
} as const;

// Per-parent caps: one statement per batch, a LATERAL page per parent id.
export async function loadActionsByNearMiss(
  tx: Transaction,
  scope: ActionScope,
  nearMissIds: readonly string[],
): Promise<CorrectiveAction[][]> {
  const values: unknown[] = [];
  const where = scopeConditions(scope, values);
  values.push(nearMissIds);
  const rows: (ActionRow & { near_miss_id: string })[] = await tx.query(
    `SELECT page.* FROM unnest($${values.length}::uuid[]) AS anchor(id) CROSS JOIN LATERAL (
       SELECT l.near_miss_id, ${actionColumns} FROM corrective_action_near_miss l JOIN corrective_action a ON a.id = l.action_id
       WHERE ${where} AND l.tenant_id = a.tenant_id AND l.near_miss_id = anchor.id
       ORDER BY a.created_at, a.id LIMIT ${listCaps.actionsPerNearMiss}
     ) page`,
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
  const owners = values.length;
  where += ' AND a.owner_id = anchor.id';
  if (statuses?.length) {
    values.push(statuses);
    where += ` AND a.status = ANY($${values.length}::text[])`;
  }
  const rows: ActionRow[] = await tx.query(
    `SELECT page.* FROM unnest($${owners}::text[]) AS anchor(id) CROSS JOIN LATERAL (
       SELECT ${actionColumns} FROM corrective_action a WHERE ${where}
       ORDER BY a.due_by, a.id LIMIT ${listCaps.actionsPerOwner}
     ) page`,
    values,
  );
  return ownerIds.map((ownerId) => rows.filter((row) => row.owner_id === ownerId).map((row) => toAction(row)));
}

/** Every linked near miss per action, or at most `limit` (the first in id order) for the API's list. */
export async function loadNearMissIdsByAction(
  tx: Transaction,
  tenantId: string,
  actionIds: readonly string[],
  limit?: number,
): Promise<string[][]> {
  const rows: { action_id: string; near_miss_id: string }[] =
    limit === undefined
      ? await tx.query(
          `SELECT action_id, near_miss_id FROM corrective_action_near_miss WHERE tenant_id = $1 AND action_id = ANY($2::uuid[]) ORDER BY near_miss_id`,
          [tenantId, actionIds],
        )
      : await tx.query(
          `SELECT page.* FROM unnest($2::uuid[]) AS anchor(id) CROSS JOIN LATERAL (
             SELECT action_id, near_miss_id FROM corrective_action_near_miss
             WHERE tenant_id = $1 AND action_id = anchor.id ORDER BY near_miss_id LIMIT $3
           ) page`,
          [tenantId, actionIds, limit],
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

export async function loadActionStatesOf(
  tx: Transaction,
  nearMiss: { id: string; tenantId: string },
): Promise<ActionState[]> {
  return tx.query(
    `SELECT a.id, a.status, a.effective, a.title, a.strength FROM corrective_action_near_miss l JOIN corrective_action a ON a.id = l.action_id
     WHERE l.tenant_id = $1 AND l.near_miss_id = $2`,
    [nearMiss.tenantId, nearMiss.id],
  );
}

/** The most checks an action holds (scheduleVerification refuses more) and `CorrectiveAction.verificationChecks` lists. */
export const maxChecksPerAction = 20;

/** The checks of several actions, the first maxChecksPerAction of each by due date: one statement. */
export async function loadChecksByAction(
  tx: Transaction,
  tenantId: string,
  actionIds: readonly string[],
): Promise<VerificationCheck[][]> {
  if (!actionIds.length) return [];
  const rows = await tx
    .getRepository(VerificationCheckEntity)
    .createQueryBuilder('c')
    .select(Object.keys(checkFields).map((field) => `c.${field}`))
    .where('c.tenantId = :tenantId AND c.actionId IN (:...actionIds)', { tenantId, actionIds })
    // Per action, not per statement: a window over the same rows (hand-written, the builder has no window functions).
    .andWhere(
      `c.id IN (SELECT ranked.id FROM (
         SELECT v.id, row_number() OVER (PARTITION BY v.action_id ORDER BY v.due_at, v.sequence) AS position
         FROM verification_check v WHERE v.tenant_id = :tenantId AND v.action_id IN (:...actionIds)) ranked
       WHERE ranked.position <= :maxChecks)`,
      { maxChecks: maxChecksPerAction },
    )
    .orderBy('c.dueAt', 'ASC')
    .addOrderBy('c.sequence', 'ASC')
    .getMany();
  return actionIds.map((id) => rows.filter((row) => row.actionId === id).map((row) => toCheck(row)));
}

export async function loadChecksByIds(
  tx: Transaction,
  scope: ActionScope,
  ids: readonly string[],
): Promise<(VerificationCheck | null)[]> {
  const valid = ids.filter(isUuid);
  if (!valid.length) return ids.map(() => null);
  const rows = await checksInScope(tx, scope).andWhere('c.id IN (:...ids)', { ids: valid }).getMany();
  const byId = new Map(rows.map((row) => [row.id, toCheck(row)]));
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}

/** Open actions past their due date, oldest first. */
export async function loadOverdueActions(
  tx: Transaction,
  scope: ActionScope,
  serviceIds?: string[],
): Promise<CorrectiveAction[]> {
  const values: unknown[] = [];
  const rows: ActionRow[] = await tx.query(
    `SELECT ${actionColumns} FROM corrective_action a WHERE ${inServices(scope, serviceIds, values)}
     AND a.status IN ('OPEN', 'IN_PROGRESS') AND a.due_by < now() ORDER BY a.due_by LIMIT 500`,
    values,
  );
  return rows.map((row) => toAction(row));
}

/** Checks not performed and past their due time, oldest first. */
export async function loadOverdueChecks(
  tx: Transaction,
  scope: ActionScope,
  serviceIds?: string[],
): Promise<VerificationCheck[]> {
  let query = checksInScope(tx, scope)
    .andWhere('c.performedAt IS NULL AND c.dueAt < now()')
    .andWhere(`a.status <> 'CANCELLED'`);
  if (serviceIds?.length) query = query.andWhere('a.serviceIds && CAST(:serviceIds AS text[])', { serviceIds });
  const rows = await query.orderBy('c.dueAt').limit(500).getMany();
  return rows.map((row) => toCheck(row));
}

/** One action, locked for the rest of the transaction. Raw SQL: FOR UPDATE within the read scope. */
export async function lockAction(tx: Transaction, scope: ActionScope, id: string): Promise<CorrectiveAction | null> {
  if (!isUuid(id)) return null;
  const values: unknown[] = [];
  const where = scopeConditions(scope, values);
  values.push(id);
  const [row]: ActionRow[] = await tx.query(
    `SELECT ${actionColumns} FROM corrective_action a WHERE ${where} AND a.id = $${values.length}::uuid FOR UPDATE`,
    values,
  );
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
  similarityKey: string | null;
  kindKey: string | null;
  reportedAt: Date;
}

/**
 * Done, not ineffective actions of the report's service, within their
 * monitoring window, that answer for the report: a similar near miss (scope
 * SAME_PERSON: the category's similarity), or the same kind of near miss to
 * anyone in their services (SAME_KIND_IN_SERVICES); locked in id order.
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
         WHERE l.tenant_id = $1 AND n.tenant_id = $1 AND n.category = $4 AND n.id <> $6
           AND CASE a.recurrence_scope WHEN 'SAME_KIND_IN_SERVICES' THEN n.kind_key = $7 ELSE n.similarity_key = $5 END
       )
     ORDER BY a.id
     FOR UPDATE`,
    [
      report.tenantId,
      report.serviceId,
      report.reportedAt,
      report.category,
      report.similarityKey,
      report.id,
      report.kindKey,
    ],
  );
  return rows.map((row) => ({ id: row.id, tenantId: row.tenant_id, ownerId: row.owner_id, title: row.title }));
}

/**
 * Near misses of what an action answers for (its scope: the similarity or
 * kind keys of its own near misses, their categories, in its services), not
 * its own, that occurred in each window.
 */
export async function countTargetOccurrences(
  tx: Transaction,
  action: { id: string; tenantId: string; serviceIds: string[]; recurrenceScope: RecurrenceScopeValue },
  windows: { from: Date; to: Date }[],
): Promise<number[]> {
  // Hand-written: one count per window over the near misses matching the action's own by key.
  const [row]: { counts: number[] }[] = await tx.query(
    `WITH own AS (
       SELECT n.id, n.category, CASE WHEN $4 = 'SAME_KIND_IN_SERVICES' THEN n.kind_key ELSE n.similarity_key END AS key
         FROM corrective_action_near_miss l JOIN near_miss n ON n.id = l.near_miss_id
        WHERE l.tenant_id = $1 AND l.action_id = $2::uuid
     ), windows AS (SELECT * FROM unnest($5::timestamptz[], $6::timestamptz[]) WITH ORDINALITY AS w (from_at, to_at, position))
     SELECT ARRAY(
       SELECT (SELECT count(*)::int FROM near_miss n
                WHERE n.tenant_id = $1 AND n.service_id = ANY($3::text[])
                  AND n.occurred_at >= w.from_at AND n.occurred_at < w.to_at
                  AND n.id NOT IN (SELECT id FROM own)
                  AND (n.category, CASE WHEN $4 = 'SAME_KIND_IN_SERVICES' THEN n.kind_key ELSE n.similarity_key END)
                      IN (SELECT category, key FROM own WHERE key IS NOT NULL))
         FROM windows w ORDER BY w.position) AS counts`,
    [
      action.tenantId,
      action.id,
      action.serviceIds,
      action.recurrenceScope,
      windows.map((window) => window.from.toISOString()),
      windows.map((window) => window.to.toISOString()),
    ],
  );
  return row.counts;
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
  recurrenceScope: RecurrenceScopeValue;
  targetMaxRecurrences: number;
  createdBy: string;
}

/** Inserts an action; returns its id. */
export async function insertAction(tx: Transaction, action: NewAction): Promise<string> {
  const { identifiers } = await tx.getRepository(CorrectiveActionEntity).insert(action);
  return identifiers[0].id as string;
}

export async function linkNearMiss(tx: Transaction, action: ActionTarget, nearMissId: string): Promise<void> {
  await tx
    .getRepository(CorrectiveActionNearMissEntity)
    .insert({ tenantId: action.tenantId, actionId: action.id, nearMissId });
}

const actionWhere = (action: ActionTarget) => ({ id: action.id, tenantId: action.tenantId });
const nextVersion = () => 'version + 1';

export async function markActionDone(
  tx: Transaction,
  action: ActionTarget,
  change: { evidence: string[]; by: string },
): Promise<void> {
  await tx.getRepository(CorrectiveActionEntity).update(actionWhere(action), {
    status: 'DONE',
    evidence: change.evidence,
    completedAt: () => 'clock_timestamp()',
    completedBy: change.by,
    version: nextVersion,
  });
}

export async function markActionCancelled(tx: Transaction, action: ActionTarget, reason: string): Promise<void> {
  await tx
    .getRepository(CorrectiveActionEntity)
    .update(actionWhere(action), { status: 'CANCELLED', cancelledReason: reason, version: nextVersion });
}

/** Open again and not effective, for `reason`; no longer completed. */
export async function markActionReopened(tx: Transaction, action: ActionTarget, reason: string): Promise<void> {
  await tx.getRepository(CorrectiveActionEntity).update(actionWhere(action), {
    status: 'OPEN',
    effective: false,
    effectivenessReason: reason,
    completedAt: null,
    completedBy: null,
    reopenCount: () => 'reopen_count + 1',
    version: nextVersion,
  });
}

/** Effectiveness undecided again (new checks were scheduled). */
export async function clearEffectiveness(tx: Transaction, action: ActionTarget): Promise<void> {
  await tx
    .getRepository(CorrectiveActionEntity)
    .update(actionWhere(action), { effective: null, effectivenessReason: null });
}

export async function recordEffectiveness(
  tx: Transaction,
  action: ActionTarget,
  verdict: { effective: boolean; reason: string | null },
): Promise<void> {
  await tx.getRepository(CorrectiveActionEntity).update(actionWhere(action), {
    effective: verdict.effective,
    effectivenessReason: verdict.reason,
    version: nextVersion,
  });
}

export async function countChecks(tx: Transaction, action: ActionTarget): Promise<number> {
  return tx.getRepository(VerificationCheckEntity).count({ where: { tenantId: action.tenantId, actionId: action.id } });
}

export interface NewCheck {
  sequence: number;
  method: VerificationMethodValue;
  dueAt: Date;
  scheduledBy: string;
}

/** Inserts a check of an action; returns its id. */
export async function insertCheck(tx: Transaction, action: ActionTarget, check: NewCheck): Promise<string> {
  const { identifiers } = await tx
    .getRepository(VerificationCheckEntity)
    .insert({ tenantId: action.tenantId, actionId: action.id, ...check });
  return identifiers[0].id as string;
}

/** One check of the tenant, locked for the rest of the transaction. */
export async function lockCheck(tx: Transaction, tenantId: string, id: string): Promise<VerificationCheck | null> {
  if (!isUuid(id)) return null;
  const row = await tx
    .getRepository(VerificationCheckEntity)
    .findOne({ select: checkFields, where: { tenantId, id }, lock: { mode: 'pessimistic_write' } });
  return row ? toCheck(row) : null;
}

export async function recordCheckResult(
  tx: Transaction,
  check: { id: string; tenantId: string },
  outcome: { by: string; result: VerificationResultValue; evidence: string[]; notes: string | null },
): Promise<void> {
  await tx.getRepository(VerificationCheckEntity).update(
    { id: check.id, tenantId: check.tenantId },
    {
      performedAt: () => 'clock_timestamp()',
      performedBy: outcome.by,
      result: outcome.result,
      evidence: outcome.evidence,
      notes: outcome.notes,
    },
  );
}

/** Results of every check of an action (null: not performed yet). */
export async function loadCheckResults(
  tx: Transaction,
  action: ActionTarget,
): Promise<(VerificationResultValue | null)[]> {
  const rows = await tx
    .getRepository(VerificationCheckEntity)
    .find({ select: { id: true, result: true }, where: { tenantId: action.tenantId, actionId: action.id } });
  return rows.map((row) => row.result as VerificationResultValue | null);
}

export const maxSharedLearning = 100;

/**
 * Learning shared across services: actions created in [from, to) whose
 * control applies to more than one service ("a rota near miss in one branch
 * means checking the same control in the others"), overlapping the caller's
 * services and the asked ones (null: any).
 */
export async function loadActionsAcrossServices(
  tx: Transaction,
  tenantId: string,
  period: { from: Date; to: Date; callerServiceIds: string[] | null; askedServiceIds: string[] | null },
): Promise<CorrectiveAction[]> {
  // Hand-written: array overlap (&&) of an action's services with the caller's and the asked ones.
  const rows: ActionRow[] = await tx.query(
    `SELECT ${actionColumns} FROM corrective_action a
     WHERE a.tenant_id = $1 AND cardinality(a.service_ids) > 1 AND a.created_at >= $4 AND a.created_at < $5
       AND a.status <> 'CANCELLED'
       AND ($2::text[] IS NULL OR a.service_ids && $2) AND ($3::text[] IS NULL OR a.service_ids && $3)
     ORDER BY a.created_at, a.id LIMIT ${maxSharedLearning}`,
    [tenantId, period.callerServiceIds, period.askedServiceIds, period.from, period.to],
  );
  return rows.map((row) => toAction(row));
}

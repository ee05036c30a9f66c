import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log';
import { worksInService, type Principal } from '../auth/principal';
import { authorize, isAllowed } from '../auth/role-matrix';
import { badUserInput, conflict, forbidden, notFound } from '../common/errors';
import { verificationMethods, type VerificationMethodValue } from '../domain/vocabulary';
import { decideTransition } from '../lifecycle/status-machine';
import { gateState, giveFeedback, recordChange, scopeOf, setStatus } from '../lifecycle/lifecycle.service';
import { reopenMessage } from '../lifecycle/reporter-feedback';
import { lockForUpdate } from '../near-misses/near-miss.repository';
import type { NearMiss } from '../near-misses/near-miss.type';
import { text, validate } from '../common/validation';
import { enqueueEvent } from '../outbox/outbox';
import type { RequestContext } from '../server/context';
import { readTenantSettings, windowsOf } from '../tenant-settings/tenant-settings';
import { triageDueAt } from '../triage/triage-due';
import { effectivenessOf, seriesDueDates, verificationResults, type VerificationResultValue } from '../verification/verification-rules';
import { actionStrengths, actionTypes, isOpenAction, missingEvidence, resolveStrength, type ActionStrengthValue, type ActionTypeValue } from './action-rules';
import { readyForVerification } from './closure-conditions';
import { actionScopeOf, lockAction, toCheck } from './corrective-action.query';
import type { CorrectiveAction } from './corrective-action.type';

type Context = Pick<RequestContext, 'principal' | 'db' | 'services'>;

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'is not a valid id');
const day = 24 * 60 * 60 * 1000;


export interface ActionRequest {
  nearMissIds: string[];
  title: string;
  ownerId: string;
  dueBy: Date;
  strength: ActionStrengthValue;
  actionType?: ActionTypeValue | null;
  evidenceRequired: string[];
  target: string;
  serviceIds?: string[] | null;
  monitoringDays?: number | null;
}

const actionSchema = (now: Date) =>
  z.object({
    nearMissIds: z.array(uuid).min(1, 'needs at least one near miss').max(50, 'may hold at most 50 items'),
    title: text(300),
    ownerId: text(100),
    // A past due date is allowed: the action is overdue from the start (e.g. recorded after the fact).
    dueBy: z.date().refine((date) => date.getTime() > now.getTime() - 366 * day, 'is more than a year ago'),
    strength: z.enum(actionStrengths),
    actionType: z.enum(actionTypes).optional(),
    evidenceRequired: z.array(text(200)).min(1, 'name at least one piece of evidence').max(20, 'may hold at most 20 items'),
    target: text(500),
    serviceIds: z.array(text(100)).min(1).max(50).optional(),
    monitoringDays: z.number().int().min(1).max(730).optional(),
  });

/** Locks near misses in id order, so concurrent writers never deadlock. */
async function lockNearMisses(manager: EntityManager, principal: Principal, ids: string[]): Promise<NearMiss[]> {
  const locked: NearMiss[] = [];
  for (const id of [...new Set(ids.map((value) => value.toLowerCase()))].sort()) {
    const nearMiss = await lockForUpdate(manager, scopeOf(principal), id);
    if (!nearMiss) throw notFound(`Near miss ${id} does not exist or is not in your services`);
    locked.push(nearMiss);
  }
  return locked;
}

/**
 * Locks an action's near misses, in id order, before any audit write. Every
 * writer takes its locks in one order: the repeat trigger's key locks (reports,
 * concluding a risk review), then actions, then near misses, then the tenant's
 * audit chain head, so a closure racing a verification, a recurrence or a
 * review's conclusion never deadlocks.
 */
export async function lockNearMissesOf(manager: EntityManager, tenantId: string, actionIds: string[]): Promise<void> {
  if (!actionIds.length) return;
  await manager.query(
    `SELECT n.id FROM near_miss n WHERE n.tenant_id = $1
       AND n.id IN (SELECT near_miss_id FROM corrective_action_near_miss WHERE tenant_id = $1 AND action_id = ANY($2::uuid[]))
     ORDER BY n.id FOR UPDATE`,
    [tenantId, actionIds],
  );
}

async function linkedNearMissIds(manager: EntityManager, tenantId: string, actionId: string): Promise<string[]> {
  const rows: { near_miss_id: string }[] = await manager.query(
    `SELECT near_miss_id FROM corrective_action_near_miss WHERE tenant_id = $1 AND action_id = $2 ORDER BY near_miss_id`,
    [tenantId, actionId],
  );
  return rows.map((row) => row.near_miss_id);
}

async function actionsOf(manager: EntityManager, tenantId: string, nearMissId: string) {
  return (await manager.query(
    `SELECT a.id, a.status, a.effective, a.title, a.strength FROM corrective_action_near_miss l JOIN corrective_action a ON a.id = l.action_id
     WHERE l.tenant_id = $1 AND l.near_miss_id = $2`,
    [tenantId, nearMissId],
  )) as { id: string; status: CorrectiveAction['status']; effective: boolean | null; title: string; strength: ActionStrengthValue }[];
}

/** Moves near misses whose actions are all done (and gates done) to VERIFYING. A system step: no role needed. */
export async function advanceToVerification(manager: EntityManager, context: Context, nearMissIds: string[]): Promise<void> {
  for (const id of [...nearMissIds].sort()) {
    const nearMiss = await lockForUpdate(manager, { tenantId: context.principal.tenantId, serviceIds: '*' }, id);
    if (!nearMiss || nearMiss.status !== 'ACTIONS_IN_PROGRESS') continue;
    const { required, done } = await gateState(manager, context, nearMiss);
    const actions = await actionsOf(manager, nearMiss.tenantId, nearMiss.id);
    if (!readyForVerification(actions, required.every((key) => done.has(key)))) continue;
    await setStatus(manager, nearMiss, 'VERIFYING');
    await recordChange(manager, undefined, nearMiss, 'near_miss.verification_started', { status: { from: nearMiss.status, to: 'VERIFYING' } }, { status: 'VERIFYING' });
  }
}

export async function addCorrectiveAction(context: Context, request: ActionRequest): Promise<string> {
  const { principal } = context;
  authorize(principal, 'actions.add');
  const input = validate(actionSchema(new Date()), {
    ...request,
    actionType: request.actionType ?? undefined,
    serviceIds: request.serviceIds ?? undefined,
    monitoringDays: request.monitoringDays ?? undefined,
  });
  const { strength, problems } = resolveStrength(input.actionType, input.strength);
  if (problems.length || !strength) throw badUserInput(problems);
  const outside = (input.serviceIds ?? []).filter((serviceId) => !worksInService(principal, serviceId));
  if (outside.length) throw forbidden(`You do not work in ${outside.join(', ')}, so you cannot set a control there`);

  return context.db.transaction(async (manager) => {
    const nearMisses = await lockNearMisses(manager, principal, input.nearMissIds);
    for (const nearMiss of nearMisses) {
      if (!['TRIAGED', 'ACTIONS_IN_PROGRESS', 'VERIFYING'].includes(nearMiss.status)) {
        throw conflict(`Near miss ${nearMiss.reference} is ${nearMiss.status}: actions follow triage`, { currentStatus: nearMiss.status });
      }
    }
    const serviceIds = input.serviceIds ?? [...new Set(nearMisses.map((nearMiss) => nearMiss.serviceId))];
    const [{ id }]: { id: string }[] = await manager.query(
      `INSERT INTO corrective_action (tenant_id, title, owner_id, due_by, action_type, strength, evidence_required, target, service_ids, monitoring_days, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
      [principal.tenantId, input.title, input.ownerId, input.dueBy, input.actionType ?? null, strength, input.evidenceRequired, input.target, serviceIds,
        input.monitoringDays ?? 42, principal.staffId],
    );
    for (const nearMiss of nearMisses) {
      await manager.query(`INSERT INTO corrective_action_near_miss (tenant_id, action_id, near_miss_id) VALUES ($1, $2, $3)`, [principal.tenantId, id, nearMiss.id]);
      const detail = { actionId: id, strength, actionType: input.actionType ?? null, ownerId: input.ownerId, serviceIds };
      if (nearMiss.status === 'ACTIONS_IN_PROGRESS') {
        await recordChange(manager, principal, nearMiss, 'corrective_action.added', detail, detail);
      } else {
        const decision = decideTransition(nearMiss.status, 'startActions', principal.roles);
        if (!decision.allowed) throw conflict(decision.message);
        await setStatus(manager, nearMiss, decision.to);
        await recordChange(manager, principal, nearMiss, 'corrective_action.added', { ...detail, status: { from: nearMiss.status, to: decision.to } }, { ...detail, status: decision.to });
      }
    }
    await enqueueEvent(manager, {
      tenantId: principal.tenantId,
      type: 'corrective_action.assigned',
      aggregateId: id,
      payload: { actionId: id, ownerId: input.ownerId, dueBy: input.dueBy.toISOString(), nearMissIds: nearMisses.map((nearMiss) => nearMiss.id), notify: ['action owner'] },
    });
    return id;
  });
}

/** The owner, or a lead or manager, may act on an action. */
function authorizeOwnerOr(principal: Principal, action: CorrectiveAction, operation: 'actions.complete' | 'verification.schedule') {
  if (action.ownerId !== principal.staffId && !isAllowed(principal, operation)) {
    throw forbidden(`Only the action's owner or a lead or manager may do this`);
  }
}

export async function completeCorrectiveAction(context: Context, id: string, evidence: string[]): Promise<void> {
  const { principal } = context;
  const input = validate(z.object({ evidence: z.array(z.string().max(500, 'must be at most 500 characters')).max(50, 'may hold at most 50 items') }), { evidence });
  await context.db.transaction(async (manager) => {
    const action = await lockAction(manager, actionScopeOf(principal), id);
    if (!action) throw notFound(`Corrective action ${id} does not exist or does not apply to your services`);
    authorizeOwnerOr(principal, action, 'actions.complete');
    if (!isOpenAction(action.status)) throw conflict(`Corrective action is ${action.status}`, { currentStatus: action.status });
    await lockNearMissesOf(manager, action.tenantId, [action.id]);
    const missing = missingEvidence(action.evidenceRequired, input.evidence);
    if (missing.length) throw badUserInput([{ path: 'evidence', message: `does not cover: ${missing.join(', ')}` }]);
    const given = input.evidence.map((entry) => entry.trim()).filter(Boolean);
    await manager.query(
      `UPDATE corrective_action SET status = 'DONE', evidence = $1, completed_at = clock_timestamp(), completed_by = $2, version = version + 1 WHERE id = $3 AND tenant_id = $4`,
      [given, principal.staffId, action.id, action.tenantId],
    );
    const nearMissIds = await linkedNearMissIds(manager, action.tenantId, action.id);
    await recordAudit(
      manager,
      nearMissIds.map((nearMissId) => ({ tenantId: action.tenantId, nearMissId, actor: principal.staffId, action: 'corrective_action.completed', detail: { actionId: action.id, evidenceCount: given.length } })),
    );
    await enqueueEvent(manager, { tenantId: action.tenantId, type: 'corrective_action.completed', aggregateId: action.id, payload: { actionId: action.id, ownerId: action.ownerId, nearMissIds } });
    await advanceToVerification(manager, context, nearMissIds);
  });
}

export async function cancelCorrectiveAction(context: Context, id: string, reason: string): Promise<void> {
  const { principal } = context;
  authorize(principal, 'actions.cancel');
  const input = validate(z.object({ reason: text(2000) }), { reason });
  await context.db.transaction(async (manager) => {
    const action = await lockAction(manager, actionScopeOf(principal), id);
    if (!action) throw notFound(`Corrective action ${id} does not exist or does not apply to your services`);
    if (!isOpenAction(action.status)) throw conflict(`Corrective action is ${action.status}`, { currentStatus: action.status });
    await lockNearMissesOf(manager, action.tenantId, [action.id]);
    await manager.query(`UPDATE corrective_action SET status = 'CANCELLED', cancelled_reason = $1, version = version + 1 WHERE id = $2 AND tenant_id = $3`, [
      input.reason,
      action.id,
      action.tenantId,
    ]);
    const nearMissIds = await linkedNearMissIds(manager, action.tenantId, action.id);
    await recordAudit(manager, nearMissIds.map((nearMissId) => ({ tenantId: action.tenantId, nearMissId, actor: principal.staffId, action: 'corrective_action.cancelled', detail: { actionId: action.id } })));
    await enqueueEvent(manager, { tenantId: action.tenantId, type: 'corrective_action.cancelled', aggregateId: action.id, payload: { actionId: action.id, nearMissIds } });
    await advanceToVerification(manager, context, nearMissIds);
  });
}

export interface ScheduleRequest {
  actionId: string;
  method: VerificationMethodValue;
  firstDueAt: Date;
  everyDays: number;
  count: number;
}

export async function scheduleVerification(context: Context, request: ScheduleRequest): Promise<string[]> {
  const { principal } = context;
  const now = new Date();
  const input = validate(
    z.object({
      actionId: z.string(),
      method: z.enum(verificationMethods),
      // Checks already carried out can be scheduled after the fact, within a year.
      firstDueAt: z.date().refine((date) => date.getTime() > now.getTime() - 366 * day, 'is more than a year ago'),
      everyDays: z.number().int().min(1, 'must be at least 1').max(365, 'must be at most 365'),
      count: z.number().int().min(1, 'must be at least 1').max(52, 'must be at most 52'),
    }),
    request,
  );
  return context.db.transaction(async (manager) => {
    const action = await lockAction(manager, actionScopeOf(principal), input.actionId);
    if (!action) throw notFound(`Corrective action ${input.actionId} does not exist or does not apply to your services`);
    authorizeOwnerOr(principal, action, 'verification.schedule');
    if (action.status === 'CANCELLED') throw conflict('A cancelled action is not verified', { currentStatus: action.status });
    const [{ count: existing }]: { count: number }[] = await manager.query(`SELECT count(*)::int AS count FROM verification_check WHERE tenant_id = $1 AND action_id = $2`, [action.tenantId, action.id]);
    const ids: string[] = [];
    for (const [index, dueAt] of seriesDueDates(input.firstDueAt, input.everyDays, input.count).entries()) {
      const [{ id }]: { id: string }[] = await manager.query(
        `INSERT INTO verification_check (tenant_id, action_id, sequence, method, due_at, scheduled_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [action.tenantId, action.id, existing + index + 1, input.method, dueAt, principal.staffId],
      );
      ids.push(id);
    }
    // New checks reopen the question of effectiveness.
    if (action.effective === true) await manager.query(`UPDATE corrective_action SET effective = NULL, effectiveness_reason = NULL WHERE id = $1 AND tenant_id = $2`, [action.id, action.tenantId]);
    const detail = { actionId: action.id, method: input.method, everyDays: input.everyDays, count: input.count };
    await recordAudit(manager, (await linkedNearMissIds(manager, action.tenantId, action.id)).map((nearMissId) => ({ tenantId: action.tenantId, nearMissId, actor: principal.staffId, action: 'verification.scheduled', detail })));
    await enqueueEvent(manager, { tenantId: action.tenantId, type: 'verification.scheduled', aggregateId: action.id, payload: { actionId: action.id, checkIds: ids, ownerId: action.ownerId } });
    return ids;
  });
}

export type ReopenCause = { kind: 'verification_failed'; checkId: string } | { kind: 'recurrence'; nearMissId: string; reference: string; occurredAt: string };

/**
 * A failed check or a recurrence: the action is open again and not effective,
 * and its near misses in VERIFYING or CLOSED are REOPENED; the owner and the
 * manager are notified through the outbox. Runs inside the caller's transaction.
 */
export async function reopenAction(manager: EntityManager, actor: Principal | undefined, action: Pick<CorrectiveAction, 'id' | 'tenantId' | 'ownerId' | 'title'>, cause: ReopenCause): Promise<string[]> {
  const reason = cause.kind === 'verification_failed' ? 'A verification check failed' : `A similar near miss recurred (${cause.reference})`;
  await manager.query(
    `UPDATE corrective_action SET status = 'OPEN', effective = false, effectiveness_reason = $1, completed_at = NULL, completed_by = NULL,
       reopen_count = reopen_count + 1, version = version + 1 WHERE id = $2 AND tenant_id = $3`,
    [reason, action.id, action.tenantId],
  );
  const reopened: string[] = [];
  const windows = windowsOf(await readTenantSettings(manager, action.tenantId));
  for (const nearMissId of await linkedNearMissIds(manager, action.tenantId, action.id)) {
    const nearMiss = await lockForUpdate(manager, { tenantId: action.tenantId, serviceIds: '*' }, nearMissId);
    if (!nearMiss) continue;
    const detail = { actionId: action.id, cause };
    if (nearMiss.status === 'VERIFYING' || nearMiss.status === 'CLOSED') {
      await setStatus(manager, nearMiss, 'REOPENED', ', reopened_at = now(), reopen_reason = $4, reopen_count = reopen_count + 1, triage_due_at = $5', [
        reason,
        triageDueAt(new Date(), nearMiss.sameDay, windows),
      ]);
      await recordChange(manager, actor, nearMiss, 'near_miss.reopened', { status: { from: nearMiss.status, to: 'REOPENED' }, ...detail }, { status: 'REOPENED', ...detail });
      await giveFeedback(manager, nearMiss, 'REOPENED', reopenMessage(nearMiss.reference));
      reopened.push(nearMiss.id);
    } else {
      await recordAudit(manager, { tenantId: action.tenantId, nearMissId, actor: actor?.staffId, action: 'corrective_action.reopened', detail });
    }
  }
  await enqueueEvent(manager, {
    tenantId: action.tenantId,
    type: 'corrective_action.reopened',
    aggregateId: action.id,
    payload: { actionId: action.id, ownerId: action.ownerId, cause, reopenedNearMissIds: reopened, notify: ['action owner', 'registered manager'] },
  });
  return reopened;
}

export async function recordVerificationResult(context: Context, id: string, result: VerificationResultValue, evidence: string[], notes?: string | null): Promise<void> {
  const { principal } = context;
  authorize(principal, 'verification.record');
  const input = validate(
    z.object({
      result: z.enum(verificationResults),
      evidence: z.array(z.string().trim().max(500, 'must be at most 500 characters')).max(50),
      notes: text(4000).optional(),
    })
    // A pass must be evidenced; a failure may be described in the notes alone.
    .refine((input) => input.result !== 'PASS' || input.evidence.some(Boolean), {
      path: ['evidence'],
      message: 'a PASS needs at least one evidence reference (MAR entry, audit id, rota record, minutes)',
    }),
    { result, evidence, notes: notes?.trim() ? notes : undefined },
  );
  await context.db.transaction(async (manager) => {
    const [check] = await manager.query(
      `SELECT c.* FROM verification_check c WHERE c.tenant_id = $1 AND c.id = $2::uuid FOR UPDATE`,
      [principal.tenantId, /^[0-9a-f-]{36}$/i.test(id) ? id : '00000000-0000-0000-0000-000000000000'],
    );
    const action = check ? await lockAction(manager, actionScopeOf(principal), check.action_id) : null;
    if (!check || !action) throw notFound(`Verification check ${id} does not exist or does not apply to your services`);
    if (check.performed_at) throw conflict('This check already has a result', { currentResult: check.result });
    if (action.status === 'CANCELLED') throw conflict('The action was cancelled', { currentStatus: action.status });
    await lockNearMissesOf(manager, action.tenantId, [action.id]);
    await manager.query(`UPDATE verification_check SET performed_at = clock_timestamp(), performed_by = $1, result = $2, evidence = $3, notes = $4 WHERE id = $5 AND tenant_id = $6`, [
      principal.staffId, input.result, input.evidence.filter(Boolean), input.notes ?? null, check.id, principal.tenantId,
    ]);
    const nearMissIds = await linkedNearMissIds(manager, action.tenantId, action.id);
    await recordAudit(
      manager,
      nearMissIds.map((nearMissId) => ({ tenantId: action.tenantId, nearMissId, actor: principal.staffId, action: 'verification.recorded', detail: { actionId: action.id, checkId: check.id, result: input.result } })),
    );
    await enqueueEvent(manager, { tenantId: action.tenantId, type: 'verification.recorded', aggregateId: action.id, payload: { actionId: action.id, checkId: check.id, result: input.result } });

    if (input.result === 'FAIL') {
      await reopenAction(manager, principal, action, { kind: 'verification_failed', checkId: check.id });
      return;
    }
    const checks = ((await manager.query(`SELECT * FROM verification_check WHERE tenant_id = $1 AND action_id = $2`, [action.tenantId, action.id])) as Record<string, any>[]).map((row) => toCheck(row));
    const verdict = effectivenessOf(checks.map((item) => ({ result: item.result ?? null })), false);
    if (verdict.effective !== null && action.status === 'DONE') {
      await manager.query(`UPDATE corrective_action SET effective = $1, effectiveness_reason = $2, version = version + 1 WHERE id = $3 AND tenant_id = $4`, [verdict.effective, verdict.reason, action.id, action.tenantId]);
      await enqueueEvent(manager, { tenantId: action.tenantId, type: 'corrective_action.concluded', aggregateId: action.id, payload: { actionId: action.id, effective: verdict.effective } });
    }
  });
}

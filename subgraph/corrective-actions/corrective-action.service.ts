import { z } from 'zod';
import type { AuditEntry } from '../audit/audit-log';
import { worksInService, type Principal } from '../auth/principal';
import { authorize, isAllowed } from '../auth/role-matrix';
import { badUserInput, conflict, forbidden, notFound } from '../common/errors';
import { text, uuid, validate } from '../common/validation';
import type { Transaction } from '../database/transaction';
import type { CategoryDefinition } from '../../plugins/sdk';
import { verificationMethods, type RecurrenceScopeValue, type VerificationMethodValue } from '../domain/vocabulary';
import { reopenMessage } from '../status-changes/reporter-feedback';
import { decideTransition } from '../status-changes/status-machine';
import { lockForUpdate } from '../near-misses/near-miss.repository';
import type { NearMiss } from '../near-misses/near-miss.type';
import type { Actor } from '../server/actor';
import { markActionsInProgress, markReopened } from '../status-changes/status-change.repository';
import { ChangeLog, giveFeedback, lockNearMiss } from '../status-changes/status-change.service';
import { advanceToVerification } from './verification-start';
import { readTenantSettings, windowsOf } from '../tenant-settings/tenant-settings';
import { triageDueAt } from '../triage/triage-due';
import {
  effectivenessOf,
  seriesDueDates,
  verificationResults,
  type VerificationResultValue,
} from '../verification/verification-rules';
import {
  actionStrengths,
  actionTypes,
  isOpenAction,
  missingEvidence,
  resolveStrength,
  type ActionStrengthValue,
  type ActionTypeValue,
} from './action-rules';
import {
  actionScopeOf,
  clearEffectiveness,
  countChecks,
  maxChecksPerAction,
  insertAction,
  insertCheck,
  linkNearMiss,
  loadActionsByIds,
  loadCheckResults,
  loadChecksByIds,
  loadLinkedNearMissIds,
  lockAction,
  lockCheck,
  lockNearMissesOf,
  markActionCancelled,
  markActionDone,
  markActionReopened,
  recordCheckResult,
  recordEffectiveness,
  type ActionTarget,
} from './corrective-action.repository';
import type { CorrectiveAction, VerificationCheck } from './corrective-action.type';

/**
 * Corrective actions and their verification. Each mutation runs in the
 * caller's transaction, in one order: authorise, validate, load and lock,
 * rules, write, audit, outbox; it returns what its payload shows, read inside
 * the transaction as the caller may read it.
 */

const day = 24 * 60 * 60 * 1000;

/** The action as the caller may read it, inside the transaction (null: not readable to them). */
async function readAction(tx: Transaction, principal: Principal, id: string): Promise<CorrectiveAction | null> {
  const [action] = await loadActionsByIds(tx, actionScopeOf(principal), [id]);
  return action;
}

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
  recurrenceScope?: RecurrenceScopeValue | null;
  targetMaxRecurrences?: number | null;
}

const actionSchema = (now: Date) =>
  z.object({
    nearMissIds: z.array(uuid()).min(1, 'needs at least one near miss').max(50, 'may hold at most 50 items'),
    title: text(300),
    ownerId: text(100),
    // A past due date is allowed: the action is overdue from the start (e.g. recorded after the fact).
    dueBy: z.date().refine((date) => date.getTime() > now.getTime() - 366 * day, 'is more than a year ago'),
    strength: z.enum(actionStrengths),
    actionType: z.enum(actionTypes).optional(),
    evidenceRequired: z
      .array(text(200))
      .min(1, 'name at least one piece of evidence')
      .max(20, 'may hold at most 20 items'),
    target: text(500),
    serviceIds: z.array(text(100)).min(1).max(50).optional(),
    monitoringDays: z.number().int().min(1).max(730).optional(),
    targetMaxRecurrences: z.number().int().min(0).max(1000).optional(),
  });

/**
 * The scope to suggest for an action on these near misses: service-wide when
 * a category among them suggests it (its plugin's recurrenceScope), else the person.
 */
export function suggestedRecurrenceScope(
  definitions: readonly (Pick<CategoryDefinition, 'recurrenceScope'> | undefined)[],
): RecurrenceScopeValue {
  return definitions.some((definition) => definition?.recurrenceScope === 'SAME_KIND_IN_SERVICES')
    ? 'SAME_KIND_IN_SERVICES'
    : 'SAME_PERSON';
}

/** Locks near misses in id order, so concurrent writers never deadlock. */
async function lockNearMisses(tx: Transaction, actor: Actor, ids: string[]): Promise<NearMiss[]> {
  const locked: NearMiss[] = [];
  for (const id of [...new Set(ids.map((value) => value.toLowerCase()))].sort())
    locked.push(await lockNearMiss(tx, actor, id));
  return locked;
}

/** Adds an action to near misses in TRIAGED, ACTIONS_IN_PROGRESS or VERIFYING (which move to ACTIONS_IN_PROGRESS). */
export async function addCorrectiveAction(
  tx: Transaction,
  actor: Actor,
  request: ActionRequest,
): Promise<CorrectiveAction> {
  const { principal } = actor;
  authorize(principal, 'actions.add');
  const input = validate(actionSchema(new Date()), {
    ...request,
    actionType: request.actionType ?? undefined,
    serviceIds: request.serviceIds ?? undefined,
    monitoringDays: request.monitoringDays ?? undefined,
    targetMaxRecurrences: request.targetMaxRecurrences ?? undefined,
  });
  const { strength, problems } = resolveStrength(input.actionType, input.strength);
  if (problems.length || !strength) throw badUserInput(problems);
  const outside = (input.serviceIds ?? []).filter((serviceId) => !worksInService(principal, serviceId));
  if (outside.length) throw forbidden(`You do not work in ${outside.join(', ')}, so you cannot set a control there`);

  const nearMisses = await lockNearMisses(tx, actor, input.nearMissIds);
  for (const nearMiss of nearMisses) {
    if (!['TRIAGED', 'ACTIONS_IN_PROGRESS', 'VERIFYING'].includes(nearMiss.status)) {
      throw conflict(`Near miss ${nearMiss.reference} is ${nearMiss.status}: actions follow triage`, {
        currentStatus: nearMiss.status,
      });
    }
  }
  const serviceIds = input.serviceIds ?? [...new Set(nearMisses.map((nearMiss) => nearMiss.serviceId))];
  const recurrenceScope =
    request.recurrenceScope ??
    suggestedRecurrenceScope(
      nearMisses.map((nearMiss) => actor.services.registry.get(nearMiss.categoryKey)?.definition),
    );
  const id = await insertAction(tx, {
    tenantId: principal.tenantId,
    title: input.title,
    ownerId: input.ownerId,
    dueBy: input.dueBy,
    actionType: input.actionType ?? null,
    strength,
    evidenceRequired: input.evidenceRequired,
    target: input.target,
    serviceIds,
    monitoringDays: input.monitoringDays ?? 42,
    recurrenceScope,
    targetMaxRecurrences: input.targetMaxRecurrences ?? 0,
    createdBy: principal.staffId,
  });
  const action = { id, tenantId: principal.tenantId };
  const log = new ChangeLog();
  for (const nearMiss of nearMisses) {
    await linkNearMiss(tx, action, nearMiss.id);
    const detail = {
      actionId: id,
      strength,
      actionType: input.actionType ?? null,
      ownerId: input.ownerId,
      serviceIds,
      recurrenceScope,
    };
    if (nearMiss.status === 'ACTIONS_IN_PROGRESS') {
      log.change(principal, nearMiss, { action: 'corrective_action.added', detail, event: detail });
    } else {
      const decision = decideTransition(nearMiss.status, 'startActions', principal.roles);
      if (!decision.allowed) throw conflict(decision.message);
      await markActionsInProgress(tx, nearMiss);
      log.change(principal, nearMiss, {
        action: 'corrective_action.added',
        detail: { ...detail, status: { from: nearMiss.status, to: decision.to } },
        event: { ...detail, status: decision.to },
      });
    }
  }
  log.events.push({
    tenantId: principal.tenantId,
    type: 'corrective_action.assigned',
    aggregateId: id,
    payload: {
      actionId: id,
      ownerId: input.ownerId,
      dueBy: input.dueBy.toISOString(),
      nearMissIds: nearMisses.map((nearMiss) => nearMiss.id),
      notify: ['action owner'],
    },
  });
  await log.record(tx);
  const added = await readAction(tx, principal, id);
  if (!added) throw new Error(`Corrective action ${id} was added outside its creator's services`);
  return added;
}

/** The owner, or a lead or manager, may act on an action. */
function authorizeOwnerOr(
  principal: Principal,
  action: CorrectiveAction,
  operation: 'actions.complete' | 'verification.schedule',
) {
  if (action.ownerId !== principal.staffId && !isAllowed(principal, operation)) {
    throw forbidden(`Only the action's owner or a lead or manager may do this`);
  }
}

/** Locks an action in the caller's scope, or NOT_FOUND. */
async function lockActionOrFail(tx: Transaction, principal: Principal, id: string): Promise<CorrectiveAction> {
  const action = await lockAction(tx, actionScopeOf(principal), id);
  if (!action) throw notFound(`Corrective action ${id} does not exist or does not apply to your services`);
  return action;
}

/** One audit entry per near miss the action answers. */
const actionAudit = (
  principal: Principal,
  action: ActionTarget,
  nearMissIds: string[],
  name: string,
  detail: Record<string, unknown>,
): AuditEntry[] =>
  nearMissIds.map((nearMissId) => ({
    tenantId: action.tenantId,
    nearMissId,
    actor: principal.staffId,
    action: name,
    detail,
  }));

export interface CompleteActionInput {
  id: string;
  evidence: string[];
}

export async function completeCorrectiveAction(
  tx: Transaction,
  actor: Actor,
  request: CompleteActionInput,
): Promise<CorrectiveAction | null> {
  const { principal } = actor;
  // Authorised once the action is loaded: its owner may complete it whatever their role.
  const input = validate(
    z.object({
      evidence: z.array(z.string().max(500, 'must be at most 500 characters')).max(50, 'may hold at most 50 items'),
    }),
    {
      evidence: request.evidence,
    },
  );
  const action = await lockActionOrFail(tx, principal, request.id);
  authorizeOwnerOr(principal, action, 'actions.complete');
  if (!isOpenAction(action.status))
    throw conflict(`Corrective action is ${action.status}`, { currentStatus: action.status });
  await lockNearMissesOf(tx, action.tenantId, [action.id]);
  const missing = missingEvidence(action.evidenceRequired, input.evidence);
  if (missing.length) throw badUserInput([{ path: 'evidence', message: `does not cover: ${missing.join(', ')}` }]);
  const given = input.evidence.map((entry) => entry.trim()).filter(Boolean);
  await markActionDone(tx, action, { evidence: given, by: principal.staffId });
  const nearMissIds = await loadLinkedNearMissIds(tx, action);
  const log = new ChangeLog();
  log.audit.push(
    ...actionAudit(principal, action, nearMissIds, 'corrective_action.completed', {
      actionId: action.id,
      evidenceCount: given.length,
    }),
  );
  log.events.push({
    tenantId: action.tenantId,
    type: 'corrective_action.completed',
    aggregateId: action.id,
    payload: { actionId: action.id, ownerId: action.ownerId, nearMissIds },
  });
  await advanceToVerification(tx, actor, nearMissIds, log);
  await log.record(tx);
  return readAction(tx, principal, action.id);
}

export interface CancelActionInput {
  id: string;
  reason: string;
}

export async function cancelCorrectiveAction(
  tx: Transaction,
  actor: Actor,
  request: CancelActionInput,
): Promise<CorrectiveAction | null> {
  const { principal } = actor;
  authorize(principal, 'actions.cancel');
  const input = validate(z.object({ reason: text(2000) }), { reason: request.reason });
  const action = await lockActionOrFail(tx, principal, request.id);
  if (!isOpenAction(action.status))
    throw conflict(`Corrective action is ${action.status}`, { currentStatus: action.status });
  await lockNearMissesOf(tx, action.tenantId, [action.id]);
  await markActionCancelled(tx, action, input.reason);
  const nearMissIds = await loadLinkedNearMissIds(tx, action);
  const log = new ChangeLog();
  log.audit.push(
    ...actionAudit(principal, action, nearMissIds, 'corrective_action.cancelled', { actionId: action.id }),
  );
  log.events.push({
    tenantId: action.tenantId,
    type: 'corrective_action.cancelled',
    aggregateId: action.id,
    payload: { actionId: action.id, nearMissIds },
  });
  await advanceToVerification(tx, actor, nearMissIds, log);
  await log.record(tx);
  return readAction(tx, principal, action.id);
}

export interface ScheduleRequest {
  actionId: string;
  method: VerificationMethodValue;
  firstDueAt: Date;
  everyDays: number;
  count: number;
}

/** Schedules a series of checks; returns them as the caller may read them. */
export async function scheduleVerification(
  tx: Transaction,
  actor: Actor,
  request: ScheduleRequest,
): Promise<VerificationCheck[]> {
  const { principal } = actor;
  // Authorised once the action is loaded: its owner may schedule checks whatever their role.
  const now = new Date();
  const input = validate(
    z.object({
      actionId: z.string(),
      method: z.enum(verificationMethods),
      // Checks already carried out can be scheduled after the fact, within a year.
      firstDueAt: z.date().refine((date) => date.getTime() > now.getTime() - 366 * day, 'is more than a year ago'),
      everyDays: z.number().int().min(1, 'must be at least 1').max(365, 'must be at most 365'),
      count: z
        .number()
        .int()
        .min(1, 'must be at least 1')
        .max(maxChecksPerAction, `must be at most ${maxChecksPerAction}`),
    }),
    request,
  );
  const action = await lockActionOrFail(tx, principal, input.actionId);
  authorizeOwnerOr(principal, action, 'verification.schedule');
  if (action.status === 'CANCELLED')
    throw conflict('A cancelled action is not verified', { currentStatus: action.status });
  const existing = await countChecks(tx, action);
  if (existing + input.count > maxChecksPerAction) {
    throw badUserInput([
      {
        path: 'count',
        message: `an action holds at most ${maxChecksPerAction} verification checks; it has ${existing}`,
      },
    ]);
  }
  const ids: string[] = [];
  for (const [index, dueAt] of seriesDueDates(input.firstDueAt, input.everyDays, input.count).entries()) {
    ids.push(
      await insertCheck(tx, action, {
        sequence: existing + index + 1,
        method: input.method,
        dueAt,
        scheduledBy: principal.staffId,
      }),
    );
  }
  // New checks reopen the question of effectiveness.
  if (action.effective === true) await clearEffectiveness(tx, action);
  const detail = { actionId: action.id, method: input.method, everyDays: input.everyDays, count: input.count };
  const log = new ChangeLog();
  log.audit.push(
    ...actionAudit(principal, action, await loadLinkedNearMissIds(tx, action), 'verification.scheduled', detail),
  );
  log.events.push({
    tenantId: action.tenantId,
    type: 'verification.scheduled',
    aggregateId: action.id,
    payload: { actionId: action.id, checkIds: ids, ownerId: action.ownerId },
  });
  await log.record(tx);
  return (await loadChecksByIds(tx, actionScopeOf(principal), ids)).filter(
    (check): check is VerificationCheck => check !== null,
  );
}

export type ReopenCause =
  | { kind: 'verification_failed'; checkId: string }
  | { kind: 'recurrence'; nearMissId: string; reference: string; occurredAt: string };

/**
 * A failed check or a recurrence: the action is open again and not effective,
 * and its near misses in VERIFYING or CLOSED are REOPENED; the owner and the
 * manager are notified through the outbox. Writes inside the caller's
 * transaction and adds its audit entries and events to `log`; returns the
 * near misses it reopened.
 */
export async function reopenAction(
  tx: Transaction,
  actor: Principal | undefined,
  action: Pick<CorrectiveAction, 'id' | 'tenantId' | 'ownerId' | 'title'>,
  cause: ReopenCause,
  log: ChangeLog,
): Promise<string[]> {
  const reason =
    cause.kind === 'verification_failed'
      ? 'A verification check failed'
      : `A similar near miss recurred (${cause.reference})`;
  await markActionReopened(tx, action, reason);
  const reopened: string[] = [];
  const windows = windowsOf(await readTenantSettings(tx, action.tenantId));
  for (const nearMissId of await loadLinkedNearMissIds(tx, action)) {
    const nearMiss = await lockForUpdate(tx, { tenantId: action.tenantId, serviceIds: '*' }, nearMissId);
    if (!nearMiss) continue;
    const detail = { actionId: action.id, cause };
    if (nearMiss.status === 'VERIFYING' || nearMiss.status === 'CLOSED') {
      await markReopened(tx, nearMiss, { reason, triageDueAt: triageDueAt(new Date(), nearMiss.sameDay, windows) });
      await giveFeedback(tx, nearMiss, 'REOPENED', reopenMessage(nearMiss.reference));
      log.change(actor, nearMiss, {
        action: 'near_miss.reopened',
        detail: { status: { from: nearMiss.status, to: 'REOPENED' }, ...detail },
        event: { status: 'REOPENED', ...detail },
        feedback: 'REOPENED',
      });
      reopened.push(nearMiss.id);
    } else {
      log.audit.push({
        tenantId: action.tenantId,
        nearMissId,
        actor: actor?.staffId,
        action: 'corrective_action.reopened',
        detail,
      });
    }
  }
  log.events.push({
    tenantId: action.tenantId,
    type: 'corrective_action.reopened',
    aggregateId: action.id,
    payload: {
      actionId: action.id,
      ownerId: action.ownerId,
      cause,
      reopenedNearMissIds: reopened,
      notify: ['action owner', 'registered manager'],
    },
  });
  return reopened;
}

export interface RecordResultInput {
  id: string;
  result: VerificationResultValue;
  evidence: string[];
  notes?: string | null;
}

export async function recordVerificationResult(
  tx: Transaction,
  actor: Actor,
  request: RecordResultInput,
): Promise<VerificationCheck | null> {
  const { principal } = actor;
  authorize(principal, 'verification.record');
  const input = validate(
    z
      .object({
        result: z.enum(verificationResults),
        evidence: z.array(z.string().trim().max(500, 'must be at most 500 characters')).max(50),
        notes: text(4000).optional(),
      })
      // A pass must be evidenced; a failure may be described in the notes alone.
      .refine((input) => input.result !== 'PASS' || input.evidence.some(Boolean), {
        path: ['evidence'],
        message: 'a PASS needs at least one evidence reference (MAR entry, audit id, rota record, minutes)',
      }),
    { result: request.result, evidence: request.evidence, notes: request.notes?.trim() ? request.notes : undefined },
  );
  const check = await lockCheck(tx, principal.tenantId, request.id);
  const action = check ? await lockAction(tx, actionScopeOf(principal), check.actionId) : null;
  if (!check || !action)
    throw notFound(`Verification check ${request.id} does not exist or does not apply to your services`);
  if (check.performedAt) throw conflict('This check already has a result', { currentResult: check.result });
  if (action.status === 'CANCELLED') throw conflict('The action was cancelled', { currentStatus: action.status });
  await lockNearMissesOf(tx, action.tenantId, [action.id]);
  await recordCheckResult(
    tx,
    { id: check.id, tenantId: principal.tenantId },
    {
      by: principal.staffId,
      result: input.result,
      evidence: input.evidence.filter(Boolean),
      notes: input.notes ?? null,
    },
  );
  const nearMissIds = await loadLinkedNearMissIds(tx, action);
  const log = new ChangeLog();
  log.audit.push(
    ...actionAudit(principal, action, nearMissIds, 'verification.recorded', {
      actionId: action.id,
      checkId: check.id,
      result: input.result,
    }),
  );
  log.events.push({
    tenantId: action.tenantId,
    type: 'verification.recorded',
    aggregateId: action.id,
    payload: { actionId: action.id, checkId: check.id, result: input.result },
  });
  if (input.result === 'FAIL') {
    await reopenAction(tx, principal, action, { kind: 'verification_failed', checkId: check.id }, log);
  } else {
    const verdict = effectivenessOf(
      (await loadCheckResults(tx, action)).map((result) => ({ result })),
      false,
    );
    if (verdict.effective !== null && action.status === 'DONE') {
      await recordEffectiveness(tx, action, { effective: verdict.effective, reason: verdict.reason });
      log.events.push({
        tenantId: action.tenantId,
        type: 'corrective_action.concluded',
        aggregateId: action.id,
        payload: { actionId: action.id, effective: verdict.effective },
      });
    }
  }
  await log.record(tx);
  const [recorded] = await loadChecksByIds(tx, actionScopeOf(principal), [check.id]);
  return recorded;
}

import { z } from 'zod';
import { recordAudit } from '../audit/audit-log';
import type { Principal } from '../auth/principal';
import { authorize, isAllowed } from '../auth/role-matrix';
import { badUserInput, conflict, gateBlocked, type FieldProblem } from '../common/errors';
import { text, validate } from '../common/validation';
import { closureBlocker, weakOnlyClosureBlocker, type ClosureFacts } from '../corrective-actions/closure-conditions';
import { isInRiskReview } from '../patterns/risk-review.repository';
import { loadActionStatesOf, type ActionState } from '../corrective-actions/corrective-action.repository';
import { advanceToVerification } from '../corrective-actions/verification-start';
import type { Transaction } from '../database/transaction';
import type { TriageRouteValue } from '../domain/vocabulary';
import { insertGateCompletion } from '../gates/gate-completion.repository';
import type { NearMiss } from '../near-misses/near-miss.type';
import { enqueueEvent } from '../outbox/outbox';
import type { Actor } from '../server/actor';
import {
  markAcknowledged,
  markClosed,
  markReopened,
  markTriaged,
  bumpVersion,
  recordNoActionReason,
} from '../status-changes/status-change.repository';
import {
  authorizeTransition,
  ChangeLog,
  checkVersion,
  feedbackEvent,
  gateState,
  giveFeedback,
  lockForTransition,
  lockNearMiss,
  readNearMiss,
  recordChange,
} from '../status-changes/status-change.service';
import { readTenantSettings, windowsOf } from '../tenant-settings/tenant-settings';
import { triageDueAt } from '../triage/triage-due';
import { missingGateItems, outcomeProblems } from './closure-rules';
import type { JustCultureClassValue } from './just-culture';
import {
  acknowledgementMessage,
  closureMessage,
  reopenMessage,
  triageMessage,
} from '../status-changes/reporter-feedback';
import { insertTriage, loadLatestRoute } from './triage.repository';
import { planNotifications } from '../notifications/notification.service';

/**
 * The lifecycle's steps. Each is one mutation in the caller's transaction,
 * in one order: authorise, validate, load and lock, rules, write, audit,
 * outbox; each returns the near miss as the caller may read it (null when
 * they may not), read inside the transaction.
 */

const expectedVersionSchema = z.number().int().min(1, 'must be a version returned by the API');

export interface AcknowledgeInput {
  id: string;
  expectedVersion: number;
}

export async function acknowledgeNearMiss(
  tx: Transaction,
  actor: Actor,
  input: AcknowledgeInput,
): Promise<NearMiss | null> {
  const { principal } = actor;
  authorizeTransition(principal, 'acknowledge');
  validate(z.object({ expectedVersion: expectedVersionSchema }), { expectedVersion: input.expectedVersion });
  const { nearMiss, to } = await lockForTransition(tx, actor, input.id, 'acknowledge', input.expectedVersion);
  await markAcknowledged(tx, nearMiss, principal.staffId);
  await giveFeedback(tx, nearMiss, 'ACKNOWLEDGED', acknowledgementMessage(nearMiss.reference, nearMiss.triageDueBy));
  await recordChange(tx, principal, nearMiss, {
    action: 'near_miss.acknowledged',
    detail: { status: { from: nearMiss.status, to } },
    event: { status: to },
    feedback: 'ACKNOWLEDGED',
  });
  return readNearMiss(tx, actor, nearMiss.id);
}

export interface TriageRequest {
  nearMissId: string;
  expectedVersion: number;
  route: TriageRouteValue;
  overrideReason?: string | null;
  justCulture: JustCultureClassValue;
  notify?: string[] | null;
  rationale: string;
}

const triageSchema = z.object({
  nearMissId: z.string(),
  expectedVersion: expectedVersionSchema,
  route: z.string(),
  overrideReason: text(2000).optional(),
  justCulture: z.string(),
  notify: z.array(text(100)).max(20, 'may hold at most 20 items').optional(),
  rationale: text(4000),
});

/** Rules suggest; a human decides, and an override of the suggestion needs a reason. */
export function overrideProblems(
  suggestedRoute: TriageRouteValue,
  route: TriageRouteValue,
  overrideReason: string | undefined,
): FieldProblem[] {
  if (route !== suggestedRoute && !overrideReason) {
    return [
      {
        path: 'overrideReason',
        message: `is required when the route (${route}) differs from the suggested route (${suggestedRoute})`,
      },
    ];
  }
  return [];
}

/**
 * "Which part of the workflow allowed this?": with the provider's setting on
 * (the default), triage cannot complete until the report names its stage.
 */
export function stageProblems(workflowStage: string | null | undefined, required: boolean): FieldProblem[] {
  if (!required || workflowStage) return [];
  return [
    {
      path: 'workflowStage',
      message:
        'is required before triage completes: name the workflow stage that allowed this near miss with amendNearMiss',
    },
  ];
}

export async function triageNearMiss(tx: Transaction, actor: Actor, request: TriageRequest): Promise<NearMiss | null> {
  const { principal } = actor;
  authorizeTransition(principal, 'triage');
  const input = validate(triageSchema, {
    ...request,
    overrideReason: request.overrideReason?.trim() ? request.overrideReason : undefined,
    notify: request.notify ?? undefined,
  });
  const { nearMiss, to } = await lockForTransition(tx, actor, request.nearMissId, 'triage', input.expectedVersion);
  const settings = await readTenantSettings(tx, nearMiss.tenantId);
  const problems = [
    ...overrideProblems(nearMiss.suggestedRoute, request.route, input.overrideReason),
    ...stageProblems(nearMiss.workflowStage, settings.requireWorkflowStageForTriage),
  ];
  if (problems.length) throw badUserInput(problems);
  const notify = input.notify ?? nearMiss.suggestedNotify;
  await insertTriage(tx, {
    tenantId: nearMiss.tenantId,
    nearMissId: nearMiss.id,
    route: request.route,
    suggestedRoute: nearMiss.suggestedRoute,
    overrideReason: input.overrideReason ?? null,
    sameDay: nearMiss.sameDay,
    dueBy: nearMiss.triageDueBy,
    triagedBy: principal.staffId,
    justCulture: request.justCulture,
    notify,
    rationale: input.rationale,
  });
  await markTriaged(tx, nearMiss);
  // Triage decides who must be told: records for new recipients, none left for those it took off.
  await planNotifications(tx, {
    tenantId: nearMiss.tenantId,
    nearMissId: nearMiss.id,
    serviceId: nearMiss.serviceId,
    awareAt: nearMiss.detectedAt ?? nearMiss.occurredAt,
    sameDay: nearMiss.sameDay,
    sameDayHours: windowsOf(await readTenantSettings(tx, nearMiss.tenantId)).sameDayHours,
    recipients: notify,
  });
  await giveFeedback(tx, nearMiss, 'TRIAGED', triageMessage(nearMiss.reference, request.route));
  await recordChange(tx, principal, nearMiss, {
    action: 'near_miss.triaged',
    detail: {
      status: { from: nearMiss.status, to },
      route: request.route,
      suggestedRoute: nearMiss.suggestedRoute,
      overridden: request.route !== nearMiss.suggestedRoute,
      notify,
      withinDue: Date.now() <= nearMiss.triageDueBy.getTime(),
    },
    event: { status: to, route: request.route, notify },
    feedback: 'TRIAGED',
  });
  return readNearMiss(tx, actor, nearMiss.id);
}

export interface CompleteGateItemInput {
  nearMissId: string;
  key: string;
  expectedVersion: number;
  note?: string | null;
}

export async function completeGateItem(
  tx: Transaction,
  actor: Actor,
  request: CompleteGateItemInput,
): Promise<NearMiss | null> {
  const { principal } = actor;
  authorize(principal, 'gates.complete');
  const input = validate(
    z.object({ key: text(100), expectedVersion: expectedVersionSchema, note: text(2000).optional() }),
    {
      key: request.key,
      expectedVersion: request.expectedVersion,
      note: request.note?.trim() ? request.note : undefined,
    },
  );
  const nearMiss = await lockNearMiss(tx, actor, request.nearMissId);
  checkVersion(nearMiss, input.expectedVersion);
  if (nearMiss.status === 'CLOSED')
    throw conflict(`Near miss ${nearMiss.reference} is CLOSED: reopen it first`, { currentStatus: nearMiss.status });
  const { required, done } = await gateState(tx, actor.services.registry, nearMiss);
  if (!required.includes(input.key)) {
    throw badUserInput([
      { path: 'key', message: `is not a gate item of this report; its items are: ${required.join(', ') || 'none'}` },
    ]);
  }
  if (done.has(input.key))
    throw conflict(`Gate item ${input.key} is already done`, { currentVersion: nearMiss.version });
  await insertGateCompletion(tx, {
    tenantId: nearMiss.tenantId,
    nearMissId: nearMiss.id,
    key: input.key,
    doneBy: principal.staffId,
    note: input.note,
  });
  await bumpVersion(tx, nearMiss);
  const log = new ChangeLog().change(principal, nearMiss, {
    action: 'gate_item.completed',
    detail: { key: input.key, remaining: required.filter((item) => item !== input.key && !done.has(item)) },
    event: { key: input.key },
  });
  await advanceToVerification(tx, actor, [nearMiss.id], log);
  await log.record(tx);
  return readNearMiss(tx, actor, nearMiss.id);
}

export interface CloseInput {
  id: string;
  expectedVersion: number;
  outcome: string;
  /** A manager's reason to close on weaker actions alone although a stronger control is needed. */
  weakOnlyOverrideReason?: string | null;
}

async function closureFacts(
  tx: Transaction,
  principal: Principal,
  nearMiss: NearMiss,
): Promise<ClosureFacts & { actions: readonly ActionState[] }> {
  return {
    route: await loadLatestRoute(tx, nearMiss),
    actions: await loadActionStatesOf(tx, nearMiss),
    noActionReason: nearMiss.noActionReason ?? null,
    mayCloseBeforeVerification: isAllowed(principal, 'nearMiss.closeBeforeVerification'),
  };
}

/**
 * Closure needs every gate item done (checked first), every corrective action
 * done or cancelled, and an outcome that says what changed.
 */
export async function closeNearMiss(tx: Transaction, actor: Actor, input: CloseInput): Promise<NearMiss | null> {
  const { principal } = actor;
  authorizeTransition(principal, 'close');
  validate(z.object({ expectedVersion: expectedVersionSchema }), { expectedVersion: input.expectedVersion });
  const { nearMiss, to } = await lockForTransition(tx, actor, input.id, 'close', input.expectedVersion);
  const { required, done } = await gateState(tx, actor.services.registry, nearMiss);
  const missing = missingGateItems(required, done);
  if (missing.length)
    throw gateBlocked(missing, `Cannot close ${nearMiss.reference}: gate items still open: ${missing.join(', ')}`);
  const problems = outcomeProblems(input.outcome);
  if (problems.length) throw badUserInput(problems);
  const facts = await closureFacts(tx, principal, nearMiss);
  const blocker = closureBlocker(facts);
  if (blocker) throw conflict(blocker, { currentStatus: nearMiss.status });
  const override = validate(z.object({ reason: text(2000).optional() }), {
    reason: input.weakOnlyOverrideReason?.trim() ? input.weakOnlyOverrideReason : undefined,
  }).reason;
  const weakOnly = weakOnlyClosureBlocker({
    potentialHarm: nearMiss.potentialHarm,
    inRiskReview: await isInRiskReview(tx, nearMiss.tenantId, nearMiss.id),
    actions: facts.actions,
  });
  if (weakOnly && (!override || !isAllowed(principal, 'nearMiss.overrideWeakOnly')))
    throw conflict(weakOnly, { currentStatus: nearMiss.status, weakOnly: true });
  const outcome = input.outcome.trim();
  await markClosed(tx, nearMiss, {
    by: principal.staffId,
    outcome,
    weakOnlyOverrideReason: weakOnly ? override : null,
  });
  await giveFeedback(tx, nearMiss, 'CLOSED', closureMessage(nearMiss.reference, nearMiss.whatHappened, outcome));
  await recordChange(tx, principal, nearMiss, {
    action: 'near_miss.closed',
    detail: { status: { from: nearMiss.status, to }, ...(weakOnly ? { weakOnlyOverride: true } : {}) },
    event: { status: to },
    feedback: 'CLOSED',
  });
  return readNearMiss(tx, actor, nearMiss.id);
}

export interface ReopenInput {
  id: string;
  reason: string;
  /** Set when a governance review reopens it (recordGovernanceReview). */
  governanceReviewId?: string;
}

export async function reopenNearMiss(tx: Transaction, actor: Actor, request: ReopenInput): Promise<NearMiss | null> {
  const { principal } = actor;
  authorizeTransition(principal, 'reopen');
  const input = validate(z.object({ reason: text(2000) }), { reason: request.reason });
  const { nearMiss, to } = await lockForTransition(tx, actor, request.id, 'reopen');
  const windows = windowsOf(await readTenantSettings(tx, nearMiss.tenantId));
  await markReopened(tx, nearMiss, {
    reason: input.reason,
    triageDueAt: triageDueAt(new Date(), nearMiss.sameDay, windows),
  });
  await giveFeedback(tx, nearMiss, 'REOPENED', reopenMessage(nearMiss.reference));
  await recordChange(tx, principal, nearMiss, {
    action: 'near_miss.reopened',
    detail: request.governanceReviewId
      ? {
          status: { from: nearMiss.status, to },
          reason: 'governance_review',
          governanceReviewId: request.governanceReviewId,
        }
      : { status: { from: nearMiss.status, to }, reason: 'manual' },
    event: { status: to },
    feedback: 'REOPENED',
  });
  return readNearMiss(tx, actor, nearMiss.id);
}

export interface SendFeedbackInput {
  nearMissId: string;
  message: string;
}

export async function sendReporterFeedback(
  tx: Transaction,
  actor: Actor,
  request: SendFeedbackInput,
): Promise<NearMiss | null> {
  const { principal } = actor;
  authorize(principal, 'feedback.send');
  const input = validate(z.object({ message: text(2000) }), { message: request.message });
  const nearMiss = await lockNearMiss(tx, actor, request.nearMissId);
  await giveFeedback(tx, nearMiss, 'MANUAL', input.message, principal.staffId);
  await recordAudit(tx, {
    tenantId: nearMiss.tenantId,
    nearMissId: nearMiss.id,
    actor: principal.staffId,
    action: 'reporter_feedback.sent',
    detail: { kind: 'MANUAL' },
  });
  await enqueueEvent(tx, feedbackEvent(nearMiss, 'MANUAL'));
  return readNearMiss(tx, actor, nearMiss.id);
}

export interface NoActionInput {
  nearMissId: string;
  expectedVersion: number;
  reason: string;
}

/** The triage lead records why a routed near miss needs no corrective action. */
export async function recordNoActionNeeded(
  tx: Transaction,
  actor: Actor,
  request: NoActionInput,
): Promise<NearMiss | null> {
  const { principal } = actor;
  authorize(principal, 'nearMiss.recordNoActionNeeded');
  const input = validate(z.object({ expectedVersion: expectedVersionSchema, reason: text(2000) }), {
    expectedVersion: request.expectedVersion,
    reason: request.reason,
  });
  const nearMiss = await lockNearMiss(tx, actor, request.nearMissId);
  checkVersion(nearMiss, input.expectedVersion);
  if (nearMiss.status !== 'TRIAGED') {
    throw conflict(`Only a TRIAGED near miss can be marked as needing no action; this one is ${nearMiss.status}`, {
      currentStatus: nearMiss.status,
    });
  }
  await recordNoActionReason(tx, nearMiss, input.reason);
  await recordChange(tx, principal, nearMiss, { action: 'near_miss.no_action_needed', detail: { recorded: true } });
  return readNearMiss(tx, actor, nearMiss.id);
}

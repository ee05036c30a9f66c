import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log';
import type { Principal } from '../auth/principal';
import { authorize, isAllowed } from '../auth/role-matrix';
import { badUserInput, conflict, forbidden, gateBlocked, notFound, type FieldProblem } from '../common/errors';
import type { TriageRouteValue } from '../domain/vocabulary';
import { applicableGates } from '../gates/applicable-gates';
import { factsOf } from '../near-misses/near-miss.facts';
import { lockForUpdate } from '../near-misses/near-miss.repository';
import type { NearMiss } from '../near-misses/near-miss.type';
import { text, validate } from '../common/validation';
import { enqueueEvent } from '../outbox/outbox';
import type { RequestContext } from '../server/context';
import { readTenantSettings, windowsOf } from '../tenant-settings/tenant-settings';
import { triageDueAt } from '../triage/triage-due';
import { missingGateItems, outcomeProblems } from './closure-rules';
import { closureBlocker, type ClosureFacts } from '../corrective-actions/closure-conditions';
import { advanceToVerification } from '../corrective-actions/corrective-action.service';
import { justCultureResponse, type JustCultureClassValue } from './just-culture';
import { acknowledgementMessage, closureMessage, reopenMessage, triageMessage } from './reporter-feedback';
import { decideTransition, type LifecycleAction } from './status-machine';

type Context = Pick<RequestContext, 'principal' | 'db' | 'services'>;

const expectedVersionSchema = z.number().int().min(1, 'must be a version returned by the API');


export function scopeOf(principal: Principal) {
  return { tenantId: principal.tenantId, serviceIds: principal.services };
}

/** Loads and locks the near miss, then checks version and transition: the same order for every step. */
async function lockForTransition(manager: EntityManager, principal: Principal, id: string, action: LifecycleAction, expectedVersion?: number) {
  const precheck = decideTransition('REPORTED', action, principal.roles);
  if (!precheck.allowed && precheck.reason === 'FORBIDDEN') throw forbidden(precheck.message);
  const nearMiss = await lockForUpdate(manager, scopeOf(principal), id);
  if (!nearMiss) throw notFound(`Near miss ${id} does not exist or is not in your services`);
  if (expectedVersion !== undefined && nearMiss.version !== expectedVersion) {
    throw conflict(`Near miss ${nearMiss.reference} has changed: it is at version ${nearMiss.version} (status ${nearMiss.status}), not ${expectedVersion}. Reload and try again.`, {
      currentVersion: nearMiss.version,
      currentStatus: nearMiss.status,
    });
  }
  const decision = decideTransition(nearMiss.status, action, principal.roles);
  if (!decision.allowed) {
    if (decision.reason === 'FORBIDDEN') throw forbidden(decision.message);
    throw conflict(decision.message, { currentStatus: nearMiss.status, currentVersion: nearMiss.version });
  }
  return { nearMiss, to: decision.to };
}

export async function setStatus(manager: EntityManager, nearMiss: NearMiss, to: NearMiss['status'], extraSql = '', extraValues: unknown[] = []) {
  await manager.query(
    `UPDATE near_miss SET status = $1, version = version + 1, updated_at = now()${extraSql} WHERE id = $2 AND tenant_id = $3`,
    [to, nearMiss.id, nearMiss.tenantId, ...extraValues],
  );
}

export async function recordChange(
  manager: EntityManager,
  principal: Principal | undefined,
  nearMiss: NearMiss,
  action: string,
  detail: Record<string, unknown>,
  event: Record<string, unknown> = {},
) {
  await recordAudit(manager, { tenantId: nearMiss.tenantId, nearMissId: nearMiss.id, actor: principal?.staffId, action, detail });
  await enqueueEvent(manager, {
    tenantId: nearMiss.tenantId,
    type: action,
    aggregateId: nearMiss.id,
    payload: { reference: nearMiss.reference, serviceId: nearMiss.serviceId, category: nearMiss.categoryKey, ...event },
  });
}

export async function giveFeedback(manager: EntityManager, nearMiss: NearMiss, kind: string, message: string, sentBy?: string) {
  await manager.query(
    `INSERT INTO reporter_feedback (tenant_id, near_miss_id, at, kind, message, sent_by) VALUES ($1, $2, clock_timestamp(), $3, $4, $5)`,
    [nearMiss.tenantId, nearMiss.id, kind, message, sentBy ?? null],
  );
  await enqueueEvent(manager, {
    tenantId: nearMiss.tenantId,
    type: 'reporter_feedback.sent',
    aggregateId: nearMiss.id,
    payload: { reference: nearMiss.reference, reporterId: nearMiss.reportedById, kind },
  });
}

/** Gate keys that apply to this report, and the ones done. */
export async function gateState(manager: EntityManager, context: Context, nearMiss: NearMiss) {
  const category = context.services.registry.get(nearMiss.categoryKey);
  const required = category ? applicableGates(category.definition, factsOf(nearMiss, category)).map((gate) => gate.key) : [];
  const rows: { key: string }[] = await manager.query(`SELECT key FROM gate_completion WHERE tenant_id = $1 AND near_miss_id = $2`, [nearMiss.tenantId, nearMiss.id]);
  return { required, done: new Set(rows.map((row) => row.key)) };
}

export async function acknowledgeNearMiss(context: Context, id: string, expectedVersion: number): Promise<void> {
  validate(z.object({ expectedVersion: expectedVersionSchema }), { expectedVersion });
  const { principal } = context;
  await context.db.transaction(async (manager) => {
    const { nearMiss, to } = await lockForTransition(manager, principal, id, 'acknowledge', expectedVersion);
    await setStatus(manager, nearMiss, to, ', acknowledged_at = now(), acknowledged_by = $4', [principal.staffId]);
    await recordChange(manager, principal, nearMiss, 'near_miss.acknowledged', { status: { from: nearMiss.status, to } }, { status: to });
    await giveFeedback(manager, nearMiss, 'ACKNOWLEDGED', acknowledgementMessage(nearMiss.reference, nearMiss.triageDueBy));
  });
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
export function overrideProblems(suggestedRoute: TriageRouteValue, route: TriageRouteValue, overrideReason: string | undefined): FieldProblem[] {
  if (route !== suggestedRoute && !overrideReason) {
    return [{ path: 'overrideReason', message: `is required when the route (${route}) differs from the suggested route (${suggestedRoute})` }];
  }
  return [];
}

export async function triageNearMiss(context: Context, request: TriageRequest): Promise<void> {
  const input = validate(triageSchema, {
    ...request,
    overrideReason: request.overrideReason?.trim() ? request.overrideReason : undefined,
    notify: request.notify ?? undefined,
  });
  const { principal } = context;
  await context.db.transaction(async (manager) => {
    const { nearMiss, to } = await lockForTransition(manager, principal, request.nearMissId, 'triage', input.expectedVersion);
    const problems = overrideProblems(nearMiss.suggestedRoute, request.route, input.overrideReason);
    if (problems.length) throw badUserInput(problems);
    const notify = input.notify ?? nearMiss.suggestedNotify;
    await manager.query(
      `INSERT INTO near_miss_triage (tenant_id, near_miss_id, route, suggested_route, override_reason, same_day, due_by, triaged_at, triaged_by, just_culture, notify, rationale)
       VALUES ($1, $2, $3, $4, $5, $6, $7, clock_timestamp(), $8, $9, $10, $11)`,
      [nearMiss.tenantId, nearMiss.id, request.route, nearMiss.suggestedRoute, input.overrideReason ?? null, nearMiss.sameDay, nearMiss.triageDueBy,
        principal.staffId, request.justCulture, notify, input.rationale],
    );
    await setStatus(manager, nearMiss, to);
    await recordChange(
      manager,
      principal,
      nearMiss,
      'near_miss.triaged',
      { status: { from: nearMiss.status, to }, route: request.route, suggestedRoute: nearMiss.suggestedRoute, overridden: request.route !== nearMiss.suggestedRoute, notify, withinDue: Date.now() <= nearMiss.triageDueBy.getTime() },
      { status: to, route: request.route, notify },
    );
    await giveFeedback(manager, nearMiss, 'TRIAGED', triageMessage(nearMiss.reference, request.route));
  });
}

export { justCultureResponse };

export async function completeGateItem(context: Context, nearMissId: string, key: string, expectedVersion: number, note?: string | null): Promise<void> {
  const input = validate(z.object({ key: text(100), expectedVersion: expectedVersionSchema, note: text(2000).optional() }), {
    key,
    expectedVersion,
    note: note?.trim() ? note : undefined,
  });
  const { principal } = context;
  authorize(principal, 'gates.complete');
  await context.db.transaction(async (manager) => {
    const nearMiss = await lockForUpdate(manager, scopeOf(principal), nearMissId);
    if (!nearMiss) throw notFound(`Near miss ${nearMissId} does not exist or is not in your services`);
    if (nearMiss.version !== input.expectedVersion) {
      throw conflict(`Near miss ${nearMiss.reference} is at version ${nearMiss.version}, not ${input.expectedVersion}. Reload and try again.`, { currentVersion: nearMiss.version, currentStatus: nearMiss.status });
    }
    if (nearMiss.status === 'CLOSED') throw conflict(`Near miss ${nearMiss.reference} is CLOSED: reopen it first`, { currentStatus: nearMiss.status });
    const { required, done } = await gateState(manager, context, nearMiss);
    if (!required.includes(input.key)) {
      throw badUserInput([{ path: 'key', message: `is not a gate item of this report; its items are: ${required.join(', ') || 'none'}` }]);
    }
    if (done.has(input.key)) throw conflict(`Gate item ${input.key} is already done`, { currentVersion: nearMiss.version });
    await manager.query(`INSERT INTO gate_completion (tenant_id, near_miss_id, key, done_by, done_at, note) VALUES ($1, $2, $3, $4, clock_timestamp(), $5)`, [
      nearMiss.tenantId, nearMiss.id, input.key, principal.staffId, input.note ?? null,
    ]);
    await manager.query(`UPDATE near_miss SET version = version + 1, updated_at = now() WHERE id = $1 AND tenant_id = $2`, [nearMiss.id, nearMiss.tenantId]);
    await recordChange(manager, principal, nearMiss, 'gate_item.completed', { key: input.key, remaining: required.filter((item) => item !== input.key && !done.has(item)) }, { key: input.key });
    await advanceToVerification(manager, context, [nearMiss.id]);
  });
}

/**
 * Closure needs every gate item done (checked first), every corrective action
 * done or cancelled, and an outcome that says what changed.
 */
export async function closeNearMiss(context: Context, id: string, expectedVersion: number, outcome: string): Promise<void> {
  validate(z.object({ expectedVersion: expectedVersionSchema }), { expectedVersion });
  const { principal } = context;
  await context.db.transaction(async (manager) => {
    const { nearMiss, to } = await lockForTransition(manager, principal, id, 'close', expectedVersion);
    const { required, done } = await gateState(manager, context, nearMiss);
    const missing = missingGateItems(required, done);
    if (missing.length) throw gateBlocked(missing, `Cannot close ${nearMiss.reference}: gate items still open: ${missing.join(', ')}`);
    const problems = outcomeProblems(outcome);
    if (problems.length) throw badUserInput(problems);
    const blocker = closureBlocker(await closureFacts(manager, principal, nearMiss));
    if (blocker) throw conflict(blocker, { currentStatus: nearMiss.status });
    const trimmed = outcome.trim();
    await setStatus(manager, nearMiss, to, ', closed_at = now(), closed_by = $4, outcome = $5', [principal.staffId, trimmed]);
    await recordChange(manager, principal, nearMiss, 'near_miss.closed', { status: { from: nearMiss.status, to } }, { status: to });
    await giveFeedback(manager, nearMiss, 'CLOSED', closureMessage(nearMiss.reference, nearMiss.whatHappened, trimmed));
  });
}

export async function reopenNearMiss(context: Context, id: string, reason: string): Promise<void> {
  const input = validate(z.object({ reason: text(2000) }), { reason });
  const { principal } = context;
  await context.db.transaction(async (manager) => {
    const { nearMiss, to } = await lockForTransition(manager, principal, id, 'reopen');
    const windows = windowsOf(await readTenantSettings(manager, nearMiss.tenantId));
    await setStatus(manager, nearMiss, to, ', reopened_at = now(), reopen_reason = $4, reopen_count = reopen_count + 1, triage_due_at = $5', [
      input.reason,
      triageDueAt(new Date(), nearMiss.sameDay, windows),
    ]);
    await recordChange(manager, principal, nearMiss, 'near_miss.reopened', { status: { from: nearMiss.status, to }, reason: 'manual' }, { status: to });
    await giveFeedback(manager, nearMiss, 'REOPENED', reopenMessage(nearMiss.reference));
  });
}

export async function sendReporterFeedback(context: Context, nearMissId: string, message: string): Promise<void> {
  const input = validate(z.object({ message: text(2000) }), { message });
  const { principal } = context;
  authorize(principal, 'feedback.send');
  await context.db.transaction(async (manager) => {
    const nearMiss = await lockForUpdate(manager, scopeOf(principal), nearMissId);
    if (!nearMiss) throw notFound(`Near miss ${nearMissId} does not exist or is not in your services`);
    await giveFeedback(manager, nearMiss, 'MANUAL', input.message, principal.staffId);
    await recordAudit(manager, { tenantId: nearMiss.tenantId, nearMissId: nearMiss.id, actor: principal.staffId, action: 'reporter_feedback.sent', detail: { kind: 'MANUAL' } });
  });
}

async function closureFacts(manager: EntityManager, principal: Principal, nearMiss: NearMiss): Promise<ClosureFacts> {
  const actions = await manager.query(
    `SELECT a.status, a.effective, a.title FROM corrective_action_near_miss l JOIN corrective_action a ON a.id = l.action_id
     WHERE l.tenant_id = $1 AND l.near_miss_id = $2`,
    [nearMiss.tenantId, nearMiss.id],
  );
  const [triage]: { route: TriageRouteValue }[] = await manager.query(
    `SELECT route FROM near_miss_triage WHERE tenant_id = $1 AND near_miss_id = $2 ORDER BY triaged_at DESC LIMIT 1`,
    [nearMiss.tenantId, nearMiss.id],
  );
  const [{ no_action_reason: noActionReason }]: { no_action_reason: string | null }[] = await manager.query(
    `SELECT no_action_reason FROM near_miss WHERE tenant_id = $1 AND id = $2`,
    [nearMiss.tenantId, nearMiss.id],
  );
  return { route: triage?.route ?? null, actions, noActionReason, mayCloseBeforeVerification: isAllowed(principal, 'nearMiss.closeBeforeVerification') };
}

/** The triage lead records why a routed near miss needs no corrective action. */
export async function recordNoActionNeeded(context: Context, nearMissId: string, expectedVersion: number, reason: string): Promise<void> {
  const input = validate(z.object({ expectedVersion: expectedVersionSchema, reason: text(2000) }), { expectedVersion, reason });
  const { principal } = context;
  authorize(principal, 'nearMiss.recordNoActionNeeded');
  await context.db.transaction(async (manager) => {
    const nearMiss = await lockForUpdate(manager, scopeOf(principal), nearMissId);
    if (!nearMiss) throw notFound(`Near miss ${nearMissId} does not exist or is not in your services`);
    if (nearMiss.version !== input.expectedVersion) {
      throw conflict(`Near miss ${nearMiss.reference} is at version ${nearMiss.version}, not ${input.expectedVersion}. Reload and try again.`, { currentVersion: nearMiss.version, currentStatus: nearMiss.status });
    }
    if (nearMiss.status !== 'TRIAGED') throw conflict(`Only a TRIAGED near miss can be marked as needing no action; this one is ${nearMiss.status}`, { currentStatus: nearMiss.status });
    await manager.query(`UPDATE near_miss SET no_action_reason = $1, version = version + 1, updated_at = now() WHERE id = $2 AND tenant_id = $3`, [input.reason, nearMiss.id, nearMiss.tenantId]);
    await recordChange(manager, principal, nearMiss, 'near_miss.no_action_needed', { recorded: true });
  });
}

import { recordAudit, type AuditEntry } from '../audit/audit-log';
import type { Principal } from '../auth/principal';
import type { CategoryRegistry } from '../categories/category-registry';
import { conflict, forbidden, notFound } from '../common/errors';
import type { Transaction } from '../database/transaction';
import type { Actor } from '../server/actor';
import { applicableGates } from '../gates/applicable-gates';
import { loadDoneGateKeys } from '../gates/gate-completion.repository';
import { decideTransition, type LifecycleAction } from './status-machine';
import { factsOf } from '../near-misses/near-miss.facts';
import { loadByIds, lockForUpdate } from '../near-misses/near-miss.repository';
import type { NearMiss } from '../near-misses/near-miss.type';
import { changeScopeOf, readScopeOf } from '../near-misses/read-scope';
import { enqueueEvent, type OutboxEvent } from '../outbox/outbox';
import { insertFeedback, type FeedbackKind } from './reporter-feedback.repository';

/**
 * What lifecycle steps and corrective actions share when they change a near
 * miss: locking it, checking the step is allowed, gate state, the audit entry
 * and event of a change, and telling the reporter.
 */

/** Before anything else: may the caller's roles take this step at all (whatever the status)? */
export function authorizeTransition(principal: Principal, action: LifecycleAction): void {
  const precheck = decideTransition('REPORTED', action, principal.roles);
  if (!precheck.allowed && precheck.reason === 'FORBIDDEN') throw forbidden(precheck.message);
}

/** Loads and locks a near miss in the caller's services, or NOT_FOUND. */
export async function lockNearMiss(tx: Transaction, { principal, services }: Actor, id: string): Promise<NearMiss> {
  const nearMiss = await lockForUpdate(tx, changeScopeOf(principal, services.registry), id);
  if (!nearMiss) throw notFound(`Near miss ${id} does not exist or is not in your services`);
  return nearMiss;
}

/** The version the client holds must be the current one (for steps that keep the status). */
export function checkVersion(nearMiss: NearMiss, expectedVersion: number): void {
  if (nearMiss.version !== expectedVersion) {
    throw conflict(
      `Near miss ${nearMiss.reference} is at version ${nearMiss.version}, not ${expectedVersion}. Reload and try again.`,
      {
        currentVersion: nearMiss.version,
        currentStatus: nearMiss.status,
      },
    );
  }
}

/** Loads and locks the near miss, then checks version and transition: the same order for every step. */
export async function lockForTransition(
  tx: Transaction,
  actor: Actor,
  id: string,
  action: LifecycleAction,
  expectedVersion?: number,
) {
  const { principal } = actor;
  const nearMiss = await lockNearMiss(tx, actor, id);
  if (expectedVersion !== undefined && nearMiss.version !== expectedVersion) {
    throw conflict(
      `Near miss ${nearMiss.reference} has changed: it is at version ${nearMiss.version} (status ${nearMiss.status}), not ${expectedVersion}. Reload and try again.`,
      { currentVersion: nearMiss.version, currentStatus: nearMiss.status },
    );
  }
  const decision = decideTransition(nearMiss.status, action, principal.roles);
  if (!decision.allowed) {
    if (decision.reason === 'FORBIDDEN') throw forbidden(decision.message);
    throw conflict(decision.message, { currentStatus: nearMiss.status, currentVersion: nearMiss.version });
  }
  return { nearMiss, to: decision.to };
}

/** The outbox event of a change to a near miss. */
const changeEvent = (nearMiss: NearMiss, type: string, event: Record<string, unknown> = {}): OutboxEvent => ({
  tenantId: nearMiss.tenantId,
  type,
  aggregateId: nearMiss.id,
  payload: { reference: nearMiss.reference, serviceId: nearMiss.serviceId, category: nearMiss.categoryKey, ...event },
});

/**
 * The outbox event that tells the reporter's app a message is waiting. Only
 * a NAMED reporter is named: events reach integrations, which may not see a
 * confidential reporter, and an anonymous one is stored nowhere (their
 * receipt shows the message).
 */
export const feedbackEvent = (nearMiss: NearMiss, kind: FeedbackKind): OutboxEvent => ({
  tenantId: nearMiss.tenantId,
  type: 'reporter_feedback.sent',
  aggregateId: nearMiss.id,
  payload: {
    reference: nearMiss.reference,
    reporterId: nearMiss.identity === 'NAMED' ? nearMiss.reportedById : null,
    reporterIdentity: nearMiss.identity,
    kind,
  },
});

/** The audit entry of a change to a near miss (actor undefined: the system). */
const changeAudit = (
  actor: Principal | undefined,
  nearMiss: NearMiss,
  action: string,
  detail: Record<string, unknown>,
): AuditEntry => ({
  tenantId: nearMiss.tenantId,
  nearMissId: nearMiss.id,
  actor: actor?.staffId,
  action,
  detail,
});

export interface Change {
  /** The audit action and event type, e.g. `near_miss.closed`. */
  action: string;
  detail: Record<string, unknown>;
  event?: Record<string, unknown>;
  /** The reporter was told (the feedback row is written): announce it after the change's event. */
  feedback?: FeedbackKind;
}

/**
 * The audit entries and events of one mutation, collected while it writes
 * and recorded once its writes are done: audit (which locks the tenant's
 * chain head until commit, so it comes last but the outbox), then outbox,
 * each in the order the changes happened.
 */
export class ChangeLog {
  readonly audit: AuditEntry[] = [];
  readonly events: OutboxEvent[] = [];

  /** A change to a near miss: its audit entry, its event, and the reporter's feedback event if they were told. */
  change(actor: Principal | undefined, nearMiss: NearMiss, change: Change): this {
    this.audit.push(changeAudit(actor, nearMiss, change.action, change.detail));
    this.events.push(changeEvent(nearMiss, change.action, change.event));
    if (change.feedback) this.events.push(feedbackEvent(nearMiss, change.feedback));
    return this;
  }

  async record(tx: Transaction): Promise<void> {
    await recordAudit(tx, this.audit);
    await enqueueEvent(tx, this.events);
  }
}

/** Audit, then outbox, of one change whose writes are done. */
export const recordChange = (tx: Transaction, actor: Principal | undefined, nearMiss: NearMiss, change: Change) =>
  new ChangeLog().change(actor, nearMiss, change).record(tx);

/** Writes a message to the reporter (announce it with `feedbackEvent` or `Change.feedback`). */
export async function giveFeedback(
  tx: Transaction,
  nearMiss: NearMiss,
  kind: FeedbackKind,
  message: string,
  sentBy?: string,
): Promise<void> {
  await insertFeedback(tx, { tenantId: nearMiss.tenantId, nearMissId: nearMiss.id, kind, message, sentBy });
}

/** The near miss as the caller may read it, inside the transaction (null: not readable to them). */
export async function readNearMiss(
  tx: Transaction,
  { principal, services }: Actor,
  id: string,
): Promise<NearMiss | null> {
  const [nearMiss] = await loadByIds(tx, readScopeOf(principal, services.registry), [id]);
  return nearMiss;
}

/** Gate keys that apply to this report, and the ones done. */
export async function gateState(tx: Transaction, registry: CategoryRegistry, nearMiss: NearMiss) {
  const category = registry.get(nearMiss.categoryKey);
  const required = category
    ? applicableGates(category.definition, factsOf(nearMiss, category)).map((gate) => gate.key)
    : [];
  return { required, done: await loadDoneGateKeys(tx, nearMiss) };
}

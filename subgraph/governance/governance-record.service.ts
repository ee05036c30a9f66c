import { z } from 'zod';
import { recordAudit, type AuditEntry } from '../audit/audit-log';
import { worksInService } from '../auth/principal';
import { authorize } from '../auth/role-matrix';
import { badUserInput, type FieldProblem } from '../common/errors';
import { text, uuid, validate } from '../common/validation';
import { actionScopeOf, loadActionsByIds } from '../corrective-actions/corrective-action.repository';
import type { Transaction } from '../database/transaction';
import { learningResponseMethods, type LearningResponseMethodValue } from '../domain/vocabulary';
import { reopenNearMiss } from '../lifecycle/lifecycle.service';
import { loadByIds } from '../near-misses/near-miss.repository';
import { readScopeOf } from '../near-misses/read-scope';
import { enqueueEvent } from '../outbox/outbox';
import { reviewScopeOf } from '../patterns/review-scope';
import { loadReviewsByIds } from '../patterns/risk-review.repository';
import type { Actor } from '../server/actor';
import {
  insertGovernanceReview,
  insertLearningResponse,
  type GovernanceReviewRecord,
  type LearningResponseRecord,
} from './governance-record.repository';

const clockSkewMs = 5 * 60 * 1000;
const heldAtSchema = (now: Date) =>
  z.date('must be a date-time').refine((at) => at.getTime() <= now.getTime() + clockSkewMs, 'may not be in the future');
const names = z.array(text(200)).min(1, 'needs at least one').max(50, 'may hold at most 50 items');
const ids = (what: string) =>
  z.array(uuid(`holds an id that is not a ${what} id`)).max(50, 'may hold at most 50 items');

export interface GovernanceReviewInput {
  from: Date;
  to: Date;
  serviceIds?: string[] | null;
  heldAt: Date;
  attendees: string[];
  decisions: string[];
  emergingRisk: boolean;
  reopenNearMissIds?: string[] | null;
}

/**
 * Records a governance meeting's review of a period, in one transaction:
 * the record, then each near miss it reopens (as a reopening by a lead would,
 * with its feedback, audit and events, and the review's id in the audit
 * detail), then its own audit entry and event. A near miss that cannot be
 * reopened (not found, not closed or verifying) fails the whole record.
 */
export async function recordGovernanceReview(
  tx: Transaction,
  actor: Actor,
  request: GovernanceReviewInput,
): Promise<GovernanceReviewRecord> {
  const { principal, services } = actor;
  authorize(principal, 'governance.record');
  const now = services.now?.() ?? new Date();
  const input = validate(
    z
      .object({
        from: z.date('must be a date-time'),
        to: z.date('must be a date-time'),
        serviceIds: z.array(text(100)).max(50, 'may hold at most 50 items').default([]),
        heldAt: heldAtSchema(now),
        attendees: names,
        decisions: z.array(text(2000)).min(1, 'needs at least one').max(50, 'may hold at most 50 items'),
        emergingRisk: z.boolean(),
        reopenNearMissIds: ids('near miss').default([]),
      })
      .refine((value) => value.from.getTime() < value.to.getTime(), { path: ['to'], message: 'must be after from' }),
    {
      ...request,
      serviceIds: request.serviceIds ?? undefined,
      reopenNearMissIds: request.reopenNearMissIds ?? undefined,
    },
  );
  const outside = input.serviceIds.filter((serviceId) => !worksInService(principal, serviceId));
  if (outside.length) {
    throw badUserInput([{ path: 'serviceIds', message: `are not your services: ${outside.join(', ')}` }]);
  }
  const reopenIds = [...new Set(input.reopenNearMissIds)];
  const record = {
    from: input.from,
    to: input.to,
    serviceIds: [...new Set(input.serviceIds)],
    heldAt: input.heldAt,
    attendees: input.attendees,
    decisions: input.decisions,
    emergingRisk: input.emergingRisk,
    reopenedNearMissIds: reopenIds,
  };
  const id = await insertGovernanceReview(tx, {
    ...record,
    tenantId: principal.tenantId,
    recordedBy: principal.staffId,
  });
  const reason = `Reopened by the governance review held on ${input.heldAt.toISOString().slice(0, 10)}`;
  for (const nearMissId of reopenIds) {
    await reopenNearMiss(tx, actor, { id: nearMissId, reason, governanceReviewId: id });
  }
  await recordAudit(tx, {
    tenantId: principal.tenantId,
    actor: principal.staffId,
    action: 'governance_review.recorded',
    detail: { governanceReviewId: id, emergingRisk: input.emergingRisk, reopened: reopenIds.length },
  });
  await enqueueEvent(tx, {
    tenantId: principal.tenantId,
    type: 'governance_review.recorded',
    aggregateId: id,
    payload: {
      governanceReviewId: id,
      serviceIds: record.serviceIds,
      emergingRisk: input.emergingRisk,
      reopenedNearMissIds: reopenIds,
    },
  });
  return { id, ...record };
}

export interface LearningResponseInput {
  method: LearningResponseMethodValue;
  heldAt: Date;
  participants: string[];
  findings: string;
  nearMissIds?: string[] | null;
  riskReviewIds?: string[] | null;
  actionIds?: string[] | null;
}

/**
 * Records a learning response and what it concerned: every near miss, risk
 * review and action named must be one the caller may read. The response
 * belongs to the services of what it concerns (none: the organisation), and
 * shows in the timeline of each near miss it names.
 */
export async function recordLearningResponse(
  tx: Transaction,
  actor: Actor,
  request: LearningResponseInput,
): Promise<LearningResponseRecord> {
  const { principal, services } = actor;
  authorize(principal, 'learning.record');
  const now = services.now?.() ?? new Date();
  const input = validate(
    z.object({
      method: z.enum(learningResponseMethods),
      heldAt: heldAtSchema(now),
      participants: names,
      findings: text(8000),
      nearMissIds: ids('near miss').default([]),
      riskReviewIds: ids('risk review').default([]),
      actionIds: ids('corrective action').default([]),
    }),
    {
      ...request,
      nearMissIds: request.nearMissIds ?? undefined,
      riskReviewIds: request.riskReviewIds ?? undefined,
      actionIds: request.actionIds ?? undefined,
    },
  );
  const nearMissIds = [...new Set(input.nearMissIds)];
  const riskReviewIds = [...new Set(input.riskReviewIds)];
  const actionIds = [...new Set(input.actionIds)];
  const nearMisses = await loadByIds(tx, readScopeOf(principal, services.registry), nearMissIds);
  const reviews = await loadReviewsByIds(tx, reviewScopeOf(principal, services.registry), riskReviewIds);
  const actions = await loadActionsByIds(tx, actionScopeOf(principal), actionIds);
  const problems: FieldProblem[] = [
    unknownIds('nearMissIds', nearMissIds, nearMisses),
    unknownIds('riskReviewIds', riskReviewIds, reviews),
    unknownIds('actionIds', actionIds, actions),
  ].flat();
  if (problems.length) throw badUserInput(problems);
  const serviceIds = [
    ...new Set([
      ...nearMisses.map((nearMiss) => nearMiss!.serviceId),
      ...reviews.map((review) => review!.serviceId),
      ...actions.flatMap((action) => action!.serviceIds),
    ]),
  ].sort();
  const record = {
    method: input.method,
    heldAt: input.heldAt,
    participants: input.participants,
    findings: input.findings,
    serviceIds,
    nearMissIds,
    riskReviewIds,
    actionIds,
  };
  const id = await insertLearningResponse(tx, {
    ...record,
    tenantId: principal.tenantId,
    recordedBy: principal.staffId,
  });
  const detail = { learningResponseId: id, method: input.method };
  const audit: AuditEntry[] = nearMissIds.length
    ? nearMissIds.map((nearMissId) => ({
        tenantId: principal.tenantId,
        nearMissId,
        actor: principal.staffId,
        action: 'learning_response.recorded',
        detail,
      }))
    : [{ tenantId: principal.tenantId, actor: principal.staffId, action: 'learning_response.recorded', detail }];
  await recordAudit(tx, audit);
  await enqueueEvent(tx, {
    tenantId: principal.tenantId,
    type: 'learning_response.recorded',
    aggregateId: id,
    payload: { learningResponseId: id, method: input.method, serviceIds, nearMissIds, riskReviewIds, actionIds },
  });
  return { id, ...record };
}

const unknownIds = (path: string, asked: string[], found: readonly (object | null)[]): FieldProblem[] => {
  const missing = asked.filter((_, index) => !found[index]);
  return missing.length ? [{ path, message: `not found or not yours to see: ${missing.join(', ')}` }] : [];
};

import { z } from 'zod';
import { recordAudit } from '../audit/audit-log';
import { worksInService } from '../auth/principal';
import { authorize } from '../auth/role-matrix';
import { badUserInput, conflict, forbidden, notFound, type FieldProblem } from '../common/errors';
import { text, uuid, validate } from '../common/validation';
import { addCorrectiveAction } from '../corrective-actions/corrective-action.service';
import type { Transaction } from '../database/transaction';
import { enqueueEvent } from '../outbox/outbox';
import type { Actor } from '../server/actor';
import { defaultRepeatTriggerRule } from './repeat-trigger-rule';
import { reviewScopeOf } from './review-scope';
import {
  linkReviewAction,
  loadMembers,
  loadRepeatTriggerRules,
  loadReviewKeys,
  loadReviewsByIds,
  lockReview,
  lockReviewKeys,
  markConcluded,
  saveRepeatTriggerRule,
  saveServiceManager,
  type StoredRule,
} from './risk-review.repository';
import {
  riskReviewCauses,
  type RiskReview,
  type RiskReviewActionInput,
  type RiskReviewCauseValue,
} from './risk-review.type';

/** Statuses in which a near miss can take corrective actions. */
const actionable = ['TRIAGED', 'ACTIONS_IN_PROGRESS', 'VERIFYING'];

export interface ConcludeRequest {
  id: string;
  conclusion: string;
  causes?: RiskReviewCauseValue[] | null;
  expectedVersion?: number | null;
  actions?: RiskReviewActionInput[] | null;
}

/**
 * Concludes a review with what it found, and optionally the corrective
 * actions it decided (added by the corrective-action service in the same
 * transaction, so the whole conclusion commits or none of it). Takes the
 * review's key locks first, as reports do, so a report never joins a review
 * that is concluding under it. Returns the review as the caller may read it.
 */
export async function concludeRiskReview(
  tx: Transaction,
  actor: Actor,
  request: ConcludeRequest,
): Promise<RiskReview | null> {
  const { principal } = actor;
  authorize(principal, 'riskReviews.conclude');
  const input = validate(
    z.object({
      id: uuid('is not a risk review id'),
      conclusion: text(4000),
      causes: z.array(z.enum(riskReviewCauses)).max(riskReviewCauses.length).default([]),
      expectedVersion: z.number().int().min(1).optional(),
      actionCount: z.number().int().max(10, 'at most 10 actions at once'),
    }),
    {
      ...request,
      causes: request.causes ?? undefined,
      expectedVersion: request.expectedVersion ?? undefined,
      actionCount: request.actions?.length ?? 0,
    },
  );
  const keys = await loadReviewKeys(tx, principal.tenantId, input.id);
  if (!keys || !worksInService(principal, keys.serviceId))
    throw notFound(`Risk review ${input.id} does not exist or is not in your services`);
  await lockReviewKeys(tx, principal.tenantId, keys.keys);
  const review = await lockReview(tx, principal.tenantId, input.id);
  const scope = reviewScopeOf(principal, actor.services.registry);
  if (!review || scope.hiddenCategories?.includes(review.categoryKey))
    throw notFound(`Risk review ${input.id} does not exist or is not in your services`);
  if (review.status !== 'OPEN')
    throw conflict('This risk review is already concluded', {
      currentStatus: review.status,
      currentVersion: review.version,
    });
  if (input.expectedVersion !== undefined && review.version !== input.expectedVersion) {
    throw conflict(
      `The risk review is at version ${review.version}, not ${input.expectedVersion}. Reload and try again.`,
      { currentVersion: review.version },
    );
  }
  await markConcluded(tx, review, {
    text: input.conclusion,
    causes: [...new Set(input.causes)],
    by: principal.staffId,
  });

  const members = await loadMembers(tx, review);
  const actionIds: string[] = [];
  for (const [index, action] of (request.actions ?? []).entries()) {
    const nearMissIds =
      action.nearMissIds ?? members.filter((member) => actionable.includes(member.status)).map((member) => member.id);
    if (!nearMissIds.length) {
      const problem: FieldProblem = {
        path: `actions.${index}.nearMissIds`,
        message: "none of the review's near misses is triaged yet: triage them first, or name near misses",
      };
      throw badUserInput([problem]);
    }
    const added = await addCorrectiveAction(tx, actor, { ...action, nearMissIds });
    await linkReviewAction(tx, review, added.id);
    actionIds.push(added.id);
  }
  await recordAudit(
    tx,
    members.map((member) => ({
      tenantId: principal.tenantId,
      nearMissId: member.id,
      actor: principal.staffId,
      action: 'risk_review.concluded',
      detail: { reviewId: input.id, causes: input.causes, actionIds },
    })),
  );
  await enqueueEvent(tx, {
    tenantId: principal.tenantId,
    type: 'risk_review.concluded',
    aggregateId: input.id,
    payload: {
      reviewId: input.id,
      serviceId: review.serviceId,
      causes: input.causes,
      actionIds,
      nearMissIds: members.map((member) => member.id),
    },
  });
  const [concluded] = await loadReviewsByIds(tx, scope, [review.id]);
  return concluded;
}

export interface RuleRequest {
  category: string;
  threshold: number;
  windowDays: number;
  reviewDueDays?: number | null;
  enabled?: boolean | null;
}

/** Sets a category's (or the default '*') repeat-trigger rule; returns every rule as it now stands. */
export async function setRepeatTriggerRule(tx: Transaction, actor: Actor, request: RuleRequest): Promise<StoredRule[]> {
  const { principal, services } = actor;
  authorize(principal, 'riskReviews.configure');
  const categories = services.registry.list().map((registered) => registered.definition.key);
  const input = validate(
    z.object({
      category: z
        .string()
        .refine(
          (category) => category === '*' || categories.includes(category),
          `must be '*' or one of: ${categories.join(', ')}`,
        ),
      threshold: z.number().int().min(2, 'must be at least 2').max(50, 'must be at most 50'),
      windowDays: z.number().int().min(1, 'must be at least 1').max(365, 'must be at most 365'),
      reviewDueDays: z.number().int().min(1).max(90).default(defaultRepeatTriggerRule.reviewDueDays),
      enabled: z.boolean().default(true),
    }),
    { ...request, reviewDueDays: request.reviewDueDays ?? undefined, enabled: request.enabled ?? undefined },
  );
  await saveRepeatTriggerRule(tx, { ...input, tenantId: principal.tenantId, updatedBy: principal.staffId });
  await recordAudit(tx, {
    tenantId: principal.tenantId,
    actor: principal.staffId,
    action: 'repeat_trigger_rule.updated',
    detail: input,
  });
  return loadRepeatTriggerRules(tx, principal.tenantId, categories);
}

export interface ServiceManagerInput {
  serviceId: string;
  staffId: string;
}

/** Names the manager of a service; open reviews of the service without one are assigned to them. */
export async function setServiceManager(tx: Transaction, actor: Actor, request: ServiceManagerInput): Promise<void> {
  const { principal } = actor;
  authorize(principal, 'riskReviews.configure');
  const input = validate(z.object({ serviceId: text(100), staffId: text(100) }), {
    serviceId: request.serviceId,
    staffId: request.staffId,
  });
  if (!worksInService(principal, input.serviceId)) throw forbidden(`You do not work in ${input.serviceId}`);
  await saveServiceManager(tx, {
    tenantId: principal.tenantId,
    serviceId: input.serviceId,
    staffId: input.staffId,
    updatedBy: principal.staffId,
  });
  await recordAudit(tx, {
    tenantId: principal.tenantId,
    actor: principal.staffId,
    action: 'service_manager.assigned',
    detail: input,
  });
}

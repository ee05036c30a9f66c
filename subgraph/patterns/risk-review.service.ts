import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log';
import { worksInService } from '../auth/principal';
import { authorize } from '../auth/role-matrix';
import { badUserInput, conflict, forbidden, notFound, type FieldProblem } from '../common/errors';
import { addCorrectiveAction } from '../corrective-actions/corrective-action.service';
import type { TenantDatabase } from '../database/tenant-scope';
import { toFieldProblems } from '../common/validation';
import { enqueueEvent } from '../outbox/outbox';
import type { RequestContext } from '../server/context';
import { defaultRepeatTriggerRule, type RepeatTriggerRule } from './repeat-trigger-rule';
import { riskReviewCauses, type RiskReviewActionInput, type RiskReviewCauseValue } from './risk-review.type';

type Context = Pick<RequestContext, 'principal' | 'db' | 'services'>;

const text = (max: number) => z.string().trim().min(1, 'may not be blank').max(max, `must be at most ${max} characters`);

function validate<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badUserInput(toFieldProblems(parsed.error));
  return parsed.data;
}

/** Statuses in which a near miss can take corrective actions. */
const actionable = ['TRIAGED', 'ACTIONS_IN_PROGRESS', 'VERIFYING'];

export interface ConcludeRequest {
  id: string;
  conclusion: string;
  causes?: RiskReviewCauseValue[] | null;
  expectedVersion?: number | null;
  actions?: RiskReviewActionInput[] | null;
}

/** Runs another service's writes inside this transaction, so the whole conclusion commits or none of it. */
const within = (manager: EntityManager, tenantId: string): TenantDatabase => ({ tenantId, transaction: (work) => work(manager), read: (work) => work(manager) });

/**
 * Concludes a review with what it found, and optionally the corrective
 * actions it decided (created through the corrective-action service, in the
 * same transaction). Takes the review's key locks first, as reports do, so a
 * report never joins a review that is concluding under it.
 */
export async function concludeRiskReview(context: Context, request: ConcludeRequest): Promise<{ actionIds: string[] }> {
  const { principal } = context;
  authorize(principal, 'riskReviews.conclude');
  const input = validate(
    z.object({
      id: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'is not a risk review id'),
      conclusion: text(4000),
      causes: z.array(z.enum(riskReviewCauses)).max(riskReviewCauses.length).default([]),
      expectedVersion: z.number().int().min(1).optional(),
      actionCount: z.number().int().max(10, 'at most 10 actions at once'),
    }),
    { ...request, causes: request.causes ?? undefined, expectedVersion: request.expectedVersion ?? undefined, actionCount: request.actions?.length ?? 0 },
  );
  return context.db.transaction(async (manager) => {
    const keys: { similarity_key: string; service_id: string }[] = await manager.query(
      `SELECT k.similarity_key, r.service_id FROM risk_review r LEFT JOIN risk_review_key k ON k.review_id = r.id AND k.tenant_id = r.tenant_id
       WHERE r.tenant_id = $1 AND r.id = $2`,
      [principal.tenantId, input.id],
    );
    if (!keys.length || !worksInService(principal, keys[0].service_id)) throw notFound(`Risk review ${input.id} does not exist or is not in your services`);
    await manager.query(`SELECT lock_similarity_keys($1, $2::text[])`, [principal.tenantId, keys.flatMap((key) => (key.similarity_key ? [key.similarity_key] : []))]);
    const [review]: { status: string; version: number; service_id: string }[] = await manager.query(
      `SELECT status, version, service_id FROM risk_review WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
      [principal.tenantId, input.id],
    );
    if (review.status !== 'OPEN') throw conflict('This risk review is already concluded', { currentStatus: review.status, currentVersion: review.version });
    if (input.expectedVersion !== undefined && review.version !== input.expectedVersion) {
      throw conflict(`The risk review is at version ${review.version}, not ${input.expectedVersion}. Reload and try again.`, { currentVersion: review.version });
    }
    await manager.query(
      `UPDATE risk_review SET status = 'CONCLUDED', conclusion = $1, causes = $2, concluded_at = clock_timestamp(), concluded_by = $3, version = version + 1
       WHERE tenant_id = $4 AND id = $5`,
      [input.conclusion, [...new Set(input.causes)], principal.staffId, principal.tenantId, input.id],
    );
    await manager.query(`UPDATE risk_review_key SET open = false WHERE tenant_id = $1 AND review_id = $2`, [principal.tenantId, input.id]);

    const members: { id: string; status: string }[] = await manager.query(
      `SELECT n.id, n.status FROM risk_review_near_miss m JOIN near_miss n ON n.id = m.near_miss_id AND n.tenant_id = m.tenant_id
       WHERE m.tenant_id = $1 AND m.review_id = $2 ORDER BY n.id`,
      [principal.tenantId, input.id],
    );
    const actionIds: string[] = [];
    for (const [index, action] of (request.actions ?? []).entries()) {
      const nearMissIds = action.nearMissIds ?? members.filter((member) => actionable.includes(member.status)).map((member) => member.id);
      if (!nearMissIds.length) {
        const problem: FieldProblem = { path: `actions.${index}.nearMissIds`, message: "none of the review's near misses is triaged yet: triage them first, or name near misses" };
        throw badUserInput([problem]);
      }
      const actionId = await addCorrectiveAction({ ...context, db: within(manager, principal.tenantId) }, { ...action, nearMissIds });
      await manager.query(`INSERT INTO risk_review_action (tenant_id, review_id, action_id) VALUES ($1, $2, $3)`, [principal.tenantId, input.id, actionId]);
      actionIds.push(actionId);
    }
    await recordAudit(
      manager,
      members.map((member) => ({ tenantId: principal.tenantId, nearMissId: member.id, actor: principal.staffId, action: 'risk_review.concluded', detail: { reviewId: input.id, causes: input.causes, actionIds } })),
    );
    await enqueueEvent(manager, {
      tenantId: principal.tenantId,
      type: 'risk_review.concluded',
      aggregateId: input.id,
      payload: { reviewId: input.id, serviceId: review.service_id, causes: input.causes, actionIds, nearMissIds: members.map((member) => member.id) },
    });
    return { actionIds };
  });
}

export interface StoredRule extends RepeatTriggerRule {
  category: string;
  configured: boolean;
}

/** The effective rule of every installed category and the provider-wide default ('*'). */
export async function readRepeatTriggerRules(manager: EntityManager, tenantId: string, categories: string[]): Promise<StoredRule[]> {
  const rows: { category: string; threshold: number; window_days: number; review_due_days: number; enabled: boolean }[] = await manager.query(
    `SELECT category, threshold, window_days, review_due_days, enabled FROM repeat_trigger_rule WHERE tenant_id = $1`,
    [tenantId],
  );
  const stored = new Map(rows.map((row) => [row.category, { threshold: row.threshold, windowDays: row.window_days, reviewDueDays: row.review_due_days, enabled: row.enabled }]));
  const fallback = stored.get('*') ?? defaultRepeatTriggerRule;
  return ['*', ...categories].map((category) => ({ category, ...(stored.get(category) ?? fallback), configured: stored.has(category) }));
}

export interface RuleRequest {
  category: string;
  threshold: number;
  windowDays: number;
  reviewDueDays?: number | null;
  enabled?: boolean | null;
}

export async function setRepeatTriggerRule(context: Context, request: RuleRequest): Promise<void> {
  const { principal } = context;
  authorize(principal, 'riskReviews.configure');
  const categories = context.services.registry.list().map((registered) => registered.definition.key);
  const input = validate(
    z.object({
      category: z.string().refine((category) => category === '*' || categories.includes(category), `must be '*' or one of: ${categories.join(', ')}`),
      threshold: z.number().int().min(2, 'must be at least 2').max(50, 'must be at most 50'),
      windowDays: z.number().int().min(1, 'must be at least 1').max(365, 'must be at most 365'),
      reviewDueDays: z.number().int().min(1).max(90).default(defaultRepeatTriggerRule.reviewDueDays),
      enabled: z.boolean().default(true),
    }),
    { ...request, reviewDueDays: request.reviewDueDays ?? undefined, enabled: request.enabled ?? undefined },
  );
  await context.db.transaction(async (manager) => {
    await manager.query(
      `INSERT INTO repeat_trigger_rule (tenant_id, category, threshold, window_days, review_due_days, enabled, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tenant_id, category) DO UPDATE SET threshold = $3, window_days = $4, review_due_days = $5, enabled = $6, updated_by = $7, updated_at = now()`,
      [principal.tenantId, input.category, input.threshold, input.windowDays, input.reviewDueDays, input.enabled, principal.staffId],
    );
    await recordAudit(manager, { tenantId: principal.tenantId, actor: principal.staffId, action: 'repeat_trigger_rule.updated', detail: input });
  });
}

/** Names the manager of a service; open reviews of the service without one are assigned to them. */
export async function setServiceManager(context: Context, serviceId: string, staffId: string): Promise<void> {
  const { principal } = context;
  authorize(principal, 'riskReviews.configure');
  const input = validate(z.object({ serviceId: text(100), staffId: text(100) }), { serviceId, staffId });
  if (!worksInService(principal, input.serviceId)) throw forbidden(`You do not work in ${input.serviceId}`);
  await context.db.transaction(async (manager) => {
    await manager.query(
      `INSERT INTO service_manager (tenant_id, service_id, staff_id, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, service_id) DO UPDATE SET staff_id = $3, updated_by = $4, updated_at = now()`,
      [principal.tenantId, input.serviceId, input.staffId, principal.staffId],
    );
    await manager.query(`UPDATE risk_review SET assigned_to = $3 WHERE tenant_id = $1 AND service_id = $2 AND status = 'OPEN' AND assigned_to IS NULL`, [
      principal.tenantId,
      input.serviceId,
      input.staffId,
    ]);
    await recordAudit(manager, { tenantId: principal.tenantId, actor: principal.staffId, action: 'service_manager.assigned', detail: input });
  });
}

import { In, IsNull } from 'typeorm';
import { isUuid } from '../common/validation';
import type { Transaction } from '../database/transaction';
import type { RepeatTriggerBasis } from './repeat-trigger-keys';
import { RepeatTriggerRuleEntity } from './repeat-trigger-rule.entity';
import { defaultRepeatTriggerRule, type RepeatTriggerRule } from './repeat-trigger-rule';
import { RiskReviewActionEntity } from './risk-review-action.entity';
import { RiskReviewKeyEntity } from './risk-review-key.entity';
import { RiskReviewEntity } from './risk-review.entity';
import { ServiceManagerEntity } from './service-manager.entity';
import type { RiskReview, RiskReviewCauseValue, RiskReviewStatusValue } from './risk-review.type';

/** Which reviews a caller may see: their tenant, reviews of their services, none of a restricted category hidden from them. */
export interface ReviewScope {
  tenantId: string;
  serviceIds: string[] | '*';
  /** Restricted categories the caller may not read (read-scope.ts): their reviews describe those reports. */
  hiddenCategories?: readonly string[];
}

/** A risk_review row as read by `columns`, with its member count. */
interface ReviewRow {
  id: string;
  tenant_id: string;
  status: RiskReviewStatusValue;
  reason: string;
  category: string;
  service_id: string;
  basis: RepeatTriggerBasis;
  threshold: number;
  window_days: number;
  opened_at: Date;
  due_by: Date;
  assigned_to: string | null;
  conclusion: string | null;
  causes: RiskReviewCauseValue[];
  concluded_at: Date | null;
  concluded_by: string | null;
  version: number;
  near_miss_count: number;
}

const columns = `r.id, r.tenant_id, r.status, r.reason, r.category, r.service_id, r.basis, r.threshold, r.window_days, r.opened_at, r.due_by,
  r.assigned_to, r.conclusion, r.causes, r.concluded_at, r.concluded_by, r.version,
  (SELECT count(*)::int FROM risk_review_near_miss m WHERE m.review_id = r.id AND m.tenant_id = r.tenant_id) AS near_miss_count`;

function toRiskReview(row: ReviewRow, now = new Date()): RiskReview {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    status: row.status,
    reason: row.reason,
    openedAt: row.opened_at,
    conclusion: row.conclusion,
    serviceId: row.service_id,
    categoryKey: row.category,
    basis: row.basis,
    threshold: row.threshold,
    windowDays: row.window_days,
    nearMissCount: row.near_miss_count,
    dueBy: row.due_by,
    overdue: row.status === 'OPEN' && row.due_by.getTime() < now.getTime(),
    causes: row.causes,
    concludedAt: row.concluded_at ?? undefined,
    version: row.version,
    assignedToId: row.assigned_to ?? undefined,
    concludedById: row.concluded_by ?? undefined,
  };
}

// Review reads are raw SQL: one statement per gateway batch, with the same scope conditions for
// lists, ids and membership, and a list ordered by open-first due dates.
function scopeConditions(scope: ReviewScope, values: unknown[]): string[] {
  values.push(scope.tenantId);
  const where = [`r.tenant_id = $${values.length}`];
  if (scope.serviceIds !== '*') {
    values.push(scope.serviceIds);
    where.push(`r.service_id = ANY($${values.length}::text[])`);
  }
  if (scope.hiddenCategories?.length) {
    values.push(scope.hiddenCategories);
    where.push(`r.category <> ALL($${values.length}::text[])`);
  }
  return where;
}

export interface ReviewListFilter {
  status?: RiskReviewStatusValue;
  serviceIds?: string[];
  overdueOnly?: boolean;
  /** Reviews open at any time in [from, to): opened before `to`, and not concluded before `from`. */
  activeFrom?: Date;
  activeTo?: Date;
}

export const maxReviewList = 500;

// Reads below are raw SQL: lists sort open reviews by due date before concluded
// ones and count members in the same statement; they are the loaders' batches.

/** Reviews in scope: open ones by due date (overdue first), then concluded ones, newest first. */
export async function loadReviews(
  tx: Transaction,
  scope: ReviewScope,
  filter: ReviewListFilter,
): Promise<RiskReview[]> {
  const values: unknown[] = [];
  const where = scopeConditions(scope, values);
  if (filter.status) where.push(`r.status = $${values.push(filter.status)}`);
  if (filter.serviceIds?.length) where.push(`r.service_id = ANY($${values.push(filter.serviceIds)}::text[])`);
  if (filter.overdueOnly) where.push(`r.status = 'OPEN' AND r.due_by < now()`);
  if (filter.activeTo) where.push(`r.opened_at < $${values.push(filter.activeTo)}`);
  if (filter.activeFrom) where.push(`(r.concluded_at IS NULL OR r.concluded_at >= $${values.push(filter.activeFrom)})`);
  const rows: ReviewRow[] = await tx.query(
    `SELECT ${columns} FROM risk_review r WHERE ${where.join(' AND ')}
     ORDER BY r.status = 'CONCLUDED', CASE WHEN r.status = 'OPEN' THEN r.due_by END, r.opened_at DESC, r.id LIMIT ${maxReviewList}`,
    values,
  );
  return rows.map((row) => toRiskReview(row));
}

export async function loadReviewsByIds(
  tx: Transaction,
  scope: ReviewScope,
  ids: readonly string[],
): Promise<(RiskReview | null)[]> {
  const valid = ids.filter(isUuid);
  if (!valid.length) return ids.map(() => null);
  const values: unknown[] = [];
  const where = scopeConditions(scope, values);
  where.push(`r.id = ANY($${values.push(valid)}::uuid[])`);
  const rows: ReviewRow[] = await tx.query(`SELECT ${columns} FROM risk_review r WHERE ${where.join(' AND ')}`, values);
  const byId = new Map(rows.map((row) => [row.id, toRiskReview(row)]));
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}

/** The most reviews `NearMiss.riskReviews` lists per near miss (the oldest). */
export const maxReviewsPerNearMiss = 10;
/** The most near misses `RiskReview.nearMisses` lists per review (the earliest occurrences). */
export const maxNearMissesPerReview = 100;
/** The most actions `RiskReview.correctiveActions` lists per review. */
export const maxActionsPerReview = 20;

/** Reviews each near miss belongs to (in scope), oldest first: one statement per batch. */
/** Whether the near miss is a member of any risk review (open or concluded). */
export async function isInRiskReview(tx: Transaction, tenantId: string, nearMissId: string): Promise<boolean> {
  const [row]: { member: boolean }[] = await tx.query(
    `SELECT EXISTS (SELECT 1 FROM risk_review_near_miss WHERE tenant_id = $1 AND near_miss_id = $2::uuid) AS member`,
    [tenantId, nearMissId],
  );
  return row.member;
}

export async function loadReviewsByNearMiss(
  tx: Transaction,
  scope: ReviewScope,
  nearMissIds: readonly string[],
): Promise<RiskReview[][]> {
  const values: unknown[] = [];
  const where = scopeConditions(scope, values);
  where.push(`m.near_miss_id = ANY($${values.push(nearMissIds)}::uuid[])`);
  const rows: (ReviewRow & { member: string })[] = await tx.query(
    `SELECT * FROM (
       SELECT m.near_miss_id AS member, ${columns},
              row_number() OVER (PARTITION BY m.near_miss_id ORDER BY r.opened_at, r.id) AS position
         FROM risk_review_near_miss m JOIN risk_review r ON r.id = m.review_id AND r.tenant_id = m.tenant_id
        WHERE ${where.join(' AND ')}
     ) AS listed WHERE position <= ${maxReviewsPerNearMiss} ORDER BY opened_at, id`,
    values,
  );
  return nearMissIds.map((id) => rows.filter((row) => row.member === id).map((row) => toRiskReview(row)));
}

/** Near-miss ids of each review, oldest occurrence first (raw SQL: ordered by the near misses' own columns). */
export async function loadReviewMemberIds(
  tx: Transaction,
  tenantId: string,
  reviewIds: readonly string[],
): Promise<string[][]> {
  const rows: { review_id: string; near_miss_id: string }[] = await tx.query(
    `SELECT review_id, near_miss_id FROM (
       SELECT m.review_id, m.near_miss_id, n.occurred_at,
              row_number() OVER (PARTITION BY m.review_id ORDER BY n.occurred_at, n.id) AS position
         FROM risk_review_near_miss m JOIN near_miss n ON n.id = m.near_miss_id AND n.tenant_id = m.tenant_id
        WHERE m.tenant_id = $1 AND m.review_id = ANY($2::uuid[])
     ) AS member WHERE position <= $3 ORDER BY occurred_at, near_miss_id`,
    [tenantId, reviewIds, maxNearMissesPerReview],
  );
  return reviewIds.map((id) => rows.filter((row) => row.review_id === id).map((row) => row.near_miss_id));
}

/** Corrective actions a review decided, per review. */
export async function loadReviewActionIds(
  tx: Transaction,
  tenantId: string,
  reviewIds: readonly string[],
): Promise<string[][]> {
  const rows = await tx.getRepository(RiskReviewActionEntity).find({
    select: { reviewId: true, actionId: true },
    where: { tenantId, reviewId: In([...reviewIds]) },
    order: { actionId: 'ASC' },
  });
  // A review decides a handful of actions: capped here rather than in SQL.
  return reviewIds.map((id) =>
    rows
      .filter((row) => row.reviewId === id)
      .slice(0, maxActionsPerReview)
      .map((row) => row.actionId),
  );
}

/** What concluding a review locks first: its service and its similarity keys (none: no such review). */
export interface ReviewKeys {
  serviceId: string;
  keys: string[];
}

/** Raw SQL: the review's service and its keys in one statement (a left join: a review may have no keys). */
export async function loadReviewKeys(tx: Transaction, tenantId: string, id: string): Promise<ReviewKeys | null> {
  const rows: { similarity_key: string | null; service_id: string }[] = await tx.query(
    `SELECT k.similarity_key, r.service_id FROM risk_review r LEFT JOIN risk_review_key k ON k.review_id = r.id AND k.tenant_id = r.tenant_id
     WHERE r.tenant_id = $1 AND r.id = $2`,
    [tenantId, id],
  );
  if (!rows.length) return null;
  return {
    serviceId: rows[0].service_id,
    keys: rows.flatMap((row) => (row.similarity_key ? [row.similarity_key] : [])),
  };
}

/** Takes the repeat trigger's key locks, as a report does. Raw SQL: a call of lock_similarity_keys(). */
export async function lockReviewKeys(tx: Transaction, tenantId: string, keys: string[]): Promise<void> {
  await tx.query(`SELECT lock_similarity_keys($1, $2::text[])`, [tenantId, keys]);
}

export interface LockedReview {
  id: string;
  tenantId: string;
  status: RiskReviewStatusValue;
  version: number;
  serviceId: string;
  categoryKey: string;
}

/** One review, locked for the rest of the transaction. */
export async function lockReview(tx: Transaction, tenantId: string, id: string): Promise<LockedReview | null> {
  const row = await tx.getRepository(RiskReviewEntity).findOne({
    select: { id: true, tenantId: true, status: true, version: true, serviceId: true, category: true },
    where: { tenantId, id },
    lock: { mode: 'pessimistic_write' },
  });
  return row
    ? {
        id: row.id,
        tenantId: row.tenantId,
        status: row.status as RiskReviewStatusValue,
        version: row.version,
        serviceId: row.serviceId,
        categoryKey: row.category,
      }
    : null;
}

/** Concluded: its keys no longer open, so the next similar report opens a new review. */
export async function markConcluded(
  tx: Transaction,
  review: Pick<LockedReview, 'id' | 'tenantId'>,
  conclusion: { text: string; causes: RiskReviewCauseValue[]; by: string },
): Promise<void> {
  await tx.getRepository(RiskReviewEntity).update(
    { tenantId: review.tenantId, id: review.id },
    {
      status: 'CONCLUDED',
      conclusion: conclusion.text,
      causes: conclusion.causes,
      concludedAt: () => 'clock_timestamp()',
      concludedBy: conclusion.by,
      version: () => 'version + 1',
    },
  );
  await tx
    .getRepository(RiskReviewKeyEntity)
    .update({ tenantId: review.tenantId, reviewId: review.id }, { open: false });
}

/** The review's near misses and their statuses, in id order (raw SQL: a join to the near-miss table). */
export async function loadMembers(
  tx: Transaction,
  review: Pick<LockedReview, 'id' | 'tenantId'>,
): Promise<{ id: string; status: string }[]> {
  return tx.query(
    `SELECT n.id, n.status FROM risk_review_near_miss m JOIN near_miss n ON n.id = m.near_miss_id AND n.tenant_id = m.tenant_id
     WHERE m.tenant_id = $1 AND m.review_id = $2 ORDER BY n.id`,
    [review.tenantId, review.id],
  );
}

export async function linkReviewAction(
  tx: Transaction,
  review: Pick<LockedReview, 'id' | 'tenantId'>,
  actionId: string,
): Promise<void> {
  await tx.getRepository(RiskReviewActionEntity).insert({ tenantId: review.tenantId, reviewId: review.id, actionId });
}

export interface StoredRule extends RepeatTriggerRule {
  category: string;
  configured: boolean;
}

/** The effective rule of every installed category and the provider-wide default ('*'). */
export async function loadRepeatTriggerRules(
  tx: Transaction,
  tenantId: string,
  categories: string[],
): Promise<StoredRule[]> {
  const rows = await tx.getRepository(RepeatTriggerRuleEntity).find({
    select: { tenantId: true, category: true, threshold: true, windowDays: true, reviewDueDays: true, enabled: true },
    where: { tenantId },
  });
  const stored = new Map(
    rows.map((row) => [
      row.category,
      { threshold: row.threshold, windowDays: row.windowDays, reviewDueDays: row.reviewDueDays, enabled: row.enabled },
    ]),
  );
  const fallback = stored.get('*') ?? defaultRepeatTriggerRule;
  return ['*', ...categories].map((category) => ({
    category,
    ...(stored.get(category) ?? fallback),
    configured: stored.has(category),
  }));
}

export interface RuleChange extends RepeatTriggerRule {
  tenantId: string;
  category: string;
  updatedBy: string;
}

export async function saveRepeatTriggerRule(tx: Transaction, rule: RuleChange): Promise<void> {
  await tx.getRepository(RepeatTriggerRuleEntity).upsert(
    {
      tenantId: rule.tenantId,
      category: rule.category,
      threshold: rule.threshold,
      windowDays: rule.windowDays,
      reviewDueDays: rule.reviewDueDays,
      enabled: rule.enabled,
      updatedBy: rule.updatedBy,
      updatedAt: () => 'now()',
    },
    { conflictPaths: ['tenantId', 'category'] },
  );
}

export interface ManagerChange {
  tenantId: string;
  serviceId: string;
  staffId: string;
  updatedBy: string;
}

/** Names a service's manager, and assigns them the service's open reviews that have none. */
export async function saveServiceManager(tx: Transaction, change: ManagerChange): Promise<void> {
  await tx.getRepository(ServiceManagerEntity).upsert(
    {
      tenantId: change.tenantId,
      serviceId: change.serviceId,
      staffId: change.staffId,
      updatedBy: change.updatedBy,
      updatedAt: () => 'now()',
    },
    { conflictPaths: ['tenantId', 'serviceId'] },
  );
  await tx
    .getRepository(RiskReviewEntity)
    .update(
      { tenantId: change.tenantId, serviceId: change.serviceId, status: 'OPEN', assignedTo: IsNull() },
      { assignedTo: change.staffId },
    );
}

import { uuid } from '../common/validation';
import type { Transaction } from '../database/transaction';
import { repeatKeyLockSql } from './repeat-trigger';
import type { RepeatTriggerBasis } from './repeat-trigger-keys';
import { defaultRepeatTriggerRule, type RepeatTriggerRule } from './repeat-trigger-rule';
import type { RiskReview, RiskReviewCauseValue, RiskReviewStatusValue } from './risk-review.type';

/** Which reviews a caller may see: their tenant, and reviews of their services. */
export interface ReviewScope {
  tenantId: string;
  serviceIds: string[] | '*';
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

function scopeConditions(scope: ReviewScope, values: unknown[]): string[] {
  values.push(scope.tenantId);
  const where = [`r.tenant_id = $${values.length}`];
  if (scope.serviceIds !== '*') {
    values.push(scope.serviceIds);
    where.push(`r.service_id = ANY($${values.length}::text[])`);
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
export async function loadReviews(tx: Transaction, scope: ReviewScope, filter: ReviewListFilter): Promise<RiskReview[]> {
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

export async function loadReviewsByIds(tx: Transaction, scope: ReviewScope, ids: readonly string[]): Promise<(RiskReview | null)[]> {
  const valid = ids.filter((id) => uuid.safeParse(id).success);
  if (!valid.length) return ids.map(() => null);
  const values: unknown[] = [];
  const where = scopeConditions(scope, values);
  where.push(`r.id = ANY($${values.push(valid)}::uuid[])`);
  const rows: ReviewRow[] = await tx.query(`SELECT ${columns} FROM risk_review r WHERE ${where.join(' AND ')}`, values);
  const byId = new Map(rows.map((row) => [row.id, toRiskReview(row)]));
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}

/** Reviews each near miss belongs to (in scope), oldest first: one statement per batch. */
export async function loadReviewsByNearMiss(tx: Transaction, scope: ReviewScope, nearMissIds: readonly string[]): Promise<RiskReview[][]> {
  const values: unknown[] = [];
  const where = scopeConditions(scope, values);
  where.push(`m.near_miss_id = ANY($${values.push(nearMissIds)}::uuid[])`);
  const rows: (ReviewRow & { member: string })[] = await tx.query(
    `SELECT m.near_miss_id AS member, ${columns} FROM risk_review_near_miss m JOIN risk_review r ON r.id = m.review_id AND r.tenant_id = m.tenant_id
     WHERE ${where.join(' AND ')} ORDER BY r.opened_at, r.id`,
    values,
  );
  return nearMissIds.map((id) => rows.filter((row) => row.member === id).map((row) => toRiskReview(row)));
}

/** Near-miss ids of each review, oldest occurrence first. */
export async function loadReviewMemberIds(tx: Transaction, tenantId: string, reviewIds: readonly string[]): Promise<string[][]> {
  const rows: { review_id: string; near_miss_id: string }[] = await tx.query(
    `SELECT m.review_id, m.near_miss_id FROM risk_review_near_miss m JOIN near_miss n ON n.id = m.near_miss_id AND n.tenant_id = m.tenant_id
     WHERE m.tenant_id = $1 AND m.review_id = ANY($2::uuid[]) ORDER BY n.occurred_at, n.id`,
    [tenantId, reviewIds],
  );
  return reviewIds.map((id) => rows.filter((row) => row.review_id === id).map((row) => row.near_miss_id));
}

/** Corrective actions a review decided, per review. */
export async function loadReviewActionIds(tx: Transaction, tenantId: string, reviewIds: readonly string[]): Promise<string[][]> {
  const rows: { review_id: string; action_id: string }[] = await tx.query(
    `SELECT review_id, action_id FROM risk_review_action WHERE tenant_id = $1 AND review_id = ANY($2::uuid[]) ORDER BY action_id`,
    [tenantId, reviewIds],
  );
  return reviewIds.map((id) => rows.filter((row) => row.review_id === id).map((row) => row.action_id));
}

/** What concluding a review locks first: its service and its similarity keys (none: no such review). */
export interface ReviewKeys {
  serviceId: string;
  keys: string[];
}

export async function loadReviewKeys(tx: Transaction, tenantId: string, id: string): Promise<ReviewKeys | null> {
  const rows: { similarity_key: string | null; service_id: string }[] = await tx.query(
    `SELECT k.similarity_key, r.service_id FROM risk_review r LEFT JOIN risk_review_key k ON k.review_id = r.id AND k.tenant_id = r.tenant_id
     WHERE r.tenant_id = $1 AND r.id = $2`,
    [tenantId, id],
  );
  if (!rows.length) return null;
  return { serviceId: rows[0].service_id, keys: rows.flatMap((row) => (row.similarity_key ? [row.similarity_key] : [])) };
}

/** Takes the repeat trigger's key locks, as a report does. Raw SQL: the trigger's advisory-lock expression. */
export async function lockReviewKeys(tx: Transaction, tenantId: string, keys: string[]): Promise<void> {
  await tx.query(`SELECT ${repeatKeyLockSql('$1', '$2')} AS locks`, [tenantId, keys]);
}

export interface LockedReview {
  id: string;
  tenantId: string;
  status: RiskReviewStatusValue;
  version: number;
  serviceId: string;
}

/** One review, locked for the rest of the transaction (raw SQL: FOR UPDATE). */
export async function lockReview(tx: Transaction, tenantId: string, id: string): Promise<LockedReview | null> {
  const [row]: { id: string; tenant_id: string; status: RiskReviewStatusValue; version: number; service_id: string }[] = await tx.query(
    `SELECT id, tenant_id, status, version, service_id FROM risk_review WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
    [tenantId, id],
  );
  return row ? { id: row.id, tenantId: row.tenant_id, status: row.status, version: row.version, serviceId: row.service_id } : null;
}

/** Concluded: its keys no longer open, so the next similar report opens a new review. */
export async function markConcluded(
  tx: Transaction,
  review: Pick<LockedReview, 'id' | 'tenantId'>,
  conclusion: { text: string; causes: RiskReviewCauseValue[]; by: string },
): Promise<void> {
  await tx.query(
    `UPDATE risk_review SET status = 'CONCLUDED', conclusion = $1, causes = $2, concluded_at = clock_timestamp(), concluded_by = $3, version = version + 1
     WHERE tenant_id = $4 AND id = $5`,
    [conclusion.text, conclusion.causes, conclusion.by, review.tenantId, review.id],
  );
  await tx.query(`UPDATE risk_review_key SET open = false WHERE tenant_id = $1 AND review_id = $2`, [review.tenantId, review.id]);
}

/** The review's near misses and their statuses, in id order. */
export async function loadMembers(tx: Transaction, review: Pick<LockedReview, 'id' | 'tenantId'>): Promise<{ id: string; status: string }[]> {
  return tx.query(
    `SELECT n.id, n.status FROM risk_review_near_miss m JOIN near_miss n ON n.id = m.near_miss_id AND n.tenant_id = m.tenant_id
     WHERE m.tenant_id = $1 AND m.review_id = $2 ORDER BY n.id`,
    [review.tenantId, review.id],
  );
}

export async function linkReviewAction(tx: Transaction, review: Pick<LockedReview, 'id' | 'tenantId'>, actionId: string): Promise<void> {
  await tx.query(`INSERT INTO risk_review_action (tenant_id, review_id, action_id) VALUES ($1, $2, $3)`, [review.tenantId, review.id, actionId]);
}

export interface StoredRule extends RepeatTriggerRule {
  category: string;
  configured: boolean;
}

/** The effective rule of every installed category and the provider-wide default ('*'). */
export async function loadRepeatTriggerRules(tx: Transaction, tenantId: string, categories: string[]): Promise<StoredRule[]> {
  const rows: { category: string; threshold: number; window_days: number; review_due_days: number; enabled: boolean }[] = await tx.query(
    `SELECT category, threshold, window_days, review_due_days, enabled FROM repeat_trigger_rule WHERE tenant_id = $1`,
    [tenantId],
  );
  const stored = new Map(
    rows.map((row) => [row.category, { threshold: row.threshold, windowDays: row.window_days, reviewDueDays: row.review_due_days, enabled: row.enabled }]),
  );
  const fallback = stored.get('*') ?? defaultRepeatTriggerRule;
  return ['*', ...categories].map((category) => ({ category, ...(stored.get(category) ?? fallback), configured: stored.has(category) }));
}

export interface RuleChange extends RepeatTriggerRule {
  tenantId: string;
  category: string;
  updatedBy: string;
}

export async function saveRepeatTriggerRule(tx: Transaction, rule: RuleChange): Promise<void> {
  await tx.query(
    `INSERT INTO repeat_trigger_rule (tenant_id, category, threshold, window_days, review_due_days, enabled, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (tenant_id, category) DO UPDATE SET threshold = $3, window_days = $4, review_due_days = $5, enabled = $6, updated_by = $7, updated_at = now()`,
    [rule.tenantId, rule.category, rule.threshold, rule.windowDays, rule.reviewDueDays, rule.enabled, rule.updatedBy],
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
  await tx.query(
    `INSERT INTO service_manager (tenant_id, service_id, staff_id, updated_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tenant_id, service_id) DO UPDATE SET staff_id = $3, updated_by = $4, updated_at = now()`,
    [change.tenantId, change.serviceId, change.staffId, change.updatedBy],
  );
  await tx.query(`UPDATE risk_review SET assigned_to = $3 WHERE tenant_id = $1 AND service_id = $2 AND status = 'OPEN' AND assigned_to IS NULL`, [
    change.tenantId,
    change.serviceId,
    change.staffId,
  ]);
}

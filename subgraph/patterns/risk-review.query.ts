import type { EntityManager } from 'typeorm';
import type { RiskReview, RiskReviewStatusValue } from './risk-review.type';

/** Which reviews a caller may see: their tenant, and reviews of their services. */
export interface ReviewScope {
  tenantId: string;
  serviceIds: string[] | '*';
}

type Row = Record<string, any>;

const columns = `r.id, r.tenant_id, r.status, r.reason, r.category, r.service_id, r.basis, r.threshold, r.window_days, r.opened_at, r.due_by,
  r.assigned_to, r.conclusion, r.causes, r.concluded_at, r.concluded_by, r.version,
  (SELECT count(*)::int FROM risk_review_near_miss m WHERE m.review_id = r.id AND m.tenant_id = r.tenant_id) AS near_miss_count`;

export function toRiskReview(row: Row, now = new Date()): RiskReview {
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

/** Reviews in scope: open ones by due date (overdue first), then concluded ones, newest first. */
export async function loadReviews(manager: EntityManager, scope: ReviewScope, filter: ReviewListFilter): Promise<RiskReview[]> {
  const values: unknown[] = [];
  const where = scopeConditions(scope, values);
  if (filter.status) where.push(`r.status = $${values.push(filter.status)}`);
  if (filter.serviceIds?.length) where.push(`r.service_id = ANY($${values.push(filter.serviceIds)}::text[])`);
  if (filter.overdueOnly) where.push(`r.status = 'OPEN' AND r.due_by < now()`);
  if (filter.activeTo) where.push(`r.opened_at < $${values.push(filter.activeTo)}`);
  if (filter.activeFrom) where.push(`(r.concluded_at IS NULL OR r.concluded_at >= $${values.push(filter.activeFrom)})`);
  const rows: Row[] = await manager.query(
    `SELECT ${columns} FROM risk_review r WHERE ${where.join(' AND ')}
     ORDER BY r.status = 'CONCLUDED', CASE WHEN r.status = 'OPEN' THEN r.due_by END, r.opened_at DESC, r.id LIMIT ${maxReviewList}`,
    values,
  );
  return rows.map((row) => toRiskReview(row));
}

export async function loadReviewsByIds(manager: EntityManager, scope: ReviewScope, ids: readonly string[]): Promise<(RiskReview | null)[]> {
  const valid = ids.filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id));
  if (!valid.length) return ids.map(() => null);
  const values: unknown[] = [];
  const where = scopeConditions(scope, values);
  where.push(`r.id = ANY($${values.push(valid)}::uuid[])`);
  const rows: Row[] = await manager.query(`SELECT ${columns} FROM risk_review r WHERE ${where.join(' AND ')}`, values);
  const byId = new Map(rows.map((row) => [row.id as string, toRiskReview(row)]));
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}

/** Reviews each near miss belongs to (in scope), oldest first: one statement per batch. */
export async function loadReviewsByNearMiss(manager: EntityManager, scope: ReviewScope, nearMissIds: readonly string[]): Promise<RiskReview[][]> {
  const values: unknown[] = [];
  const where = scopeConditions(scope, values);
  where.push(`m.near_miss_id = ANY($${values.push(nearMissIds)}::uuid[])`);
  const rows: Row[] = await manager.query(
    `SELECT m.near_miss_id AS member, ${columns} FROM risk_review_near_miss m JOIN risk_review r ON r.id = m.review_id AND r.tenant_id = m.tenant_id
     WHERE ${where.join(' AND ')} ORDER BY r.opened_at, r.id`,
    values,
  );
  return nearMissIds.map((id) => rows.filter((row) => row.member === id).map((row) => toRiskReview(row)));
}

/** Near-miss ids of each review, oldest occurrence first. */
export async function loadReviewMemberIds(manager: EntityManager, tenantId: string, reviewIds: readonly string[]): Promise<string[][]> {
  const rows: { review_id: string; near_miss_id: string }[] = await manager.query(
    `SELECT m.review_id, m.near_miss_id FROM risk_review_near_miss m JOIN near_miss n ON n.id = m.near_miss_id AND n.tenant_id = m.tenant_id
     WHERE m.tenant_id = $1 AND m.review_id = ANY($2::uuid[]) ORDER BY n.occurred_at, n.id`,
    [tenantId, reviewIds],
  );
  return reviewIds.map((id) => rows.filter((row) => row.review_id === id).map((row) => row.near_miss_id));
}

/** Corrective actions a review decided, per review. */
export async function loadReviewActionIds(manager: EntityManager, tenantId: string, reviewIds: readonly string[]): Promise<string[][]> {
  const rows: { review_id: string; action_id: string }[] = await manager.query(
    `SELECT review_id, action_id FROM risk_review_action WHERE tenant_id = $1 AND review_id = ANY($2::uuid[]) ORDER BY action_id`,
    [tenantId, reviewIds],
  );
  return reviewIds.map((id) => rows.filter((row) => row.review_id === id).map((row) => row.action_id));
}

import type { Transaction } from '../database/transaction';
import type { ReadScope } from '../near-misses/read-scope';

export interface GovernancePeriod {
  from: Date;
  to: Date;
  /** Services asked for (undefined: all the caller may see). */
  serviceIds?: string[];
}

export interface GovernanceFigures {
  actionsIssued: number;
  actionsOverdue: number;
  weakOnlyActionPlans: number;
  verification: { pass: number; partial: number; fail: number };
  reopenedItems: number;
  reclassifiedAsIncidents: number;
  weakOnlyOverrides: number;
  riskReviewsOpened: number;
  riskReviewsConcluded: number;
  riskReviewsOverdue: number;
}

/** Services a row must touch: the caller's scope and the ones asked for (null: no restriction). */
function serviceSets(scope: ReadScope, period: GovernancePeriod): (string[] | null)[] {
  return [scope.serviceIds === '*' ? null : scope.serviceIds, period.serviceIds?.length ? period.serviceIds : null];
}

interface GovernanceRow {
  actions_issued: number;
  actions_overdue: number;
  weak_only: number;
  pass: number;
  partial: number;
  fail: number;
  reopened: number;
  reclassified: number;
  weak_only_overrides: number;
  reviews_opened: number;
  reviews_concluded: number;
  reviews_overdue: number;
}

/**
 * The action, verification, reopening, reclassification and review figures of a period, in one
 * statement. Actions count where they apply (their services); near misses and
 * reviews by their service. Links, actions and checks are read as the
 * tenant's ranges and joined in memory (CTEs), not probed row by row: the
 * work follows the tenant's rows, not the depth of the tables' indexes.
 */
export async function loadGovernanceFigures(
  tx: Transaction,
  scope: ReadScope,
  period: GovernancePeriod,
  now: Date,
): Promise<GovernanceFigures> {
  const [scopeServices, askedServices] = serviceSets(scope, period);
  const asOf = period.to.getTime() < now.getTime() ? period.to : now;
  // Hand-written: the period's figures over five tables in one statement, joined in memory (see above).
  const [row]: GovernanceRow[] = await tx.query(
    `WITH scoped_actions AS MATERIALIZED (
       SELECT a.id, a.status, a.due_by, a.created_at, a.strength FROM corrective_action a
       WHERE a.tenant_id = $1 AND ($2::text[] IS NULL OR a.service_ids && $2) AND ($3::text[] IS NULL OR a.service_ids && $3)
     ), period_near_misses AS MATERIALIZED (
       SELECT n.id FROM near_miss n
       WHERE n.tenant_id = $1 AND n.occurred_at >= $4 AND n.occurred_at < $5
         AND ($2::text[] IS NULL OR n.service_id = ANY($2)) AND ($3::text[] IS NULL OR n.service_id = ANY($3))
     ), tenant_links AS MATERIALIZED (
       SELECT l.near_miss_id, l.action_id FROM corrective_action_near_miss l WHERE l.tenant_id = $1
     ), tenant_actions AS MATERIALIZED (
       SELECT a.id, a.strength FROM corrective_action a WHERE a.tenant_id = $1 AND a.status <> 'CANCELLED'
     ), plans AS (
       SELECT l.near_miss_id, bool_and(a.strength = 'WEAKER') AS weak_only FROM period_near_misses p
       JOIN tenant_links l ON l.near_miss_id = p.id
       JOIN tenant_actions a ON a.id = l.action_id
       GROUP BY 1
     ), period_checks AS MATERIALIZED (
       SELECT c.action_id, c.result FROM verification_check c
       WHERE c.tenant_id = $1 AND c.result IS NOT NULL AND c.performed_at >= $4 AND c.performed_at < $5
     ), verification AS (
       SELECT count(*) FILTER (WHERE c.result = 'PASS')::int AS pass, count(*) FILTER (WHERE c.result = 'PARTIAL')::int AS partial,
              count(*) FILTER (WHERE c.result = 'FAIL')::int AS fail
       FROM period_checks c JOIN scoped_actions a ON a.id = c.action_id
     ), scoped_reviews AS MATERIALIZED (
       SELECT r.status, r.opened_at, r.concluded_at, r.due_by FROM risk_review r
       WHERE r.tenant_id = $1 AND ($2::text[] IS NULL OR r.service_id = ANY($2)) AND ($3::text[] IS NULL OR r.service_id = ANY($3))
     )
     SELECT
       (SELECT count(*)::int FROM scoped_actions WHERE created_at >= $4 AND created_at < $5) AS actions_issued,
       (SELECT count(*)::int FROM scoped_actions WHERE status IN ('OPEN', 'IN_PROGRESS') AND due_by < $6 AND created_at < $5) AS actions_overdue,
       (SELECT count(*)::int FROM plans WHERE weak_only) AS weak_only,
       (SELECT pass FROM verification) AS pass,
       (SELECT partial FROM verification) AS partial,
       (SELECT fail FROM verification) AS fail,
       (SELECT count(*)::int FROM near_miss n WHERE n.tenant_id = $1 AND n.reopened_at >= $4 AND n.reopened_at < $5
          AND ($2::text[] IS NULL OR n.service_id = ANY($2)) AND ($3::text[] IS NULL OR n.service_id = ANY($3))) AS reopened,
       (SELECT count(*)::int FROM near_miss n WHERE n.tenant_id = $1 AND n.reclassified_at >= $4 AND n.reclassified_at < $5
          AND ($2::text[] IS NULL OR n.service_id = ANY($2)) AND ($3::text[] IS NULL OR n.service_id = ANY($3))) AS reclassified,
       (SELECT count(*)::int FROM near_miss n WHERE n.tenant_id = $1 AND n.closed_at >= $4 AND n.closed_at < $5
          AND n.weak_only_override_reason IS NOT NULL
          AND ($2::text[] IS NULL OR n.service_id = ANY($2)) AND ($3::text[] IS NULL OR n.service_id = ANY($3))) AS weak_only_overrides,
       (SELECT count(*)::int FROM scoped_reviews WHERE opened_at >= $4 AND opened_at < $5) AS reviews_opened,
       (SELECT count(*)::int FROM scoped_reviews WHERE concluded_at >= $4 AND concluded_at < $5) AS reviews_concluded,
       (SELECT count(*)::int FROM scoped_reviews WHERE status = 'OPEN' AND due_by < $7) AS reviews_overdue`,
    [scope.tenantId, scopeServices, askedServices, period.from, period.to, asOf, now],
  );
  return {
    actionsIssued: row.actions_issued,
    actionsOverdue: row.actions_overdue,
    weakOnlyActionPlans: row.weak_only,
    verification: { pass: row.pass, partial: row.partial, fail: row.fail },
    reopenedItems: row.reopened,
    reclassifiedAsIncidents: row.reclassified,
    weakOnlyOverrides: row.weak_only_overrides,
    riskReviewsOpened: row.reviews_opened,
    riskReviewsConcluded: row.reviews_concluded,
    riskReviewsOverdue: row.reviews_overdue,
  };
}

import type { Transaction } from '../database/transaction';
import type { ConcludedReviewFacts, EffectiveActionFacts } from './learning-brief';

/** The most items a brief holds of each kind. */
export const maxBriefItems = 100;

export interface BriefScope {
  tenantId: string;
  /** Null: every service. */
  serviceIds: string[] | null;
  /** Restricted categories the caller may not read: their reviews and actions stay out. */
  hiddenCategories: readonly string[];
  from: Date;
  to: Date;
}

/** Risk reviews concluded in [from, to), with the titles of their actions that are done. */
export async function loadConcludedReviews(tx: Transaction, scope: BriefScope): Promise<ConcludedReviewFacts[]> {
  // Hand-written: each review with an array of its done actions' titles, in one statement.
  const rows: { category: string; reason: string; service_id: string; causes: string[]; titles: string[] }[] =
    await tx.query(
      `SELECT r.category, r.reason, r.service_id, r.causes,
         ARRAY(SELECT a.title FROM risk_review_action ra
                 JOIN corrective_action a ON a.tenant_id = ra.tenant_id AND a.id = ra.action_id
                WHERE ra.tenant_id = r.tenant_id AND ra.review_id = r.id AND a.status = 'DONE'
                ORDER BY a.created_at, a.id) AS titles
       FROM risk_review r
       WHERE r.tenant_id = $1 AND r.status = 'CONCLUDED' AND r.concluded_at >= $2 AND r.concluded_at < $3
         AND ($4::text[] IS NULL OR r.service_id = ANY($4)) AND r.category <> ALL($5::text[])
       ORDER BY r.concluded_at, r.id LIMIT ${maxBriefItems}`,
      [scope.tenantId, scope.from, scope.to, scope.serviceIds, scope.hiddenCategories],
    );
  return rows.map((row) => ({
    category: row.category,
    reason: row.reason,
    serviceId: row.service_id,
    causes: row.causes,
    doneActionTitles: row.titles,
  }));
}

/**
 * Actions completed in [from, to) and verified effective that no risk review
 * produced, with the categories and number of the near misses they answer
 * (an action answering a restricted report the caller may not read stays out).
 */
export async function loadEffectiveActions(tx: Transaction, scope: BriefScope): Promise<EffectiveActionFacts[]> {
  // Hand-written: categories and counts of the linked near misses, in one statement.
  const rows: { title: string; service_ids: string[]; categories: string[]; near_misses: number }[] = await tx.query(
    `SELECT a.title, a.service_ids, linked.categories, linked.near_misses
       FROM corrective_action a
       CROSS JOIN LATERAL (
         SELECT array_agg(DISTINCT n.category ORDER BY n.category) AS categories, count(*)::int AS near_misses
           FROM corrective_action_near_miss l JOIN near_miss n ON n.tenant_id = l.tenant_id AND n.id = l.near_miss_id
          WHERE l.tenant_id = a.tenant_id AND l.action_id = a.id) linked
      WHERE a.tenant_id = $1 AND a.status = 'DONE' AND a.effective IS TRUE
        AND a.completed_at >= $2 AND a.completed_at < $3
        AND ($4::text[] IS NULL OR a.service_ids && $4)
        AND NOT (linked.categories && $5::text[])
        AND NOT EXISTS (SELECT 1 FROM risk_review_action ra WHERE ra.tenant_id = a.tenant_id AND ra.action_id = a.id)
      ORDER BY a.completed_at, a.id LIMIT ${maxBriefItems}`,
    [scope.tenantId, scope.from, scope.to, scope.serviceIds, scope.hiddenCategories],
  );
  return rows.map((row) => ({
    title: row.title,
    serviceIds: row.service_ids,
    categories: row.categories ?? [],
    nearMissCount: row.near_misses,
  }));
}

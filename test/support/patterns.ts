import { medicationReport, newKey } from './reports';
import type { Caller, TestApp } from './test-app';

const dayMs = 24 * 60 * 60 * 1000;

/** An ISO time `days` before now (fractions allowed). */
export const daysAgo = (days: number) => new Date(Date.now() - days * dayMs).toISOString();

export const reviewFields = /* GraphQL */ `
  id status reason openedAt conclusion serviceId categoryKey basis threshold windowDays nearMissCount dueBy overdue causes version
  assignedTo { id } nearMisses { id }
`;

export const reportWithReviews = /* GraphQL */ `
  mutation Report($input: ReportNearMissInput!, $key: String!) {
    reportNearMiss(input: $input, idempotencyKey: $key) {
      replayed
      nearMiss { id reference occurredAt riskReviews { id } }
      riskReviewsOpened { ${reviewFields} }
      riskReviewsJoined { id }
    }
  }
`;

/** Reports a medication near miss; `overrides` change the core fields, `details` the category's. */
export async function report(
  t: TestApp,
  caller: Caller,
  overrides: Record<string, unknown> = {},
  details: Record<string, unknown> = {},
) {
  const result = await t.graphql(
    reportWithReviews,
    { input: medicationReport(overrides, details), key: newKey() },
    caller,
  );
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.reportNearMiss as {
    nearMiss: { id: string; reference: string; riskReviews: { id: string }[] };
    riskReviewsOpened: Record<string, any>[];
    riskReviewsJoined: { id: string }[];
  };
}

/** Reviews of a tenant straight from the database (all services), with their near-miss ids. */
export async function reviewsInDatabase(t: TestApp, tenant: string) {
  return t.app.database.dataSource.query<
    { id: string; status: string; reason: string; basis: string; members: string[] }[]
  >(
    `SELECT r.id, r.status, r.reason, r.basis, ARRAY(SELECT m.near_miss_id::text FROM risk_review_near_miss m WHERE m.review_id = r.id ORDER BY 1) AS members
     FROM risk_review r WHERE r.tenant_id = $1 ORDER BY r.opened_at`,
    [tenant],
  );
}

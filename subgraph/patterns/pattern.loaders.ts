import DataLoader from 'dataloader';
import type { Principal } from '../auth/principal';
import type { TenantDatabase } from '../database/tenant-scope';
import { loadReviewActionIds, loadReviewMemberIds, loadReviewsByIds, loadReviewsByNearMiss, type ReviewScope } from './risk-review.query';
import type { RiskReview } from './risk-review.type';

/** Per-request loaders for risk reviews: one statement per batch each. */
export function createPatternLoaders(principal: Principal, db: TenantDatabase) {
  const scope: ReviewScope = { tenantId: principal.tenantId, serviceIds: principal.services };
  return {
    scope,
    reviewById: new DataLoader<string, RiskReview | null>((ids) => db.read((manager) => loadReviewsByIds(manager, scope, ids))),
    reviewsByNearMiss: new DataLoader<string, RiskReview[]>((ids) => db.read((manager) => loadReviewsByNearMiss(manager, scope, ids))),
    memberIds: new DataLoader<string, string[]>((ids) => db.read((manager) => loadReviewMemberIds(manager, principal.tenantId, ids))),
    actionIds: new DataLoader<string, string[]>((ids) => db.read((manager) => loadReviewActionIds(manager, principal.tenantId, ids))),
    clear() {
      this.reviewById.clearAll();
      this.reviewsByNearMiss.clearAll();
      this.memberIds.clearAll();
      this.actionIds.clearAll();
    },
  };
}

export type PatternLoaders = ReturnType<typeof createPatternLoaders>;

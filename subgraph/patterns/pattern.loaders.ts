import DataLoader from 'dataloader';
import type { Principal } from '../auth/principal';
import type { TenantDatabase } from '../database/tenant-scope';
import {
  loadReviewActionIds,
  loadReviewMemberIds,
  loadReviewsByIds,
  loadReviewsByNearMiss,
} from './risk-review.repository';
import type { CategoryRegistry } from '../categories/category-registry';
import { reviewScopeOf } from './review-scope';
import type { RiskReview } from './risk-review.type';

/** Per-request loaders for risk reviews: one statement per batch each. */
export function createPatternLoaders(principal: Principal, db: TenantDatabase, registry: CategoryRegistry) {
  const scope = reviewScopeOf(principal, registry);
  return {
    scope,
    reviewById: new DataLoader<string, RiskReview | null>((ids) => db.read((tx) => loadReviewsByIds(tx, scope, ids))),
    reviewsByNearMiss: new DataLoader<string, RiskReview[]>((ids) =>
      db.read((tx) => loadReviewsByNearMiss(tx, scope, ids)),
    ),
    memberIds: new DataLoader<string, string[]>((ids) =>
      db.read((tx) => loadReviewMemberIds(tx, principal.tenantId, ids)),
    ),
    actionIds: new DataLoader<string, string[]>((ids) =>
      db.read((tx) => loadReviewActionIds(tx, principal.tenantId, ids)),
    ),
  };
}

export type PatternLoaders = ReturnType<typeof createPatternLoaders>;

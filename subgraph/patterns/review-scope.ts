import type { Principal } from '../auth/principal';
import type { CategoryRegistry } from '../categories/category-registry';
import { restrictedCategoriesOf } from '../near-misses/read-scope';
import type { ReviewScope } from './risk-review.repository';

/**
 * The reviews a caller may read: of their tenant and services, and none of a
 * restricted category they may not read (a review's reason and conclusion
 * describe its reports; the caller still counts them in aggregates).
 */
export function reviewScopeOf(principal: Principal, registry: CategoryRegistry): ReviewScope {
  return {
    tenantId: principal.tenantId,
    serviceIds: principal.services,
    hiddenCategories: restrictedCategoriesOf(principal, registry)?.categories,
  };
}

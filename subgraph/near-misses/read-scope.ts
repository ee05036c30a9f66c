import { authorize, seesAllReportsOfTheirServices } from '../auth/role-matrix';
import { hasAnyRole, type Principal } from '../auth/principal';
import { Role } from '../auth/role';
import type { CategoryRegistry } from '../categories/category-registry';
import { reporterVisibilityOf } from './reporter-identity';

/** Which near-miss rows a caller may read. */
export interface ReadScope {
  tenantId: string;
  /** `'*'`: every service of the tenant. */
  serviceIds: string[] | '*';
  /** Set for callers who may only read their own reports (reporters). */
  reportedBy?: string;
  /** Restricted categories the caller may not read, except the reports they made themselves. */
  restricted?: RestrictedCategories;
  /**
   * Whose confidential reports the caller may find through their reporter
   * (`Staff.nearMisses`): undefined for roles that see every confidential
   * reporter (reporter-identity.ts).
   */
  confidentialReporters?: { self: string; categories: readonly string[] };
}

export interface RestrictedCategories {
  categories: string[];
  /** The caller's staff id: their own reports stay readable. */
  exceptReportedBy: string;
}

/**
 * Roles that read restricted categories whatever the category names. ADMIN
 * holds every read and every lifecycle step in the role matrix and alone
 * configures categories, plugins and webhooks, so hiding reports from ADMIN
 * would be a wall ADMIN could take down; it would protect nothing and stop
 * erasure and subject access requests from being complete.
 */
export const readsEveryRestrictedCategory: readonly Role[] = [Role.ADMIN];

/** Restricted categories hidden from the caller (undefined when none are). */
export function restrictedCategoriesOf(
  principal: Principal,
  registry: CategoryRegistry,
): RestrictedCategories | undefined {
  if (hasAnyRole(principal, readsEveryRestrictedCategory)) return undefined;
  const categories = registry.restrictedCategoriesHiddenFrom(principal.roles);
  return categories.length ? { categories, exceptReportedBy: principal.staffId } : undefined;
}

export function readScopeOf(principal: Principal, registry: CategoryRegistry): ReadScope {
  authorize(principal, 'nearMiss.read');
  return {
    tenantId: principal.tenantId,
    serviceIds: principal.services,
    reportedBy: hasAnyRole(principal, seesAllReportsOfTheirServices) ? undefined : principal.staffId,
    restricted: restrictedCategoriesOf(principal, registry),
    confidentialReporters: confidentialReportersOf(principal, registry),
  };
}

function confidentialReportersOf(principal: Principal, registry: CategoryRegistry): ReadScope['confidentialReporters'] {
  const visibility = reporterVisibilityOf(principal, registry);
  return visibility.everyCategory ? undefined : { self: visibility.self, categories: visibility.categories };
}

/**
 * The near misses a caller may change: their tenant and services, whoever
 * reported them, but never a restricted report they cannot read (NOT_FOUND,
 * as for an unknown id).
 */
export function changeScopeOf(principal: Principal, registry: CategoryRegistry): ReadScope {
  return {
    tenantId: principal.tenantId,
    serviceIds: principal.services,
    restricted: restrictedCategoriesOf(principal, registry),
  };
}

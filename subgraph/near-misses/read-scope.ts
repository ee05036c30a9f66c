import { authorize, seesAllReportsOfTheirServices } from '../auth/role-matrix';
import { hasAnyRole, type Principal } from '../auth/principal';

/** Which near-miss rows a caller may read. */
export interface ReadScope {
  tenantId: string;
  /** `'*'`: every service of the tenant. */
  serviceIds: string[] | '*';
  /** Set for callers who may only read their own reports (reporters). */
  reportedBy?: string;
}

export function readScopeOf(principal: Principal): ReadScope {
  authorize(principal, 'nearMiss.read');
  return {
    tenantId: principal.tenantId,
    serviceIds: principal.services,
    reportedBy: hasAnyRole(principal, seesAllReportsOfTheirServices) ? undefined : principal.staffId,
  };
}

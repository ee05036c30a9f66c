import { Role } from './role';

/** The authenticated caller, from the token's claims. */
export interface Principal {
  /** Staff id of the caller (`sub`). */
  staffId: string;
  /** Provider organisation (`tenant`). */
  tenantId: string;
  roles: Role[];
  /** Service ids the caller works in; `'*'` means every service of the tenant. */
  services: string[] | '*';
}

export const hasAnyRole = (principal: Principal, roles: readonly Role[]) =>
  principal.roles.some((role) => roles.includes(role));

export const worksInService = (principal: Principal, serviceId: string) =>
  principal.services === '*' || principal.services.includes(serviceId);

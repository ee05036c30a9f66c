import type { Principal } from '../auth/principal';
import type { AppServices } from './app-services';

/**
 * Who is acting, and the process's services a use case may need. Every
 * mutation's service has one signature: `(tx: Transaction, actor: Actor,
 * input) => Promise<what the payload needs>`.
 */
export interface Actor {
  principal: Principal;
  services: AppServices;
}

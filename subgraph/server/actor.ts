import type { Principal } from '../auth/principal';
import type { DataSource } from 'typeorm';
import type { CategoryRegistry } from '../categories/category-registry';
import type { Logger } from '../common/logger';
import type { Config } from '../config';

/**
 * Who is acting, and the process's services a use case may need. Every
 * mutation's service has one signature: `(tx: Transaction, actor: Actor,
 * input) => Promise<what the payload needs>`.
 */
export interface Actor {
  principal: Principal;
  services: AppServices;
}

/** What lives for the whole process. */
export interface AppServices {
  config: Config;
  dataSource: DataSource;
  registry: CategoryRegistry;
  logger: Logger;
}

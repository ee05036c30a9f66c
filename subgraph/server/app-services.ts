import type { DataSource } from 'typeorm';
import type { CategoryRegistry } from '../categories/category-registry';
import type { Logger } from '../common/logger';
import type { Config } from '../config';
import type { HostResolver } from '../outbox/webhook-url';

/** What lives for the whole process. */
export interface AppServices {
  config: Config;
  dataSource: DataSource;
  registry: CategoryRegistry;
  logger: Logger;
  /** The clock use cases read (tests and benchmarks set it); the system clock when unset. */
  now?: () => Date;
  /** Resolves webhook hosts (tests give fixed answers); the system resolver when unset. */
  resolveHost?: HostResolver;
  /** false skips the repeat trigger: only to measure what it costs (npm run bench:analytics). */
  repeatTrigger?: boolean;
}

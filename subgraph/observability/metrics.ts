import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The Prometheus series a provider watches (docs/operations.md lists the
 * alerts). Labels are bounded by the code or the schema (routes, operation
 * types, top-level fields, error codes): never a tenant, a person or text a
 * client chose.
 */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'route' | 'method' | 'status'>;
  httpDuration: Histogram<'route' | 'method'>;
  httpInFlight: Gauge;
  graphqlOperations: Counter<'type' | 'field'>;
  graphqlDuration: Histogram<'type' | 'field'>;
  graphqlErrors: Counter<'code'>;
  webhookDeliveries: Counter<'outcome'>;
}

/** What the database reports at each scrape; undefined while it cannot be read. */
export interface DatabaseGauges {
  pool(): { total: number; idle: number; waiting: number; max: number } | undefined;
  backlog(): Promise<OperationalCounts | undefined>;
}

export interface OperationalCounts {
  outboxPending: number;
  outboxOldestPendingSeconds: number;
  outboxDead: number;
  triageOverdue: number;
}

/** How long a scrape waits for the database's counts before it reports them as unknown. */
const scrapeQueryTimeoutMs = 1000;

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'near_miss_http_requests_total',
      help: 'HTTP requests answered, by route, method and status',
      labelNames: ['route', 'method', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'near_miss_http_request_duration_seconds',
      help: 'Time from receiving a request to the end of its answer',
      labelNames: ['route', 'method'],
      buckets: latencyBuckets,
      registers: [registry],
    }),
    httpInFlight: new Gauge({
      name: 'near_miss_http_requests_in_flight',
      help: 'HTTP requests received and not yet answered',
      registers: [registry],
    }),
    graphqlOperations: new Counter({
      name: 'near_miss_graphql_operations_total',
      help: 'GraphQL operations executed, by operation type and top-level field',
      labelNames: ['type', 'field'],
      registers: [registry],
    }),
    graphqlDuration: new Histogram({
      name: 'near_miss_graphql_operation_duration_seconds',
      help: 'GraphQL request time, by operation type and top-level field',
      labelNames: ['type', 'field'],
      buckets: latencyBuckets,
      registers: [registry],
    }),
    graphqlErrors: new Counter({
      name: 'near_miss_graphql_errors_total',
      help: 'Errors in GraphQL answers, by extensions.code',
      labelNames: ['code'],
      registers: [registry],
    }),
    webhookDeliveries: new Counter({
      name: 'near_miss_webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome (delivered, failed: retried later, dead: given up)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}

/** Gauges read when /metrics is scraped: the pool of this replica, the outbox and triage queue of the database. */
export function registerDatabaseGauges(metrics: Metrics, database: DatabaseGauges): void {
  const { registry } = metrics;
  new Gauge({
    name: 'near_miss_db_pool_connections',
    help: 'Database pool of this replica: total, idle, and requests waiting for a connection; max is the configured size',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const now = database.pool();
      if (!now) return;
      for (const state of ['total', 'idle', 'waiting', 'max'] as const) this.set({ state }, now[state]);
    },
  });

  let counts: Promise<OperationalCounts | undefined> | undefined;
  // One query per scrape serves all four gauges; a scrape never waits long for a busy pool.
  const read = () =>
    (counts ??= Promise.race([
      database.backlog(),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), scrapeQueryTimeoutMs).unref()),
    ]).finally(() => setImmediate(() => (counts = undefined))));
  const gauge = (name: string, help: string, pick: (counts: OperationalCounts) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const value = await read().catch(() => undefined);
        if (value) this.set(pick(value));
        else this.reset();
      },
    });
  gauge('near_miss_outbox_pending', 'Webhook deliveries not yet delivered (all tenants)', (c) => c.outboxPending);
  gauge(
    'near_miss_outbox_oldest_pending_seconds',
    'Age of the oldest webhook delivery not yet delivered (0: none)',
    (c) => c.outboxOldestPendingSeconds,
  );
  gauge('near_miss_outbox_dead', 'Webhook deliveries given up after their last attempt', (c) => c.outboxDead);
  gauge(
    'near_miss_triage_overdue',
    'Near misses past their triage due time and not yet triaged (all tenants)',
    (c) => c.triageOverdue,
  );
  new Gauge({
    name: 'near_miss_database_up',
    help: '1 when the last scrape could read the database, 0 otherwise',
    registers: [registry],
    async collect() {
      this.set((await read().catch(() => undefined)) ? 1 : 0);
    },
  });
}

import 'reflect-metadata';
import { createTokenVerifier } from './auth/jwt';
import { loadCategoryRegistry } from './categories/plugin-loader';
import { createLogger, type Logger } from './common/logger';
import type { Config } from './config';
import { createReadinessCheck, migrateAsOwner, openDatabase, poolState, type Database } from './database/data-source';
import { openWithRetry } from './database/open-with-retry';
import { createMetrics, registerDatabaseGauges, type Metrics } from './observability/metrics';
import { readOperationalCounts } from './observability/operational-counts.repository';
import { createTracing } from './observability/tracing';
import { createWebhookDispatcher, type WebhookDispatcher } from './outbox/webhook-dispatcher';
import type { HostResolver } from './outbox/webhook-url';
import type { AppServices } from './server/app-services';
import { startHttpServer, type RunningServer } from './server/http-server';
import { createSubgraphSchema } from './server/subgraph-schema';

export interface App {
  url: string;
  services: AppServices;
  database: Database;
  http: RunningServer;
  metrics: Metrics;
  /** Delivers outbox events to webhooks; polling unless WEBHOOK_DISPATCH_ENABLED=false. */
  webhookDispatcher: WebhookDispatcher;
  /** Milliseconds spent per boot step. */
  timings: Record<string, number>;
  /**
   * Graceful stop: readiness 503 and no new connections at once, requests in
   * flight answered within `drainMs` (default SHUTDOWN_DRAIN_MS), the webhook
   * batch in hand finished, then the pool closed. Resolves with the requests
   * cut because the drain ran out (0 when it was clean).
   */
  stop(drainMs?: number): Promise<{ cut: number }>;
}

export interface AppOptions {
  /** Schema to work in on a shared server (tests). */
  databaseSchema?: string;
  /** Embedded database in memory instead of DATA_DIR (tests). */
  inMemory?: boolean;
  logger?: Logger;
  /** Observes every SQL statement (tests). */
  onQuery?: (sql: string) => void;
  /** Resolves webhook hosts at registration and delivery (tests); the system resolver when unset. */
  resolveHost?: HostResolver;
  /** Called once the HTTP server listens, before the database is reached (its URL). */
  onListening?: (url: string) => void;
  /** Aborting it (SIGTERM during the start) stops waiting for the database. */
  signal?: AbortSignal;
}

/**
 * Boot: config -> plugins -> schema -> HTTP server (liveness answers, readiness
 * 503) -> database, retried while unreachable, + migrations -> ready.
 */
export async function startApp(config: Config, options: AppOptions = {}): Promise<App> {
  const timings: Record<string, number> = {};
  const timed = async <T>(step: string, work: () => Promise<T> | T): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      timings[step] = Math.round(performance.now() - started);
    }
  };
  const logger = options.logger ?? createLogger(config.logLevel);
  const registry = await timed('plugins', () => loadCategoryRegistry(config.pluginSpecifiers));
  const schema = await timed('schema', () => createSubgraphSchema());
  const metrics = createMetrics();
  const tracing = createTracing({
    endpoint: config.operations.otlpEndpoint,
    serviceName: config.operations.serviceName,
  });

  // Filled once the database is reached and migrated; until then requests answer 503.
  const reached: { services?: AppServices; isReady?: () => Promise<boolean> } = {};
  const http = await timed('http', () =>
    startHttpServer(
      {
        schema,
        config,
        logger,
        services: () => reached.services,
        verifyToken: createTokenVerifier(config.auth),
        isReady: () => reached.isReady?.() ?? Promise.resolve(false),
        metrics,
        tracing,
        metricsToken: config.operations.metricsToken,
      },
      config.port,
    ),
  );
  options.onListening?.(http.url);

  let database: Database | undefined;
  try {
    const connect = async () => {
      const opened = await openDatabase({
        databaseUrl: config.databaseUrl,
        dataDir: options.inMemory ? undefined : config.dataDir,
        schema: options.databaseSchema,
        poolSize: config.databasePoolSize,
        connectTimeoutMs: config.operations.databaseConnectTimeoutMs,
        preparedStatements: config.databasePreparedStatements,
        onQuery: options.onQuery,
      });
      try {
        const applied = await timed('migrations', () =>
          migrateAsOwner(opened, {
            databaseUrl: config.databaseUrl,
            migrationUrl: config.databaseMigrationUrl,
            schema: options.databaseSchema,
            connectTimeoutMs: config.operations.databaseConnectTimeoutMs,
          }),
        );
        if (applied.length) logger.info('migrations applied', { migrations: applied });
        return opened;
      } catch (error) {
        await opened.close();
        throw error;
      }
    };
    database = await timed('database', () =>
      openWithRetry(connect, {
        logger,
        maxDelayMs: config.operations.databaseStartupRetryMaxMs,
        signal: options.signal,
      }),
    );
  } catch (error) {
    await http.stop(0);
    await tracing?.shutdown();
    throw error;
  }

  const { dataSource } = database;
  const services: AppServices = { config, dataSource, registry, logger, resolveHost: options.resolveHost };
  reached.services = services;
  reached.isReady = createReadinessCheck(dataSource);
  registerDatabaseGauges(metrics, {
    pool: () => poolState(dataSource),
    backlog: () => readOperationalCounts(dataSource),
  });
  const webhookDispatcher = createWebhookDispatcher({
    dataSource,
    config: config.webhooks,
    logger,
    resolveHost: options.resolveHost,
    onOutcome: (outcome) => metrics.webhookDeliveries.inc({ outcome }),
  });
  if (config.webhooks.dispatchEnabled) webhookDispatcher.start();
  const opened = database;
  let stopped: Promise<{ cut: number }> | undefined;
  return {
    url: http.url,
    services,
    database,
    http,
    metrics,
    webhookDispatcher,
    timings,
    stop(drainMs = config.operations.shutdownDrainMs) {
      stopped ??= (async () => {
        const [drained] = await Promise.all([http.stop(drainMs), webhookDispatcher.stop(drainMs)]);
        await opened.close();
        await tracing?.shutdown();
        return drained;
      })();
      return stopped;
    },
  };
}

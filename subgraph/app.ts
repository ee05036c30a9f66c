import 'reflect-metadata';
import { createTokenVerifier } from './auth/jwt';
import { loadCategoryRegistry } from './categories/plugin-loader';
import { createLogger, type Logger } from './common/logger';
import type { Config } from './config';
import { createReadinessCheck, migrateAsOwner, openDatabase, type Database } from './database/data-source';
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
  /** Delivers outbox events to webhooks; polling unless WEBHOOK_DISPATCH_ENABLED=false. */
  webhookDispatcher: WebhookDispatcher;
  /** Milliseconds spent per boot step. */
  timings: Record<string, number>;
  stop(): Promise<void>;
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
}

/** Boot: config -> plugins -> database (+ migrations) -> schema -> HTTP server. */
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
  const database = await timed('database', () =>
    openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: options.inMemory ? undefined : config.dataDir,
      schema: options.databaseSchema,
      poolSize: config.databasePoolSize,
      preparedStatements: config.databasePreparedStatements,
      onQuery: options.onQuery,
    }),
  );
  try {
    const applied = await timed('migrations', () =>
      migrateAsOwner(database, {
        databaseUrl: config.databaseUrl,
        migrationUrl: config.databaseMigrationUrl,
        schema: options.databaseSchema,
      }),
    );
    if (applied.length) logger.info('migrations applied', { migrations: applied });
    const schema = await timed('schema', () => createSubgraphSchema());
    const services: AppServices = {
      config,
      dataSource: database.dataSource,
      registry,
      logger,
      resolveHost: options.resolveHost,
    };
    const http = await timed('http', () =>
      startHttpServer(
        {
          schema,
          services,
          verifyToken: createTokenVerifier(config.auth),
          isReady: createReadinessCheck(database.dataSource),
        },
        config.port,
      ),
    );
    const webhookDispatcher = createWebhookDispatcher({
      dataSource: database.dataSource,
      config: config.webhooks,
      logger,
      resolveHost: options.resolveHost,
    });
    if (config.webhooks.dispatchEnabled) webhookDispatcher.start();
    return {
      url: http.url,
      services,
      database,
      http,
      webhookDispatcher,
      timings,
      async stop() {
        await webhookDispatcher.stop();
        await http.stop();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

import 'reflect-metadata';
import { startApp, type App } from './app';
import { useDevelopmentSecret } from './auth/development-secret';
import { PluginValidationError } from './categories/category-registry';
import { createLogger } from './common/logger';
import { ConfigError, loadConfig } from './config';

async function main() {
  const started = performance.now();
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const warning = useDevelopmentSecret(config);
  if (warning) logger.warn(warning);

  // SIGTERM (a deploy, a scale-down) and SIGINT drain: readiness 503 at once, no new
  // connections, requests in flight answered, the webhook batch finished, the pool closed, exit 0.
  let app: App | undefined;
  const starting = new AbortController();
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal, drainMs: config.operations.shutdownDrainMs });
    if (!app) return starting.abort();
    const { cut } = await app.stop();
    logger.info('stopped', { cut });
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    app = await startApp(config, {
      logger,
      signal: starting.signal,
      onListening: (url) => logger.info('listening; connecting to the database', { url }),
    });
  } catch (error) {
    if (starting.signal.aborted) {
      logger.info('stopped before the database was reached');
      process.exit(0);
    }
    if (error instanceof PluginValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  if (stopping) {
    await app.stop();
    process.exit(0);
  }
  logger.info(`near-miss subgraph ready at ${app.url}`, {
    database: app.database.embedded ? `embedded (${config.dataDir})` : 'server',
    startupMs: Math.round(performance.now() - started),
    steps: app.timings,
    categories: app.services.registry.list().map((category) => category.definition.key),
  });
}

main().catch((error: unknown) => {
  const fields =
    error instanceof Error
      ? { error: `${error.name}: ${error.message}`, stack: error.stack?.split('\n').slice(1, 6).join(' | ') }
      : { error: String(error) };
  createLogger('error').error('near-miss subgraph failed to start', fields);
  process.exit(1);
});

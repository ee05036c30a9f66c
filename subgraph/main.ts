import 'reflect-metadata';
import { startApp } from './app';
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

  let app;
  try {
    app = await startApp(config, { logger });
  } catch (error) {
    if (error instanceof PluginValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  logger.info(`near-miss subgraph ready at ${app.url}`, {
    database: app.database.embedded ? `embedded (${config.dataDir})` : 'server',
    startupMs: Math.round(performance.now() - started),
    steps: app.timings,
    categories: app.services.registry.list().map((category) => category.definition.key),
  });

  const shutdown = async (signal: string) => {
    logger.info('shutting down', { signal });
    await app.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `near-miss subgraph failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});

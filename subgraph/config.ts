import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';

// One zod model of the environment, parsed once at boot. A bad value stops the
// start with every problem listed, never just the first.
const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value);
const flag = z.preprocess(
  emptyToUndefined,
  z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional(),
);

// Webhook signing secrets are sealed with this key (AES-256-GCM): 32 bytes, as hex or base64.
const webhookSecretKeySchema = z.string().transform((value, context) => {
  const trimmed = value.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)
      ? Buffer.from(trimmed, 'base64')
      : undefined;
  if (key?.length !== 32) {
    context.addIssue({ code: 'custom', message: 'must be 32 bytes: 64 hex characters or 44 base64 characters' });
    return z.NEVER;
  }
  return key;
});

const environmentSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(4001),
    DATABASE_URL: z.preprocess(emptyToUndefined, z.url().optional()),
    DATABASE_MIGRATION_URL: z.preprocess(emptyToUndefined, z.url().optional()),
    DATA_DIR: z.string().min(1).default('./.data'),
    AUTH_JWT_SECRET: z.preprocess(emptyToUndefined, z.string().min(32, 'must be at least 32 characters').optional()),
    AUTH_JWKS_URL: z.preprocess(emptyToUndefined, z.url().optional()),
    AUTH_ISSUER: z.preprocess(emptyToUndefined, z.string().optional()),
    AUTH_AUDIENCE: z.preprocess(emptyToUndefined, z.string().optional()),
    AUTH_MAX_TOKEN_LIFETIME_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(30 * 24 * 60 * 60)
      .default(24 * 60 * 60),
    AUTH_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    NEAR_MISS_PLUGINS: z.preprocess(emptyToUndefined, z.string().optional()),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    DATABASE_PREPARED_STATEMENTS: flag,
    ENTITIES_MAX_REPRESENTATIONS: z.coerce.number().int().min(1).max(100_000).default(1000),
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(5000),
    DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(1500),
    DATABASE_STARTUP_RETRY_MAX_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
    SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(600_000).default(20_000),
    METRICS_TOKEN: z.preprocess(emptyToUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
    OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(emptyToUndefined, z.url().optional()),
    OTEL_SERVICE_NAME: z.string().min(1).default('near-miss-subgraph'),
    WEBHOOK_DISPATCH_ENABLED: flag,
    WEBHOOK_DISPATCH_INTERVAL_MS: z.coerce.number().int().min(10).max(3_600_000).default(1000),
    WEBHOOK_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(20),
    WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(12),
    WEBHOOK_BACKOFF_BASE_MS: z.coerce.number().int().min(1).default(10_000),
    WEBHOOK_BACKOFF_MAX_MS: z.coerce
      .number()
      .int()
      .min(1)
      .default(6 * 60 * 60 * 1000),
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
    WEBHOOK_ALLOW_INSECURE_URLS: flag,
    PSEUDONYMISATION_SECRET: z.preprocess(
      emptyToUndefined,
      z.string().min(32, 'must be at least 32 characters').optional(),
    ),
    WEBHOOK_SECRET_KEY: z.preprocess(emptyToUndefined, webhookSecretKeySchema.optional()),
  })
  .superRefine((env, context) => {
    if (env.NODE_ENV === 'production' && !env.AUTH_JWT_SECRET && !env.AUTH_JWKS_URL) {
      context.addIssue({
        code: 'custom',
        path: ['AUTH_JWT_SECRET'],
        message: 'is required in production (or set AUTH_JWKS_URL)',
      });
    }
    if (env.NODE_ENV === 'production' && !env.PSEUDONYMISATION_SECRET && !env.AUTH_JWT_SECRET) {
      context.addIssue({
        code: 'custom',
        path: ['PSEUDONYMISATION_SECRET'],
        message: 'is required in production when AUTH_JWT_SECRET is not set',
      });
    }
    if (env.DATABASE_MIGRATION_URL && !env.DATABASE_URL) {
      context.addIssue({
        code: 'custom',
        path: ['DATABASE_MIGRATION_URL'],
        message: 'needs DATABASE_URL (the embedded database has one login)',
      });
    }
    if (env.NODE_ENV === 'production' && !env.WEBHOOK_SECRET_KEY) {
      context.addIssue({
        code: 'custom',
        path: ['WEBHOOK_SECRET_KEY'],
        message: 'is required in production (32 random bytes: openssl rand -base64 32)',
      });
    }
    if (env.WEBHOOK_BACKOFF_MAX_MS < env.WEBHOOK_BACKOFF_BASE_MS) {
      context.addIssue({
        code: 'custom',
        path: ['WEBHOOK_BACKOFF_MAX_MS'],
        message: 'must be at least WEBHOOK_BACKOFF_BASE_MS',
      });
    }
  });

/** Every variable the configuration reads (`.env.example` documents each; a test holds them equal). */
export const environmentVariables: readonly string[] = Object.keys(environmentSchema.shape);

export type LogLevel = z.infer<typeof environmentSchema>['LOG_LEVEL'];

export interface Config {
  nodeEnv: 'development' | 'test' | 'production';
  port: number;
  databaseUrl?: string;
  /**
   * The schema owner's login, for migrations at start (DATABASE_URL is then
   * the service's own login, which cannot change the schema); unset: DATABASE_URL.
   */
  databaseMigrationUrl?: string;
  dataDir: string;
  auth: {
    jwtSecret: string;
    jwtSecretGenerated: boolean;
    jwksUrl?: string;
    issuer?: string;
    audience?: string;
    /** Longest accepted `exp - iat` (`exp - now` without `iat`), in seconds. */
    maxTokenLifetimeSeconds: number;
    /** Tolerance for `exp`, `nbf` and an `iat` ahead of this server's clock, in seconds. */
    clockSkewSeconds: number;
  };
  logLevel: LogLevel;
  pluginSpecifiers: string[];
  databasePoolSize: number;
  /** Keep the report path's statements prepared per connection (server only); false behind a transaction-pooling proxy. */
  databasePreparedStatements: boolean;
  /** Keys the per-tenant pseudonyms of person ids that ANALYST callers see. */
  pseudonymisationSecret: string;
  /** PSEUDONYMISATION_SECRET is unset: the key follows the JWT secret (see derivePseudonymisationSecret). */
  pseudonymisationSecretDerived: boolean;
  requestLimits: RequestLimitsConfig;
  webhooks: WebhookConfig;
  operations: OperationsConfig;
}

export interface OperationsConfig {
  /** Longest wait for a database connection (connect, or a free one from the pool) before SERVICE_UNAVAILABLE. */
  databaseConnectTimeoutMs: number;
  /** Longest pause between start-up attempts to reach the database (the pause doubles up to it). */
  databaseStartupRetryMaxMs: number;
  /** How long SIGTERM lets requests in flight finish before the rest are cut. */
  shutdownDrainMs: number;
  /** Bearer token /metrics requires; unset: open to whoever reaches the port. */
  metricsToken?: string;
  /** OTLP/HTTP collector base URL; unset: no tracing. */
  otlpEndpoint?: string;
  serviceName: string;
}

export interface RequestLimitsConfig {
  /** `_entities` representations one request may carry, across its `_entities` fields. */
  maxEntityRepresentations: number;
  /** statement_timeout of every statement in a request's transactions (0: none). */
  statementTimeoutMs: number;
}

export interface WebhookConfig {
  /** Whether this replica runs the webhook dispatcher. */
  dispatchEnabled: boolean;
  /** Pause between polls when there was nothing (more) to deliver. */
  dispatchIntervalMs: number;
  /** Deliveries claimed per poll. */
  batchSize: number;
  /** Failed attempts after which a delivery is DEAD. */
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Per request; the claim lease is derived from it. */
  timeoutMs: number;
  /** Allow http:// and loopback/private-network receivers (never in production unless set). */
  allowInsecureUrls: boolean;
  /** Seals the signing secrets at rest (AES-256-GCM, 32 bytes); see outbox/webhook-secret-cipher.ts. */
  secretKey: Buffer;
  /** WEBHOOK_SECRET_KEY is unset (never in production): the key follows the JWT secret (see deriveWebhookSecretKey). */
  secretKeyDerived: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * The pseudonyms' key when PSEUDONYMISATION_SECRET is unset. Derive it only
 * from a settled JWT secret (configured, or the development secret read from
 * DATA_DIR), or pseudonyms change at every restart.
 */
export const derivePseudonymisationSecret = (jwtSecret: string): string =>
  createHmac('sha256', jwtSecret).update('near-miss pseudonymisation').digest('hex');

/**
 * The webhook secrets' key when WEBHOOK_SECRET_KEY is unset (outside production
 * only): like the pseudonyms' key, derived from a settled JWT secret so that
 * sealed secrets still open after a restart.
 */
export const deriveWebhookSecretKey = (jwtSecret: string): Buffer =>
  createHmac('sha256', jwtSecret).update('near-miss webhook secret key').digest();

/** Parses the environment; throws a ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`),
    );
  }
  const values = parsed.data;
  // Development only: a generated secret keeps `npm start` working out of the box;
  // useDevelopmentSecret replaces it with the one kept in DATA_DIR.
  const jwtSecret = values.AUTH_JWT_SECRET ?? randomBytes(32).toString('hex');
  return {
    nodeEnv: values.NODE_ENV,
    port: values.PORT,
    databaseUrl: values.DATABASE_URL,
    databaseMigrationUrl: values.DATABASE_MIGRATION_URL,
    dataDir: values.DATA_DIR,
    auth: {
      jwtSecret,
      jwtSecretGenerated: values.AUTH_JWT_SECRET === undefined,
      jwksUrl: values.AUTH_JWKS_URL,
      issuer: values.AUTH_ISSUER,
      audience: values.AUTH_AUDIENCE,
      maxTokenLifetimeSeconds: values.AUTH_MAX_TOKEN_LIFETIME_SECONDS,
      clockSkewSeconds: values.AUTH_CLOCK_SKEW_SECONDS,
    },
    logLevel: values.LOG_LEVEL,
    pluginSpecifiers: (values.NEAR_MISS_PLUGINS ?? '')
      .split(',')
      .map((specifier) => specifier.trim())
      .filter((specifier) => specifier.length > 0),
    databasePoolSize: values.DATABASE_POOL_SIZE,
    databasePreparedStatements: values.DATABASE_PREPARED_STATEMENTS ?? true,
    // Set it, or it is derived from the JWT secret (again by useDevelopmentSecret once that is settled).
    pseudonymisationSecret: values.PSEUDONYMISATION_SECRET ?? derivePseudonymisationSecret(jwtSecret),
    pseudonymisationSecretDerived: values.PSEUDONYMISATION_SECRET === undefined,
    requestLimits: {
      maxEntityRepresentations: values.ENTITIES_MAX_REPRESENTATIONS,
      statementTimeoutMs: values.DATABASE_STATEMENT_TIMEOUT_MS,
    },
    operations: {
      databaseConnectTimeoutMs: values.DATABASE_CONNECT_TIMEOUT_MS,
      databaseStartupRetryMaxMs: values.DATABASE_STARTUP_RETRY_MAX_MS,
      shutdownDrainMs: values.SHUTDOWN_DRAIN_MS,
      metricsToken: values.METRICS_TOKEN,
      otlpEndpoint: values.OTEL_EXPORTER_OTLP_ENDPOINT,
      serviceName: values.OTEL_SERVICE_NAME,
    },
    webhooks: {
      dispatchEnabled: values.WEBHOOK_DISPATCH_ENABLED ?? true,
      dispatchIntervalMs: values.WEBHOOK_DISPATCH_INTERVAL_MS,
      batchSize: values.WEBHOOK_BATCH_SIZE,
      maxAttempts: values.WEBHOOK_MAX_ATTEMPTS,
      backoffBaseMs: values.WEBHOOK_BACKOFF_BASE_MS,
      backoffMaxMs: values.WEBHOOK_BACKOFF_MAX_MS,
      timeoutMs: values.WEBHOOK_TIMEOUT_MS,
      allowInsecureUrls: values.WEBHOOK_ALLOW_INSECURE_URLS ?? values.NODE_ENV !== 'production',
      secretKey: values.WEBHOOK_SECRET_KEY ?? deriveWebhookSecretKey(jwtSecret),
      secretKeyDerived: values.WEBHOOK_SECRET_KEY === undefined,
    },
  };
}

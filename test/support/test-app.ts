import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { startApp, type App } from '../../subgraph/app';
import { signToken } from '../../subgraph/auth/jwt';
import { Role } from '../../subgraph/auth/role';
import { createLogger, type Logger } from '../../subgraph/common/logger';
import { loadConfig } from '../../subgraph/config';
import type { HostResolver } from '../../subgraph/outbox/webhook-url';

export const testSecret = 'test-secret-that-is-long-enough-for-hs256-0123456789';
/** WEBHOOK_SECRET_KEY of every test app (32 bytes, hex), so that production-mode apps start too. */
export const testWebhookSecretKey = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';

export interface GraphqlResponse<T = Record<string, any>> {
  status: number;
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
}

export interface Caller {
  sub?: string;
  tenant: string;
  roles: (Role | `${Role}`)[];
  services?: string[];
}

export interface TestApp {
  app: App;
  url: string;
  /** Signs a test token. */
  token(caller: Caller): Promise<string>;
  /** POSTs an operation to url (default: this subgraph) as the caller (or with a raw Authorization header). */
  graphql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    as?: Caller | string,
    url?: string,
  ): Promise<GraphqlResponse<T>>;
  /** SQL statements seen since the last reset (when started with countStatements). */
  statements: string[];
  /** The schema on DATABASE_URL (undefined on the embedded database). */
  schema?: string;
  stop(): Promise<void>;
}

/** Makes callers of one tenant: by default in service `north` (`['*']` for every service). */
export const callersOf =
  (tenant: string) =>
  (sub: string, roles: Caller['roles'], services = ['north']): Caller => ({ tenant, sub, roles, services });

/** A tenant id no other test uses. */
export const uniqueTenant = (label = 'tenant') => `${label}-${randomBytes(4).toString('hex')}`;

/**
 * Boots the whole subgraph on a fresh database: an in-memory embedded
 * PostgreSQL, or a schema of its own on DATABASE_URL when it is set, or (with
 * `database`) a database of the caller's, in its own schema, as given logins.
 */
export async function startTestApp(
  options: {
    plugins?: string[];
    env?: Record<string, string>;
    replicaOf?: TestApp;
    database?: { url: string; migrationUrl?: string };
    /** Fixed answers for webhook host lookups (the system resolver otherwise). */
    resolveHost?: HostResolver;
    /** Collects every log line the app writes, at the most verbose level. */
    logLines?: string[];
    /** Where the app logs (silent, or TEST_LOG_LEVEL, otherwise). */
    logger?: Logger;
  } = {},
): Promise<TestApp> {
  const databaseUrl = options.database?.url ?? (process.env.DATABASE_URL || undefined);
  // A replica shares its primary's schema (server only) and leaves dropping it to the primary.
  if (options.replicaOf && !options.replicaOf.schema)
    throw new Error('replicas need DATABASE_URL: the embedded database is one process');
  const schema = options.database
    ? undefined
    : (options.replicaOf?.schema ?? (databaseUrl ? `test_${randomUUID().replace(/-/g, '').slice(0, 16)}` : undefined));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    AUTH_JWT_SECRET: testSecret,
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    ...(options.database?.migrationUrl ? { DATABASE_MIGRATION_URL: options.database.migrationUrl } : {}),
    NEAR_MISS_PLUGINS: (options.plugins ?? []).join(','),
    DATABASE_POOL_SIZE: '10',
    // Tests that deliver webhooks turn the dispatcher on (or drive it directly).
    WEBHOOK_DISPATCH_ENABLED: 'false',
    WEBHOOK_SECRET_KEY: testWebhookSecretKey,
    ...options.env,
  });
  const statements: string[] = [];
  const app = await startApp(config, {
    inMemory: true,
    databaseSchema: schema,
    logger:
      options.logger ??
      (options.logLines
        ? createLogger('debug', (line) => options.logLines!.push(line))
        : createLogger((process.env.TEST_LOG_LEVEL as 'debug' | undefined) ?? 'silent')),
    onQuery: (sql) => statements.push(sql),
    resolveHost: options.resolveHost,
  });
  const token = (caller: Caller) =>
    signToken(testSecret, {
      sub: caller.sub ?? 'staff-test',
      tenant: caller.tenant,
      roles: caller.roles as Role[],
      services: caller.services ?? ['*'],
    });
  return {
    app,
    url: app.url,
    statements,
    schema,
    token,
    async graphql(query, variables, as, url = app.url) {
      const authorization = as === undefined ? undefined : typeof as === 'string' ? as : `Bearer ${await token(as)}`;
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as GraphqlResponse;
      return { ...body, status: response.status } as GraphqlResponse<any>;
    },
    async stop() {
      await app.stop();
      if (databaseUrl && schema && !options.replicaOf) {
        const admin = new DataSource({ type: 'postgres', url: databaseUrl, installExtensions: false });
        await admin.initialize();
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await admin.destroy();
      }
    },
  };
}

/** The first field of a response's data, failing the test on any error. */
export function dataOf(result: GraphqlResponse): any {
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return Object.values(result.data!)[0];
}

import { startApp, type App } from '../../subgraph/app';
import { signToken } from '../../subgraph/auth/jwt';
import { Role } from '../../subgraph/auth/role';
import { createLogger } from '../../subgraph/common/logger';
import { loadConfig } from '../../subgraph/config';
import {
  noPostgresMessage,
  postgresBinaries,
  startPrivatePostgres,
  type PrivatePostgres,
} from '../support/private-postgres';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { testSecret, testWebhookSecretKey, uniqueTenant } from '../support/test-app';
import { waitFor } from '../support/wait-for';

// The database goes away and comes back, on a PostgreSQL cluster of this
// test's own: requests are answered SERVICE_UNAVAILABLE (503, Retry-After,
// retryable) rather than a masked 500, readiness is 503, the pool recovers
// without a restart; and a start with the database down waits for it with
// liveness answering and each attempt logged.

const installed = postgresBinaries() !== undefined;
if (!installed) {
  console.warn(`database-outage.int.test.ts ${noPostgresMessage}`);
}
const describeWithPostgres = installed ? describe : describe.skip;

const configFor = (url: string) =>
  loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    AUTH_JWT_SECRET: testSecret,
    WEBHOOK_SECRET_KEY: testWebhookSecretKey,
    WEBHOOK_DISPATCH_ENABLED: 'false',
    DATABASE_URL: url,
    DATABASE_POOL_SIZE: '4',
    DATABASE_CONNECT_TIMEOUT_MS: '1500',
    DATABASE_STARTUP_RETRY_MAX_MS: '500',
  });

const tenant = uniqueTenant('outage');
const token = () => signToken(testSecret, { sub: 'staff-1', tenant, roles: [Role.ADMIN], services: ['*'] });

async function post(url: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await token()}` },
    body: JSON.stringify({ query, variables }),
    // A guard against a hang, not a measurement.
    signal: AbortSignal.timeout(15_000),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as { data?: any; errors?: { extensions?: Record<string, unknown> }[] },
  };
}

const report = (url: string) => post(url, reportMutation, { input: medicationReport(), key: newKey() });
const readiness = async (url: string) => (await fetch(url.replace('/graphql', '/readyz'))).status;

describeWithPostgres('a database outage', () => {
  let cluster: PrivatePostgres;
  let app: App | undefined;
  beforeAll(async () => {
    cluster = await startPrivatePostgres();
  }, 120_000);
  afterAll(async () => {
    await app?.stop(0);
    cluster?.destroy();
  });

  it('answers SERVICE_UNAVAILABLE with 503 and Retry-After while the database is down, and recovers', async () => {
    app = await startApp(configFor(cluster.url), { logger: createLogger('silent'), inMemory: true });
    expect((await report(app.url)).body.errors).toBeUndefined();
    expect(await readiness(app.url)).toBe(200);

    cluster.stop();
    for (const answer of [await report(app.url), await post(app.url, '{ nearMisses(first: 1) { totalCount } }')]) {
      expect(answer.status).toBe(503);
      expect(answer.retryAfter).toMatch(/^\d+$/);
      expect(answer.body.errors?.[0].extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
    }
    // REST routes too (a FHIR read, an export).
    for (const path of ['/fhir/AdverseEvent?_count=1', '/exports/near-misses.ndjson']) {
      const rest = await fetch(new URL(path, app.url), { headers: { authorization: `Bearer ${await token()}` } });
      expect(rest.status).toBe(503);
      expect(rest.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(((await rest.json()) as { errors: { extensions: object }[] }).errors[0].extensions).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        retryable: true,
      });
    }
    expect(await readiness(app.url)).toBe(503);
    const metrics = await (await fetch(app.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(/^near_miss_graphql_errors_total\{code="SERVICE_UNAVAILABLE"\} [1-9]/m);
    expect(metrics).toMatch(/^near_miss_database_up 0$/m);

    cluster.start();
    await waitFor('the same process to answer again', async () => (await report(app!.url)).status === 200, 30_000);
    expect((await post(app.url, '{ nearMisses(first: 1) { totalCount } }')).body.data?.nearMisses.totalCount).toBe(2);
    expect(await readiness(app.url)).toBe(200);
  }, 120_000);

  it('starts with the database down: liveness answers, readiness and GraphQL answer 503, attempts are logged', async () => {
    await app?.stop(0);
    app = undefined;
    cluster.stop();
    const lines: Record<string, unknown>[] = [];
    let listening: (url: string) => void = () => undefined;
    const url = new Promise<string>((resolve) => (listening = resolve));
    const starting = startApp(configFor(cluster.url), {
      logger: createLogger('info', (line) => lines.push(JSON.parse(line) as Record<string, unknown>)),
      inMemory: true,
      onListening: (address) => listening(address),
    });
    const address = await url;
    await waitFor('two logged attempts', () => lines.filter((line) => line.attempt).length >= 2, 30_000);
    expect(lines.find((line) => line.attempt === 1)).toMatchObject({
      level: 'warn',
      message: 'database not reachable; retrying',
      retryInMs: expect.any(Number),
    });
    expect((await fetch(address.replace('/graphql', '/healthz'))).status).toBe(200);
    expect(await readiness(address)).toBe(503);
    const early = await post(address, '{ viewer { tenantId } }');
    expect(early.status).toBe(503);
    expect(early.body.errors?.[0].extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });

    cluster.start();
    app = await starting;
    expect(await readiness(app.url)).toBe(200);
    expect((await post(app.url, '{ nearMisses(first: 1) { totalCount } }')).body.data?.nearMisses.totalCount).toBe(2);
  }, 120_000);
});

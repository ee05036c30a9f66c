import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { migrations } from '../../migrations';
import { startApp, type App } from '../../subgraph/app';
import { createLogger } from '../../subgraph/common/logger';
import { loadConfig } from '../../subgraph/config';
import { testSecret, testWebhookSecretKey } from '../support/test-app';

// Replicas of a deploy start together on one database: the migrations run
// once (an advisory lock makes them take turns), and both serve.

const databaseUrl = process.env.DATABASE_URL || undefined;
const describeOnServer = databaseUrl ? describe : describe.skip;
if (!databaseUrl) console.warn('replica-start.int.test.ts skipped: replicas need DATABASE_URL (a PostgreSQL server)');

describeOnServer('replicas starting together', () => {
  const schema = `test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const apps: App[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop(0)));
    const admin = new DataSource({ type: 'postgres', url: databaseUrl, installExtensions: false });
    await admin.initialize();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.destroy();
  });

  it('migrate once and both become ready', async () => {
    // A deploy's database exists already; only the test's schema is made here.
    const admin = new DataSource({ type: 'postgres', url: databaseUrl, installExtensions: false });
    await admin.initialize();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.destroy();
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      AUTH_JWT_SECRET: testSecret,
      WEBHOOK_SECRET_KEY: testWebhookSecretKey,
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: '3',
    });
    const applied: string[][] = [];
    const logger = (line: string) => {
      const entry = JSON.parse(line) as { message: string; migrations?: string[] };
      if (entry.message === 'migrations applied') applied.push(entry.migrations ?? []);
    };
    apps.push(
      ...(await Promise.all(
        [1, 2].map(() => startApp(config, { databaseSchema: schema, logger: createLogger('info', logger) })),
      )),
    );
    expect(applied).toEqual([migrations.map((migration) => migration.name)]);
    const [rows] = await apps[0].services.dataSource.query<{ total: number; distinct: number }[]>(
      `SELECT count(*)::int AS total, count(DISTINCT name)::int AS distinct FROM ${schema}.typeorm_migrations`,
    );
    expect(rows).toEqual({ total: migrations.length, distinct: migrations.length });
    for (const app of apps) expect((await fetch(app.url.replace('/graphql', '/readyz'))).status).toBe(200);
  }, 120_000);
});

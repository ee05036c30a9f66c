import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { createTokenVerifier, signToken } from '../subgraph/auth/jwt';
import { Role } from '../subgraph/auth/role';
import { loadCategoryRegistry } from '../subgraph/categories/plugin-loader';
import { createLogger } from '../subgraph/common/logger';
import { createMetrics } from '../subgraph/observability/metrics';
import { loadConfig } from '../subgraph/config';
import { migrate, openDatabase } from '../subgraph/database/data-source';
import type { AppServices } from '../subgraph/server/context';
import { startHttpServer } from '../subgraph/server/http-server';
import { createSubgraphSchema } from '../subgraph/server/subgraph-schema';
import { bulkLoadTenant } from './bulk-load';
import { generateTenant } from './synthetic-world';

// npm run bench:export [-- --rows 1000000 --format csv --keep]
// On the PostgreSQL server of DATABASE_URL, in a schema of its own (dropped at
// the end unless --keep): one tenant with --rows near misses (a synthetic
// year of 1,000 reports, copied by SQL), then one export of all of them over
// HTTP, downloaded by curl in another process. Prints this process's resident
// set size when idle (after a warm-up export and a garbage collection) and
// its peak while exporting, sampled every 10 ms, with the ratio (and the
// RSS before the warm-up, for comparison).

const dayMs = 24 * 60 * 60 * 1000;
const templateSize = 1000;

function parseArguments(argv: string[]) {
  const options = { rows: 1_000_000, format: 'csv' as 'csv' | 'ndjson', keep: false };
  for (let index = 0; index < argv.length; index += 1) {
    const [name, value] = [argv[index], argv[index + 1]];
    if (name === '--rows') options.rows = Number(((index += 1), value));
    else if (name === '--format' && (value === 'csv' || value === 'ndjson')) options.format = ((index += 1), value);
    else if (name === '--keep') options.keep = true;
    else throw new Error(`unknown argument ${name}`);
  }
  if (!Number.isInteger(options.rows) || options.rows < templateSize || options.rows % templateSize)
    throw new Error(`--rows must be a multiple of ${templateSize}`);
  return options;
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const collectGarbage = () => (globalThis as { gc?: () => void }).gc?.();

/** Downloads a URL with curl (another process, so its buffers are not ours); resolves with the bytes received. */
function download(url: string, authorization: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const curl = spawn('curl', [
      '-sS',
      '-f',
      '-o',
      '/dev/null',
      '-w',
      '%{size_download}',
      '-H',
      `authorization: ${authorization}`,
      url,
    ]);
    let output = '';
    curl.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    curl.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    curl.on('error', reject);
    curl.on('close', (code) => (code === 0 ? resolve(Number(output)) : reject(new Error(`curl exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  if (!config.databaseUrl) throw new Error('bench:export runs on the PostgreSQL server: set DATABASE_URL');
  if (!(globalThis as { gc?: unknown }).gc) throw new Error('run with node --expose-gc (npm run bench:export does)');
  const schema = `bench_export_${randomBytes(4).toString('hex')}`;
  const registry = loadCategoryRegistry(config.pluginSpecifiers);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, schema, poolSize: 4 });
  const { dataSource } = database;
  try {
    await migrate(dataSource);
    const [{ version }]: { version: string }[] = await dataSource.query('SELECT version()');
    console.log(
      `machine: ${cpus().length} x ${cpus()[0].model}, ${Math.round(totalmem() / 2 ** 30)} GB RAM; Node ${process.version}; ${version.split(' on ')[0]}`,
    );

    const now = new Date();
    const tenant = generateTenant(
      {
        seed: 20,
        tenants: 1,
        nearMisses: templateSize,
        from: new Date(now.getTime() - 365 * dayMs),
        to: now,
        tenantPrefix: 'bench-export',
      },
      0,
      registry.list(),
      templateSize,
    );
    await bulkLoadTenant(dataSource, registry, tenant, {
      now,
      lifecycle: false,
      audit: false,
      seed: 20,
      secret: config.pseudonymisationSecret,
    });
    // Copies of the year, each a day earlier than the last, with their own ids and references.
    const columns: { column_name: string }[] = await dataSource.query(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'near_miss' ORDER BY ordinal_position`,
      [schema],
    );
    const names = columns.map((column) => column.column_name);
    const copied = names.map((name) =>
      name === 'id'
        ? 'gen_random_uuid()'
        : name === 'reference'
          ? `n.reference || '-' || copy`
          : name === 'occurred_at'
            ? `n.occurred_at - copy * interval '1 day'`
            : `n.${name}`,
    );
    // Copies are made of the template rows only, so each batch inserts the same number of rows.
    const template: { id: string }[] = await dataSource.query('SELECT id FROM near_miss WHERE tenant_id = $1', [
      tenant.tenantId,
    ]);
    const seedStarted = performance.now();
    const copies = options.rows / templateSize - 1;
    for (let first = 1; first <= copies; first += 100) {
      const last = Math.min(copies, first + 99);
      await dataSource.query(
        `INSERT INTO near_miss (${names.join(', ')})
         SELECT ${copied.join(', ')} FROM near_miss n, generate_series($2::int, $3::int) AS copy
         WHERE n.tenant_id = $1 AND n.id = ANY($4::uuid[])`,
        [tenant.tenantId, first, last, template.map((row) => row.id)],
      );
    }
    await dataSource.query('VACUUM ANALYZE near_miss');
    const [{ count }]: { count: number }[] = await dataSource.query(
      'SELECT count(*)::int AS count FROM near_miss WHERE tenant_id = $1',
      [tenant.tenantId],
    );
    console.log(`seeded ${count} near misses in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

    const services: AppServices = { config, dataSource, registry, logger: createLogger('silent') };
    const http = await startHttpServer(
      {
        schema: await createSubgraphSchema(),
        config,
        logger: services.logger,
        services: () => services,
        verifyToken: createTokenVerifier(config.auth),
        isReady: () => Promise.resolve(true),
        metrics: createMetrics(),
      },
      0,
    );
    const base = http.url.replace(/\/graphql$/, '');
    const authorization = `Bearer ${await signToken(config.auth.jwtSecret, { sub: 'bench-manager', tenant: tenant.tenantId, roles: [Role.MANAGER], services: ['*'] })}`;
    const path = `/exports/near-misses.${options.format}`;
    try {
      collectGarbage();
      const beforeWarmUp = process.memoryUsage().rss;
      // Warm up: the export path's code loaded and compiled, then a settled heap.
      await download(
        `${base}${path}?to=${encodeURIComponent(new Date(now.getTime() - 360 * dayMs).toISOString())}`,
        authorization,
      );
      collectGarbage();
      await sleep(1000);
      collectGarbage();
      const idle = process.memoryUsage().rss;
      let peak = idle;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
      const started = performance.now();
      const bytes = await download(`${base}${path}`, authorization);
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().rss);
      console.log(
        `export ${options.format}: ${count} rows, ${mb(bytes)} in ${seconds.toFixed(1)} s (${Math.round(count / seconds)} rows/s)`,
      );
      console.log(`RSS idle ${mb(idle)}, peak while exporting ${mb(peak)}: ${(peak / idle).toFixed(2)}x idle`);
      console.log(
        `RSS before the warm-up export ${mb(beforeWarmUp)}: the peak is ${(peak / beforeWarmUp).toFixed(2)}x that`,
      );
    } finally {
      await http.stop();
    }
  } finally {
    if (!options.keep) await dataSource.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
    else console.log(`kept schema ${schema}`);
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

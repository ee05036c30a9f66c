import 'reflect-metadata';
import { verifyAuditChains } from '../subgraph/audit/audit-chain-verifier';
import { loadCategoryRegistry } from '../subgraph/categories/plugin-loader';
import { useDevelopmentSecret } from '../subgraph/auth/development-secret';
import { loadConfig } from '../subgraph/config';
import { migrate, openDatabase } from '../subgraph/database/data-source';
import { bulkLoadTenant } from './bulk-load';
import { generateTenant, seedOf, tenantSizes } from './synthetic-world';

// npm run seed -- --near-misses 100000 --tenants 3 [--months 12] [--seed 1] [--tenant-prefix seed] [--no-lifecycle] [--no-audit]
// Loads synthetic but realistic near misses into new tenants of the configured
// database (DATABASE_URL, else the embedded one in DATA_DIR), through the bulk
// path that keeps every invariant (bench/bulk-load.ts).

const usage =
  'usage: npm run seed -- --near-misses <n> --tenants <n> [--months 12] [--seed 1] [--tenant-prefix seed] [--no-lifecycle] [--no-audit]';

function parseArguments(argv: string[]) {
  const options = {
    nearMisses: 10_000,
    tenants: 3,
    months: 12,
    seed: 1,
    tenantPrefix: 'seed',
    lifecycle: true,
    audit: true,
  };
  for (let index = 0; index < argv.length; index += 1) {
    const [name, inline] = argv[index].split('=');
    const value = () => inline ?? argv[++index];
    const number = () => {
      const parsed = Number(value());
      if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${name} needs a positive whole number\n${usage}`);
      return parsed;
    };
    if (name === '--near-misses') options.nearMisses = number();
    else if (name === '--tenants') options.tenants = number();
    else if (name === '--months') options.months = number();
    else if (name === '--seed') options.seed = number();
    else if (name === '--tenant-prefix') options.tenantPrefix = value();
    else if (name === '--no-lifecycle') options.lifecycle = false;
    else if (name === '--no-audit') options.audit = false;
    else throw new Error(`unknown option ${name}\n${usage}`);
  }
  return options;
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  const config = loadConfig();
  // The server's development secrets, so similarity keys agree with the reports `npm start` takes.
  useDevelopmentSecret(config);
  const registry = loadCategoryRegistry(config.pluginSpecifiers);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    await migrate(database.dataSource);
    const now = new Date();
    const from = new Date(now.getTime() - options.months * 30.44 * 24 * 60 * 60 * 1000);
    const world = {
      seed: options.seed,
      tenants: options.tenants,
      nearMisses: options.nearMisses,
      from,
      to: now,
      tenantPrefix: options.tenantPrefix,
    };
    const started = performance.now();
    for (const [index, size] of tenantSizes(options.nearMisses, options.tenants).entries()) {
      const tenant = generateTenant(world, index, registry.list(), size);
      const result = await bulkLoadTenant(database.dataSource, registry, tenant, {
        now,
        lifecycle: options.lifecycle,
        audit: options.audit,
        seed: seedOf(`${options.seed}:${tenant.tenantId}:lifecycle`),
        secret: config.pseudonymisationSecret,
      });
      console.log(
        `${tenant.tenantId}: ${result.nearMisses} near misses in ${tenant.services.length} services, ${result.reviews} risk reviews, ${result.auditEvents} audit events`,
      );
    }
    if (options.audit) {
      const tenantIds = tenantSizes(options.nearMisses, options.tenants).map(
        (_, index) => `${options.tenantPrefix}-${index + 1}`,
      );
      const chains = await verifyAuditChains(database.dataSource, { tenantIds });
      console.log(
        chains.ok ? 'audit chains verified' : `audit chain problems: ${JSON.stringify(chains.problems.slice(0, 5))}`,
      );
      if (!chains.ok) process.exitCode = 1;
    }
    console.log(
      `loaded ${options.nearMisses} near misses into ${options.tenants} tenants in ${((performance.now() - started) / 1000).toFixed(1)} s (${database.embedded ? 'embedded database' : 'PostgreSQL server'})`,
    );
  } finally {
    await database.close();
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});

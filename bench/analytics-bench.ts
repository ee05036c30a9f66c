import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { cpus, totalmem } from 'node:os';
import type { DataSource, EntityManager } from 'typeorm';
import {
  governanceSummary,
  nearMissSignals,
  nearMissTrends,
  signalHealth,
  workflowStageAnalysis,
} from '../subgraph/analytics/analytics.service';
import { createTokenVerifier, signToken } from '../subgraph/auth/jwt';
import { Role } from '../subgraph/auth/role';
import { loadCategoryRegistry } from '../subgraph/categories/plugin-loader';
import type { CategoryRegistry } from '../subgraph/categories/category-registry';
import { createLogger } from '../subgraph/common/logger';
import { loadConfig, type Config } from '../subgraph/config';
import { migrate, openDatabase } from '../subgraph/database/data-source';
import { createTenantDatabase, type TenantDatabase } from '../subgraph/database/tenant-scope';
import { reportNearMiss, reportTransaction } from '../subgraph/near-misses/report-near-miss.service';
import type { AppServices } from '../subgraph/server/context';
import { createMetrics } from '../subgraph/observability/metrics';
import { startHttpServer } from '../subgraph/server/http-server';
import { createSubgraphSchema } from '../subgraph/server/subgraph-schema';
import { bulkLoadTenant } from './bulk-load';
import { generateTenant, seedOf, type SyntheticNearMiss, type SyntheticTenant } from './synthetic-world';

// npm run bench:analytics [-- --sizes 10000,100000,1000000 --runs 20 --trigger-runs 300 --reports 2000 --reporters 4 --throughput service,http --keep]
// On the PostgreSQL server of DATABASE_URL, in a schema of its own (dropped at
// the end unless --keep): one measured tenant with a year of near misses (its
// data is the same at every size), and filler tenants that grow the tables
// around it to each size. At each size: the median and p95 of every analytics
// query for the measured tenant over 12 months, and of a report with its
// repeat trigger as production runs it (rolled back); at the end, report
// throughput with and without the trigger, from one reporter and from several
// in parallel (--reporters), in the process and over HTTP.
// Ratios are printed beside the absolute figures.

const dayMs = 24 * 60 * 60 * 1000;
const measuredSize = 10_000;
const fillerSize = 9_000;

interface Options {
  sizes: number[];
  runs: number;
  triggerRuns: number;
  reports: number;
  reporters: number;
  /** Which throughput runs: in the process (three of them) and over HTTP. */
  throughput: ('service' | 'http')[];
  keep: boolean;
}

function parseArguments(argv: string[]): Options {
  const options: Options = {
    sizes: [10_000, 100_000, 1_000_000],
    runs: 20,
    triggerRuns: 300,
    reports: 2000,
    reporters: 4,
    throughput: ['service', 'http'],
    keep: false,
  };
  for (let index = 0; index < argv.length; index += 1) {
    const [name, inline] = argv[index].split('=');
    const value = () => inline ?? argv[++index];
    if (name === '--sizes') options.sizes = value().split(',').map(Number);
    else if (name === '--runs') options.runs = Number(value());
    else if (name === '--trigger-runs') options.triggerRuns = Number(value());
    else if (name === '--reports') options.reports = Number(value());
    else if (name === '--reporters') options.reporters = Number(value());
    else if (name === '--throughput') options.throughput = value().split(',').filter(Boolean) as Options['throughput'];
    else if (name === '--keep') options.keep = true;
    else throw new Error(`unknown option ${name}`);
  }
  if (options.throughput.some((run) => run !== 'service' && run !== 'http'))
    throw new Error('--throughput is a comma-separated list of service and http');
  if (!Number.isInteger(options.reporters) || options.reporters < 2 || options.reporters > 7)
    throw new Error("--reporters must be a whole number from 2 to 7 (one connection each, beside the pool's others)");
  if (options.sizes.some((size) => !Number.isInteger(size) || size < measuredSize))
    throw new Error(`--sizes must be whole numbers of at least ${measuredSize}`);
  return options;
}

const median = (values: number[]) => quantile(values, 0.5);
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (position - low);
}
const fixed = (value: number, digits = 1) => value.toFixed(digits);

/**
 * Runs each piece of work `runs` times after two warm-ups, in rounds (every
 * piece once per round), so that a slow spell of the machine falls on all of
 * them rather than on whichever was running; milliseconds per run, by name.
 */
async function timedRounds(
  runs: number,
  works: Record<string, () => Promise<unknown>>,
): Promise<Map<string, number[]>> {
  const times = new Map(Object.keys(works).map((name) => [name, [] as number[]]));
  for (let round = -2; round < runs; round += 1) {
    for (const [name, work] of Object.entries(works)) {
      const started = performance.now();
      await work();
      if (round >= 0) times.get(name)!.push(performance.now() - started);
    }
  }
  return times;
}

/** What EXPLAIN (ANALYZE, BUFFERS) said of one statement: how it reached its rows, and the buffer pages it touched. */
interface Explained {
  summary: string;
  pages: number;
}

/** A TenantDatabase whose reading statements are also EXPLAINed (ANALYZE, BUFFERS), each told to `sink`. */
function explaining(db: TenantDatabase, sink: (explained: Explained) => void): TenantDatabase {
  const wrap =
    <T>(work: (manager: EntityManager) => Promise<T>) =>
    (manager: EntityManager) =>
      work(
        new Proxy(manager, {
          get(target, property, receiver): unknown {
            if (property !== 'query') return Reflect.get(target, property, receiver);
            return async (sql: string, parameters?: unknown[]): Promise<unknown> => {
              if (/^\s*(WITH|SELECT)/i.test(sql)) {
                const [row]: { 'QUERY PLAN': unknown }[] = await target.query(
                  `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`,
                  parameters,
                );
                sink(summarisePlan(row['QUERY PLAN']));
              }
              return target.query(sql, parameters);
            };
          },
        }),
      );
  return {
    tenantId: db.tenantId,
    transaction: (work, options) => db.transaction(wrap(work), options),
    read: (work) => db.read(wrap(work)),
  };
}

const bigTables = [
  'near_miss',
  'near_miss_similarity',
  'near_miss_triage',
  'corrective_action',
  'corrective_action_near_miss',
  'verification_check',
  'reporter_feedback',
  'risk_review',
  'risk_review_key',
  'risk_review_near_miss',
];

/** The fields of an EXPLAIN (FORMAT JSON) plan node that the summary reads. */
interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Heap Fetches'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

/** The scans over the big tables in a plan (how the statement reaches its rows), and the shared buffer pages it touched (hit or read). */
function summarisePlan(plan: unknown): Explained {
  const scans: string[] = [];
  const walk = (node: PlanNode) => {
    const relation = node['Relation Name'];
    if (relation && bigTables.includes(relation)) {
      const index = node['Index Name'] ? ` ${node['Index Name']}` : '';
      scans.push(
        `${node['Node Type']}${index} on ${relation} (${node['Actual Rows']} rows${node['Heap Fetches'] !== undefined ? `, ${node['Heap Fetches']} heap fetches` : ''})`,
      );
    }
    for (const child of node.Plans ?? []) walk(child);
  };
  const [top] = plan as {
    Plan: PlanNode;
    'Execution Time': number;
    JIT?: { Functions: number; Timing: { Total: number } };
  }[];
  walk(top.Plan);
  if (top.JIT) scans.push(`JIT compiled ${top.JIT.Functions} functions in ${fixed(top.JIT.Timing.Total)} ms`);
  const pages = Number(top.Plan['Shared Hit Blocks'] ?? 0) + Number(top.Plan['Shared Read Blocks'] ?? 0);
  return {
    summary: `${fixed(top['Execution Time'])} ms, ${pages} pages: ${[...new Set(scans)].join('; ') || 'no table scans'}`,
    pages,
  };
}

interface World {
  dataSource: DataSource;
  registry: CategoryRegistry;
  /** What the subgraph's use cases are given. */
  services: AppServices;
  now: Date;
  from: Date;
  loaded: number;
  fillers: number;
  measured: SyntheticTenant;
  /** Where the next throughput run's days begin. */
  clock: Date;
}

async function growTo(world: World, size: number): Promise<void> {
  while (world.loaded < size) {
    const count = Math.min(fillerSize, size - world.loaded);
    world.fillers += 1;
    const tenant = generateTenant(
      {
        seed: 7,
        tenants: 1,
        nearMisses: count,
        from: world.from,
        to: world.now,
        tenantPrefix: `bench-filler-${world.fillers}`,
      },
      0,
      world.registry.list(),
      count,
    );
    await bulkLoadTenant(world.dataSource, world.registry, tenant, {
      now: world.now,
      lifecycle: true,
      audit: false,
      seed: seedOf(tenant.tenantId),
      secret: world.services.config.pseudonymisationSecret,
    });
    world.loaded += count;
    if (world.fillers % 10 === 0)
      process.stdout.write(`  ${world.loaded.toLocaleString('en-GB')} near misses loaded\n`);
  }
  for (const table of [
    'near_miss',
    'near_miss_similarity',
    'near_miss_triage',
    'risk_review',
    'risk_review_key',
    'risk_review_near_miss',
    'corrective_action',
    'corrective_action_near_miss',
    'verification_check',
    'reporter_feedback',
    'gate_completion',
  ]) {
    // INDEX_CLEANUP ON: the rolled-back trigger checks of the smaller size leave dead line pointers on a
    // few pages, and PostgreSQL (14+) would skip index cleanup for so few, leaving those pages out of the
    // visibility map: the measured tenant's index-only scans would then fetch from the heap.
    await world.dataSource.query(`VACUUM (INDEX_CLEANUP ON, ANALYZE) ${table}`);
  }
  await settle(world.dataSource);
}

/**
 * Writes out what loading dirtied (a checkpoint), so that the checkpointer is
 * not flushing gigabytes while the next figures are taken: without it the
 * first measurements after a large load ran beside a forced checkpoint.
 */
async function settle(dataSource: DataSource): Promise<void> {
  await dataSource
    .query('CHECKPOINT')
    .catch((error: Error) =>
      console.log(`  (no CHECKPOINT: ${error.message}; figures may include the checkpointer's writes)`),
    );
}

const analyst = (tenantId: string) => ({
  staffId: 'bench-analyst',
  tenantId,
  roles: [Role.ANALYST],
  services: '*' as const,
});

function analyticsQueries(world: World, db: TenantDatabase) {
  const context = {
    principal: analyst(world.measured.tenantId),
    db,
    services: { registry: world.registry },
  } as Parameters<typeof signalHealth>[0];
  const year = { occurredFrom: world.from, occurredTo: world.now };
  const busiest = world.measured.services[0];
  return {
    'nearMissTrends (CATEGORY, WEEK)': () => nearMissTrends(context, year, 'CATEGORY', 'WEEK'),
    'nearMissTrends (CONTRIBUTING_FACTOR, MONTH)': () => nearMissTrends(context, year, 'CONTRIBUTING_FACTOR', 'MONTH'),
    'nearMissTrends (SHIFT_PHASE, DAY)': () => nearMissTrends(context, year, 'SHIFT_PHASE', 'DAY'),
    'workflowStageAnalysis (one service vs tenant)': () =>
      workflowStageAnalysis(context, { ...year, serviceIds: [busiest] }),
    signalHealth: () => signalHealth(context, year),
    'nearMissSignals (weekly, service x category)': () => nearMissSignals(context, { filter: year }),
    'governanceSummary (12 months)': () => governanceSummary(context, world.from, world.now),
  };
}

/** Raw report input (as GraphQL hands it to the service) from a synthetic near miss. */
function reportInput(item: SyntheticNearMiss) {
  return {
    serviceId: item.serviceId,
    category: item.category,
    occurredAt: item.occurredAt,
    setting: item.setting,
    whatHappened: item.whatHappened,
    howDetected: item.howDetected,
    whatPreventedHarm: item.whatPreventedHarm,
    preventionReliability: item.preventionReliability,
    immediateActions: item.immediateActions,
    whatMadeThisPossible: item.whatMadeThisPossible,
    contributingFactors: item.contributingFactors,
    workflowStage: item.workflowStage,
    potentialHarm: item.potentialHarm,
    personId: item.personId,
    staffInvolvedIds: item.staffInvolvedIds,
    shiftId: item.shiftId,
    details: item.details,
    workflowContext: item.workflowContext,
  };
}

const reportMeasure = 'a report with its repeat trigger (rolled back)';

/** Thrown to roll a measured report back, so that the data stays the same between runs. */
class RolledBack extends Error {}

/**
 * A report with its repeat trigger, as production runs it (reportNearMiss in
 * the report's own transaction, as the application role under row-level
 * security), for a recent near miss like the measured tenant's; rolled back,
 * so the data stays the same.
 */
async function reportTimes(world: World, runs: number): Promise<number[]> {
  const times: number[] = [];
  const samples = world.measured.nearMisses.filter(
    (item) => item.occurredAt.getTime() > world.now.getTime() - 30 * dayMs,
  );
  const db = createTenantDatabase(world.dataSource, world.measured.tenantId);
  const actor = {
    principal: {
      staffId: 'bench-reporter',
      tenantId: world.measured.tenantId,
      roles: [Role.REPORTER],
      services: '*' as const,
    },
    services: { ...world.services, now: () => world.now },
  };
  for (let run = 0; run < runs + 5; run += 1) {
    const item = samples[(run * 7919) % samples.length];
    const request = { input: reportInput(item), idempotencyKey: `bench-${randomBytes(8).toString('hex')}` };
    const started = performance.now();
    try {
      await db.transaction(async (tx) => {
        await reportNearMiss(tx, actor, request);
        throw new RolledBack();
      }, reportTransaction);
    } catch (error) {
      if (!(error instanceof RolledBack)) throw error;
    }
    if (run >= 5) times.push(performance.now() - started);
  }
  return times;
}

interface Throughput {
  reporters: number;
  pace: number;
  /** Through reportNearMiss in the process, or through the subgraph's HTTP server. */
  over: 'service' | 'HTTP';
  withTrigger: number;
  withoutTrigger: number;
  opened: number;
  joined: number;
}

/** The measured tenant's near misses a day in its year of history (fillers have 9,000 a year). */
const dailyRate = measuredSize / 365;

/**
 * Reports per second through reportNearMiss, with the trigger and without, in
 * alternating blocks (on-off, off-on, ...), from `reporters` reporters at
 * once (one tenant and one connection each, since a tenant's reports take
 * turns on its reference counter): the measured tenant's next days, and each
 * further reporter's filler tenant's (a tenant without history when the table
 * holds no filler), at `pace` times the tenant's usual rate, each report
 * arriving an hour after it happened. Each run takes up where the last one's
 * days ended, so runs do not crowd one another's windows.
 */
async function reportThroughput(world: World, reports: number, reporters: number, pace: number): Promise<Throughput> {
  await settle(world.dataSource);
  const perReporter = Math.ceil((reports * 2) / reporters);
  const from = world.clock;
  const days = Math.max(1, Math.ceil(perReporter / (dailyRate * pace)));
  const to = new Date(from.getTime() + days * dayMs);
  world.clock = to;
  const streams = Array.from({ length: reporters }, (_, index) => {
    const [tenantPrefix, services] =
      index === 0
        ? ['bench-measured', world.measured.services.length]
        : [index <= world.fillers ? `bench-filler-${index}` : `bench-extra-${index}`, 30];
    const tenantId = `${tenantPrefix}-1`;
    const samples = generateTenant(
      { seed: 12, tenants: 1, nearMisses: perReporter, from, to, tenantPrefix, servicesPerTenant: services },
      0,
      world.registry.list(),
      perReporter,
    ).nearMisses.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
    return {
      db: createTenantDatabase(world.dataSource, tenantId),
      principal: { staffId: 'bench-reporter', tenantId, roles: [Role.REPORTER], services: '*' as const },
      samples,
    };
  });
  const counts = { opened: 0, joined: 0 };
  const elapsed = { on: 0, off: 0 };
  const sent = { on: 0, off: 0 };
  // One reporter alternates report by report, so that a slow spell of the machine falls on both modes alike;
  // several at once alternate in small blocks (all reporters in one mode, so that the trigger's load on the
  // others counts against it).
  const block = reporters === 1 ? 1 : Math.ceil(24 / reporters);
  let next = 0;
  for (let round = 0; next < perReporter; round += 1) {
    for (const mode of round % 2 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
      const first = next;
      next = Math.min(perReporter, next + block);
      const started = performance.now();
      await Promise.all(
        streams.map(async ({ db, principal, samples }) => {
          for (const item of samples.slice(first, next)) {
            const arrived = new Date(item.occurredAt.getTime() + 60 * 60 * 1000);
            const request = { input: reportInput(item), idempotencyKey: `bench-${randomBytes(8).toString('hex')}` };
            const services = { ...world.services, now: () => arrived, repeatTrigger: mode === 'on' };
            const outcome = await db.transaction(
              (tx) => reportNearMiss(tx, { principal, services }, request),
              reportTransaction,
            );
            counts.opened += outcome.riskReviewsOpened.length;
            counts.joined += outcome.riskReviewsJoined.length;
            sent[mode] += 1;
          }
        }),
      );
      elapsed[mode] += performance.now() - started;
    }
  }
  return {
    reporters,
    pace,
    over: 'service',
    withTrigger: (sent.on / elapsed.on) * 1000,
    withoutTrigger: (sent.off / elapsed.off) * 1000,
    ...counts,
  };
}

/**
 * What a host app sends to report, through the suite's gateway (which
 * forwards a mutation on this subgraph's root field as it is): the
 * contract's payload.
 */
const reportMutation = `mutation Report($input: ReportNearMissInput!, $key: String!) {
  reportNearMiss(input: $input, idempotencyKey: $key) { replayed sameDay suggestedRoute nearMiss { id reference status version } riskReviewsOpened { id reason dueBy } }
}`;

/**
 * Reports per second through the subgraph's own HTTP server (POST /graphql
 * with a bearer token, over one kept-alive loopback connection, as the
 * gateway sends them), with the trigger and without, alternating report by
 * report: the measured tenant's next days at the usual pace, each report
 * arriving an hour after it happened (the service's clock is set to that
 * arrival for each request).
 */
async function httpThroughput(world: World, config: Config, reports: number): Promise<Throughput> {
  await settle(world.dataSource);
  const from = world.clock;
  const to = new Date(from.getTime() + Math.max(1, Math.ceil((reports * 2) / dailyRate)) * dayMs);
  world.clock = to;
  const samples = generateTenant(
    {
      seed: 13,
      tenants: 1,
      nearMisses: reports * 2,
      from,
      to,
      tenantPrefix: 'bench-measured',
      servicesPerTenant: world.measured.services.length,
    },
    0,
    world.registry.list(),
    reports * 2,
  ).nearMisses.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  let mode: 'on' | 'off' = 'on';
  let arrived = from;
  const services: AppServices = {
    config,
    dataSource: world.dataSource,
    registry: world.registry,
    logger: createLogger('silent'),
    now: () => arrived,
    get repeatTrigger() {
      return mode === 'on';
    },
  };
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
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const authorization = `Bearer ${await signToken(config.auth.jwtSecret, { sub: 'bench-reporter', tenant: world.measured.tenantId, roles: [Role.REPORTER], services: ['*'] })}`;
  const post = (body: string) =>
    new Promise<string>((resolve, reject) => {
      const sent = httpRequest(
        http.url,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          response.on('error', reject);
        },
      );
      sent.on('error', reject);
      sent.end(body);
    });
  const counts = { opened: 0, joined: 0 };
  const elapsed = { on: 0, off: 0 };
  const sent = { on: 0, off: 0 };
  try {
    for (const [index, item] of samples.entries()) {
      mode = index % 4 === 0 || index % 4 === 3 ? 'on' : 'off';
      arrived = new Date(item.occurredAt.getTime() + 60 * 60 * 1000);
      const body = JSON.stringify({
        query: reportMutation,
        variables: { input: reportInput(item), key: `bench-${randomBytes(8).toString('hex')}` },
      });
      const started = performance.now();
      const reply = JSON.parse(await post(body)) as {
        data?: { reportNearMiss: { riskReviewsOpened: unknown[] } };
        errors?: unknown[];
      };
      elapsed[mode] += performance.now() - started;
      if (!reply.data || reply.errors) throw new Error(`report refused over HTTP: ${JSON.stringify(reply.errors)}`);
      counts.opened += reply.data.reportNearMiss.riskReviewsOpened.length;
      sent[mode] += 1;
    }
    // The contract's payload names the reviews a report opened, not those it joined: those are counted from their links.
    const [{ joined }]: { joined: string }[] = await world.dataSource.query(
      `SELECT count(*) AS joined FROM risk_review_near_miss m JOIN risk_review r ON r.id = m.review_id
        WHERE m.tenant_id = $1 AND m.joined_at >= $2 AND m.joined_at > r.opened_at`,
      [world.measured.tenantId, from],
    );
    counts.joined = Number(joined);
  } finally {
    agent.destroy();
    await http.stop();
  }
  return {
    reporters: 1,
    pace: 1,
    over: 'HTTP',
    withTrigger: (sent.on / elapsed.on) * 1000,
    withoutTrigger: (sent.off / elapsed.off) * 1000,
    ...counts,
  };
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  if (!config.databaseUrl) throw new Error('bench:analytics runs on the PostgreSQL server: set DATABASE_URL');
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const registry = loadCategoryRegistry(config.pluginSpecifiers);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, schema, poolSize: 8 });
  const startedAt = performance.now();
  try {
    await migrate(database.dataSource);
    const [{ version }]: { version: string }[] = await database.dataSource.query('SELECT version()');
    console.log(
      `machine: ${cpus().length} x ${cpus()[0].model}, ${Math.round(totalmem() / 2 ** 30)} GB RAM; Node ${process.version}; ${version.split(' on ')[0]}; schema ${schema}`,
    );

    const now = new Date();
    const from = new Date(now.getTime() - 365 * dayMs);
    const measured = generateTenant(
      { seed: 11, tenants: 1, nearMisses: measuredSize, from, to: now, tenantPrefix: 'bench-measured' },
      0,
      registry.list(),
      measuredSize,
    );
    // With its audit trail, as a tenant in use has: on an audit table that held only the benchmark's own
    // reports, the chain head's guard planned a sequential scan, and each report's audit entries grew slower
    // as the run went on (the fillers, loaded for size, keep none).
    await bulkLoadTenant(database.dataSource, registry, measured, {
      now,
      lifecycle: true,
      audit: true,
      seed: 11,
      secret: config.pseudonymisationSecret,
    });
    const services: AppServices = { config, dataSource: database.dataSource, registry, logger: createLogger('silent') };
    const world: World = {
      dataSource: database.dataSource,
      registry,
      services,
      now,
      from,
      loaded: measuredSize,
      fillers: 0,
      measured,
      clock: now,
    };
    console.log(
      `measured tenant: ${measured.nearMisses.length} near misses over 12 months in ${measured.services.length} services, with triage, actions, checks, reviews and the audit trail`,
    );

    const db = createTenantDatabase(database.dataSource, measured.tenantId);
    const results = new Map<string, Map<number, number[]>>();
    const record = (name: string, size: number, times: number[]) => {
      if (!results.has(name)) results.set(name, new Map());
      results.get(name)!.set(size, times);
    };
    const plans: string[] = [];
    const pages = new Map<string, Map<number, number>>();
    let current = '';
    for (const size of [...options.sizes].sort((a, b) => a - b)) {
      const loadStarted = performance.now();
      await growTo(world, size);
      console.log(
        `size ${size.toLocaleString('en-GB')}: loaded and vacuumed in ${fixed((performance.now() - loadStarted) / 1000)} s`,
      );
      for (const [name, times] of await timedRounds(options.runs, analyticsQueries(world, db)))
        record(name, size, times);
      // Once more under EXPLAIN: the pages each query touched at this size (the same work at every size is the point), and the plans at the largest.
      const largest = size === Math.max(...options.sizes);
      for (const [name, query] of Object.entries(
        analyticsQueries(
          world,
          explaining(db, (explained) => {
            if (!pages.has(current)) pages.set(current, new Map());
            pages.get(current)!.set(size, (pages.get(current)!.get(size) ?? 0) + explained.pages);
            if (largest) plans.push(explained.summary);
          }),
        ),
      )) {
        current = name;
        if (largest) plans.push(`-- ${name}`);
        await query();
      }
      record(reportMeasure, size, await reportTimes(world, options.triggerRuns));
    }

    // At the usual pace, then three times it (more patterns, joins and openings than in use), then from several tenants at once.
    const throughputs: Throughput[] = [];
    if (options.throughput.includes('service')) {
      for (const [reporters, pace] of [
        [1, 1],
        [1, 3],
        [options.reporters, 1],
      ])
        throughputs.push(await reportThroughput(world, options.reports, reporters, pace));
    }
    if (options.throughput.includes('http'))
      throughputs.push(
        await httpThroughput(
          world,
          { ...config, auth: { ...config.auth, issuer: undefined, audience: undefined } },
          options.reports,
        ),
      );
    const sizes = [...options.sizes].sort((a, b) => a - b);
    const [small, , large] = [sizes[0], sizes[1], sizes[sizes.length - 1]];
    const analyticsBase = sizes.length > 2 ? sizes[sizes.length - 2] : sizes[0];
    const header = `| measure | ${sizes.map((size) => `${size.toLocaleString('en-GB')} rows: median / p95 (ms)`).join(' | ')} | ratio | goal |`;
    console.log(`\n${header}\n|${' --- |'.repeat(sizes.length + 3)}`);
    for (const [name, bySize] of results) {
      const trigger = name === reportMeasure;
      const base = trigger ? small : analyticsBase;
      const ratio = median(bySize.get(large)!) / median(bySize.get(base)!);
      const cells = sizes.map(
        (size) => `${fixed(median(bySize.get(size)!), 2)} / ${fixed(quantile(bySize.get(size)!, 0.95), 2)}`,
      );
      const goal = trigger
        ? `${large.toLocaleString('en-GB')} ÷ ${base.toLocaleString('en-GB')} ≤ 1.2`
        : `${large.toLocaleString('en-GB')} ÷ ${base.toLocaleString('en-GB')} ≤ 1.5`;
      console.log(
        `| ${name} | ${cells.join(' | ')} | ${fixed(ratio, 2)} | ${goal} ${ratio <= (trigger ? 1.2 : 1.5) ? 'met' : 'NOT met'} |`,
      );
    }
    for (const throughput of throughputs) {
      const ratio = throughput.withTrigger / throughput.withoutTrigger;
      const who =
        throughput.reporters === 1
          ? 'one reporter, one connection'
          : `${throughput.reporters} reporters in ${throughput.reporters} tenants at once`;
      const pace = throughput.pace === 1 ? 'at the usual pace' : `at ${throughput.pace} times the usual pace`;
      console.log(
        `| reportNearMiss throughput at ${large.toLocaleString('en-GB')} rows (reports/s, ${throughput.over === 'HTTP' ? 'POST /graphql to the subgraph, ' : ''}${who}, ${pace}; ${options.reports} reports each way, the trigger opened ${throughput.opened} reviews and joined ${throughput.joined}) | with trigger ${fixed(throughput.withTrigger)} | without ${fixed(throughput.withoutTrigger)} | | ${fixed(ratio, 2)} | with ÷ without ≥ 0.85 ${ratio >= 0.85 ? 'met' : 'NOT met'} |`,
      );
    }
    console.log(
      `\nshared buffer pages each analytics query touched (EXPLAIN ANALYZE, BUFFERS; hit or read, summed over its statements):`,
    );
    console.log(
      `| query | ${sizes.map((size) => `${size.toLocaleString('en-GB')} rows`).join(' | ')} | ${large.toLocaleString('en-GB')} ÷ ${analyticsBase.toLocaleString('en-GB')} |\n|${' --- |'.repeat(sizes.length + 2)}`,
    );
    for (const [name, bySize] of pages) {
      console.log(
        `| ${name} | ${sizes.map((size) => (bySize.get(size) ?? 0).toLocaleString('en-GB')).join(' | ')} | ${fixed(bySize.get(large)! / bySize.get(analyticsBase)!, 2)} |`,
      );
    }
    console.log(`\nplans at ${large.toLocaleString('en-GB')} rows (EXPLAIN ANALYZE):\n${plans.join('\n')}`);
    console.log(`\ntotal ${fixed((performance.now() - startedAt) / 60_000)} min`);
  } finally {
    if (!options.keep) await database.dataSource.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
    await database.close();
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { signToken } from '../../subgraph/auth/jwt';
import { Role } from '../../subgraph/auth/role';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { startSubgraphProcess, type SubgraphProcess } from '../support/subgraph-process';
import { testSecret, uniqueTenant } from '../support/test-app';
import { waitFor } from '../support/wait-for';

// SIGTERM to a real subgraph process during a burst of reports: every request
// in flight gets its answer, the process exits 0, and what is stored is exactly
// what was acknowledged. On a server the reports are held in flight by a row
// lock the test takes (they wait for the tenant's reference counter) and let go
// only after the signal; on the embedded database (one transaction at a time)
// the signal follows as soon as the whole burst has reached the server.

const serverUrl = process.env.DATABASE_URL || undefined;
const burst = 24;

let databaseUrl: string | undefined;
let dataDir: string;
let databaseName: string | undefined;
const running = new Set<SubgraphProcess>();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'near-miss-shutdown-'));
  if (serverUrl) {
    databaseName = `shutdown_${randomBytes(6).toString('hex')}`;
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${databaseName}`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${databaseName}`;
    databaseUrl = url.toString();
  }
});

afterAll(async () => {
  for (const subgraph of running) subgraph.child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
  if (serverUrl && databaseName) {
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await admin.end();
  }
});

const start = async () => {
  const subgraph = await startSubgraphProcess({
    DATA_DIR: dataDir,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    DATABASE_POOL_SIZE: '4',
    // The held reports wait for a pooled connection longer than an outage answer would allow.
    DATABASE_CONNECT_TIMEOUT_MS: '60000',
    SHUTDOWN_DRAIN_MS: '30000',
  });
  running.add(subgraph);
  void subgraph.exited.then(() => running.delete(subgraph));
  return subgraph;
};

async function post(url: string, token: string, query: string, variables: Record<string, unknown>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: unknown[] } };
}

/** Whether a new TCP connection to the URL's port is refused (the listener is closed). */
const refusesConnections = (url: string) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

/** GraphQL requests the server has received so far: answered, or in flight (less this scrape itself). */
const received = async (url: string) => {
  const metrics = await (await fetch(url.replace('/graphql', '/metrics'))).text();
  const inFlight = Number(/^near_miss_http_requests_in_flight (\d+)/m.exec(metrics)?.[1] ?? 0) - 1;
  const answered = [...metrics.matchAll(/^near_miss_http_requests_total\{[^}]*route="\/graphql"[^}]*\} (\d+)/gm)];
  return inFlight + answered.reduce((sum, [, count]) => sum + Number(count), 0);
};

it('answers every request in flight at SIGTERM, exits 0 and stores exactly what it acknowledged', async () => {
  const tenant = uniqueTenant('shutdown');
  const reporter = await signToken(testSecret, { sub: 'staff-1', tenant, roles: [Role.REPORTER], services: ['*'] });
  const admin = await signToken(testSecret, { sub: 'staff-2', tenant, roles: [Role.ADMIN], services: ['*'] });
  let subgraph: SubgraphProcess = await start();
  const report = () => post(subgraph.url, reporter, reportMutation, { input: medicationReport(), key: newKey() });

  // The first report creates the tenant's reference counter row that the others will wait for.
  expect((await report()).body.errors).toBeUndefined();
  let lock: Client | undefined;
  if (databaseUrl) {
    lock = new Client({ connectionString: databaseUrl });
    lock.on('error', () => undefined);
    await lock.connect();
    await lock.query('BEGIN');
    await lock.query('SELECT * FROM reference_counter WHERE tenant_id = $1 FOR UPDATE', [tenant]);
  }

  const answers = Array.from({ length: burst }, () =>
    report().then(
      (answer) => ({ answered: true as const, ...answer }),
      (error: unknown) => ({ answered: false as const, error: String(error) }),
    ),
  );
  // Every request of the burst has reached the server (held in flight by the lock on a server).
  await waitFor('the burst to reach the server', async () => (await received(subgraph.url)) >= 1 + burst, 60_000);
  subgraph.child.kill('SIGTERM');

  if (lock) {
    // The listener closes at once, while every report is still held.
    await waitFor('the listener to close', () => refusesConnections(subgraph.url), 10_000);
    await lock.query('COMMIT');
    await lock.end();
  }
  const settled = await Promise.all(answers);
  expect(await subgraph.exited).toBe(0);
  expect(settled.filter((answer) => !answer.answered)).toEqual([]);
  const acknowledged = settled.filter((answer) => answer.answered && answer.status === 200 && !answer.body.errors);
  expect(acknowledged).toHaveLength(burst);
  expect(subgraph.logs.map((entry) => entry.message)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
  expect(subgraph.logs.find((entry) => entry.message === 'stopped')).toMatchObject({ cut: 0 });

  subgraph = await start();
  try {
    const stored = await post(subgraph.url, admin, '{ nearMisses(first: 1) { totalCount } }', {});
    expect(stored.body.data?.nearMisses.totalCount).toBe(1 + acknowledged.length);
  } finally {
    subgraph.child.kill('SIGTERM');
    expect(await subgraph.exited).toBe(0);
  }
}, 420_000);

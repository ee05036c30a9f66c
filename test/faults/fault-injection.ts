import 'reflect-metadata';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { signToken } from '../../subgraph/auth/jwt';
import { Role } from '../../subgraph/auth/role';
import { verifyAuditChains } from '../../subgraph/audit/audit-chain-verifier';
import { openDatabase } from '../../subgraph/database/data-source';
import { noPostgresMessage, postgresBinaries, startPrivatePostgres } from '../support/private-postgres';
import { medicationReport, reportMutation } from '../support/reports';
import { startSubgraphProcess, type SubgraphProcess } from '../support/subgraph-process';
import { testSecret } from '../support/test-app';

// npm run test:faults: two replicas on one PostgreSQL cluster of this run's own,
// four clients submitting REPORTS reports with retries on the same keys (on network
// errors and on `retryable` answers), while PostgreSQL is restarted once and one
// replica is SIGTERMed and started again. Then every key must be stored exactly
// once, every acknowledged report must exist, no client may have seen its
// connection cut on a request that committed, and the audit chain must verify.
// Prints the counts; exits 1 when any of that fails, 0 otherwise (and when no
// PostgreSQL server is installed, saying so).

const reports = Number(process.env.REPORTS ?? 2000);
const clients = 4;
const tenant = `faults-${Date.now()}`;

interface Outcome {
  key: string;
  /** The id of the acknowledged near miss; undefined if the client gave up. */
  id?: string;
  attempts: number;
  /** Attempts whose connection was cut after the request was sent (not refused). */
  cut: number;
  /** The acknowledging answer was a replay: an earlier attempt had committed. */
  replayed: boolean;
}

async function main(): Promise<number> {
  if (!postgresBinaries()) {
    process.stdout.write(`fault injection ${noPostgresMessage}\n`);
    return 0;
  }
  const cluster = await startPrivatePostgres();
  const replicas: (SubgraphProcess | undefined)[] = [];
  try {
    const env = {
      DATABASE_URL: cluster.url,
      DATABASE_POOL_SIZE: '5',
      DATABASE_CONNECT_TIMEOUT_MS: '1500',
      DATABASE_STARTUP_RETRY_MAX_MS: '1000',
      LOG_LEVEL: 'warn',
    };
    const startReplica = async (index: number) => {
      replicas[index] = undefined;
      const replica = await startSubgraphProcess({ ...env, LOG_LEVEL: 'info' });
      replicas[index] = replica;
      return replica;
    };
    // One after the other: the first migrates, the second finds nothing to do.
    await startReplica(0);
    await startReplica(1);
    const token = await signToken(testSecret, { sub: 'staff-faults', tenant, roles: [Role.REPORTER], services: ['*'] });

    let next = 0;
    let done = 0;
    const outcomes: Outcome[] = [];
    const submit = async (key: string): Promise<Outcome> => {
      const outcome: Outcome = { key, attempts: 0, cut: 0, replayed: false };
      const body = JSON.stringify({ query: reportMutation, variables: { input: medicationReport(), key } });
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline) {
        const live = replicas.filter((replica): replica is SubgraphProcess => replica !== undefined);
        const replica = live[(outcome.attempts + key.length) % Math.max(live.length, 1)];
        outcome.attempts += 1;
        if (!replica) {
          await sleep(50);
          continue;
        }
        let answer: { status: number; body: any } | undefined;
        try {
          const response = await fetch(replica.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body,
          });
          answer = { status: response.status, body: await response.json() };
        } catch (error) {
          const code = (error as { cause?: { code?: string } }).cause?.code;
          // Refused: the request never reached a server. Anything else cut a request that had been sent.
          if (code !== 'ECONNREFUSED') outcome.cut += 1;
          await sleep(50);
          continue;
        }
        const payload = answer.body?.data?.reportNearMiss;
        if (answer.status === 200 && payload?.nearMiss?.id) {
          outcome.id = payload.nearMiss.id as string;
          outcome.replayed = payload.replayed === true;
          return outcome;
        }
        const retryable = answer.body?.errors?.some((error: any) => error.extensions?.retryable === true);
        if (!retryable) {
          const requestId = answer.body?.errors?.[0]?.extensions?.requestId as string | undefined;
          const logged = replica.logs.filter((line) => requestId && line.requestId === requestId);
          throw new Error(
            `key ${key}: answer ${answer.status} ${JSON.stringify(answer.body)} ${JSON.stringify(logged)}`,
          );
        }
        await sleep(100);
      }
      return outcome;
    };
    const client = async (index: number) => {
      while (next < reports) {
        next += 1;
        outcomes.push(await submit(`faults-${index}-${next}`));
        done += 1;
      }
    };

    const faults = (async () => {
      const reach = async (share: number) => {
        while (done < reports * share) await sleep(20);
      };
      await reach(0.25);
      process.stdout.write(`restarting PostgreSQL after ${done} reports\n`);
      cluster.stop();
      await sleep(2000);
      cluster.start();
      await reach(0.6);
      const victim = replicas[1]!;
      process.stdout.write(`SIGTERM to replica 2 after ${done} reports\n`);
      replicas[1] = undefined;
      victim.child.kill('SIGTERM');
      const code = await victim.exited;
      process.stdout.write(`replica 2 exited ${code}; starting it again\n`);
      await startReplica(1);
      return code;
    })();

    const started = Date.now();
    await Promise.all(Array.from({ length: clients }, (_, index) => client(index)));
    const victimExit = await faults;
    const seconds = (Date.now() - started) / 1000;

    const database = new Client({ connectionString: cluster.url });
    await database.connect();
    const stored = (
      await database.query<{ id: string; key: string }>(
        `SELECT n.id, k.key FROM near_miss n JOIN idempotency_key k ON k.tenant_id = n.tenant_id AND k.near_miss_id = n.id
          WHERE n.tenant_id = $1`,
        [tenant],
      )
    ).rows;
    const nearMisses = Number(
      (await database.query<{ count: string }>('SELECT count(*) FROM near_miss WHERE tenant_id = $1', [tenant])).rows[0]
        .count,
    );
    await database.end();
    const storedIds = new Set(stored.map((row) => row.id));
    const storedKeys = new Set(stored.map((row) => row.key));
    const acknowledged = outcomes.filter((outcome) => outcome.id);
    const lost = acknowledged.filter((outcome) => !storedIds.has(outcome.id!)).length;
    const duplicated = nearMisses - storedKeys.size;
    const unacknowledged = outcomes.length - acknowledged.length;
    const cutAfterCommit = outcomes.filter((outcome) => outcome.cut > 0 && outcome.replayed).length;

    const audit = await openDatabase({ databaseUrl: cluster.url, poolSize: 2 });
    const chain = await verifyAuditChains(audit.dataSource, { tenantIds: [tenant] }).finally(() => audit.close());

    const lines = [
      `submitted ${outcomes.length}`,
      `acknowledged ${acknowledged.length}`,
      `stored ${nearMisses}`,
      `duplicated ${duplicated}`,
      `lost ${lost}`,
      `unacknowledged ${unacknowledged}`,
      `cut after commit ${cutAfterCommit}`,
      `retried ${outcomes.filter((outcome) => outcome.attempts > 1).length}`,
      `replica exit on SIGTERM ${victimExit}`,
      `audit chain ${chain.ok ? 'OK' : `BROKEN (${chain.problems.length} problems)`} (${chain.rows} rows)`,
      `seconds ${seconds.toFixed(1)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const ok =
      outcomes.length === reports &&
      acknowledged.length === reports &&
      nearMisses === reports &&
      duplicated === 0 &&
      lost === 0 &&
      cutAfterCommit === 0 &&
      victimExit === 0 &&
      chain.ok;
    process.stdout.write(ok ? 'fault injection: OK\n' : 'fault injection: FAILED\n');
    return ok ? 0 : 1;
  } finally {
    for (const replica of replicas) replica?.child.kill('SIGKILL');
    cluster.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`fault injection could not run: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(2);
  },
);

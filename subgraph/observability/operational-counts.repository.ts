import type { DataSource } from 'typeorm';
import { monitorRole } from '../../migrations/tenant-isolation';
import type { OperationalCounts } from './metrics';

// Counts across tenants, as the monitor role (it reads only these columns), bounded by a short timeout.
const counts = `
  SELECT
    (SELECT count(*) FROM webhook_delivery WHERE status = 'PENDING')::int AS "outboxPending",
    coalesce(extract(epoch FROM now() - (SELECT min(created_at) FROM webhook_delivery WHERE status = 'PENDING')), 0)::float8
      AS "outboxOldestPendingSeconds",
    (SELECT count(*) FROM webhook_delivery WHERE status = 'DEAD')::int AS "outboxDead",
    (SELECT count(*) FROM near_miss WHERE status IN ('REPORTED', 'ACKNOWLEDGED') AND triage_due_at < now())::int
      AS "triageOverdue"`;

/** The outbox backlog and the overdue triage queue, for /metrics. */
export function readOperationalCounts(dataSource: DataSource): Promise<OperationalCounts> {
  return dataSource.transaction(async (tx) => {
    await tx.query(`SELECT set_config('role', $1, true), set_config('statement_timeout', '2000ms', true)`, [
      monitorRole,
    ]);
    const [row] = await tx.query<OperationalCounts[]>(counts);
    return row;
  });
}

import type { Transaction } from '../database/transaction';

/** A delivery this dispatcher holds the lease of, with its event and webhook. */
export interface ClaimedDelivery {
  id: string;
  tenantId: string;
  /** Attempts so far, this one included. */
  attempts: number;
  eventId: string;
  eventType: string;
  aggregateId: string;
  payload: Record<string, unknown>;
  createdAt: Date;
  url: string;
  /** Subscription id, to which the sealed secret is bound. */
  subscriptionId: string;
  /** The signing secret as stored: sealed (webhook-secret-cipher.ts), null when erased. */
  sealedSecret: string | null;
  active: boolean;
}

interface ClaimedDeliveryRow {
  id: string;
  tenant_id: string;
  attempts: number;
  event_id: string;
  event_type: string;
  aggregate_id: string;
  payload: Record<string, unknown>;
  created_at: Date;
  url: string;
  subscription_id: string;
  secret: string | null;
  active: boolean;
}

/** An UPDATE's result on PostgreSQL: the rows returned and how many rows it changed. */
type UpdateResult<Row> = [Row[], number];

/**
 * Claims up to `batchSize` due deliveries under a lease of `leaseMs` stamped
 * with `token`: due, not leased, written by a transaction that has ended (so
 * nothing earlier can still appear), and the first still pending for its
 * webhook and aggregate (so a receiver sees one near miss's events in order).
 */
export async function claimDueDeliveries(
  tx: Transaction,
  lease: { batchSize: number; leaseMs: number; token: string },
): Promise<ClaimedDelivery[]> {
  // Hand-written: FOR UPDATE SKIP LOCKED, the xid8 snapshot horizon and the per-aggregate order in one claim.
  const [rows]: UpdateResult<ClaimedDeliveryRow> = await tx.query(
    `WITH due AS (
       SELECT delivery.id FROM webhook_delivery delivery
       WHERE delivery.status = 'PENDING'
         AND delivery.next_attempt_at <= clock_timestamp()
         AND (delivery.locked_until IS NULL OR delivery.locked_until <= clock_timestamp())
         AND delivery.event_transaction_id < pg_snapshot_xmin(pg_current_snapshot())
         AND NOT EXISTS (
           SELECT 1 FROM webhook_delivery earlier
           WHERE earlier.subscription_id = delivery.subscription_id AND earlier.aggregate_id = delivery.aggregate_id
             AND earlier.status = 'PENDING'
             AND (earlier.event_transaction_id, earlier.event_id) < (delivery.event_transaction_id, delivery.event_id))
       ORDER BY delivery.next_attempt_at, delivery.id
       LIMIT $1
       FOR UPDATE OF delivery SKIP LOCKED
     )
     UPDATE webhook_delivery delivery
     SET locked_until = clock_timestamp() + make_interval(secs => $2::double precision / 1000),
         lease_token = $3, attempts = delivery.attempts + 1, last_attempt_at = clock_timestamp()
     FROM due, outbox_event event, webhook_subscription subscription
     WHERE delivery.id = due.id AND event.id = delivery.event_id AND subscription.id = delivery.subscription_id
     RETURNING delivery.id, delivery.tenant_id, delivery.attempts, event.id AS event_id, event.event_type, event.aggregate_id,
               event.payload, event.created_at, subscription.url, delivery.subscription_id, subscription.secret,
               subscription.active`,
    [lease.batchSize, lease.leaseMs, lease.token],
  );
  return rows.map((row) => ({
    id: row.id,
    tenantId: row.tenant_id,
    attempts: row.attempts,
    eventId: row.event_id,
    eventType: row.event_type,
    aggregateId: row.aggregate_id,
    payload: row.payload,
    createdAt: row.created_at,
    url: row.url,
    subscriptionId: row.subscription_id,
    sealedSecret: row.secret,
    active: row.active,
  }));
}

/** Records a delivery as delivered; false when the lease `token` was no longer ours (nothing written). */
export async function markDelivered(tx: Transaction, id: string, token: string, statusCode: number): Promise<boolean> {
  // Hand-written: written only while the lease is ours, stamped with the database clock.
  const [, changed]: UpdateResult<never> = await tx.query(
    `UPDATE webhook_delivery SET status = 'DELIVERED', delivered_at = clock_timestamp(), locked_until = NULL, lease_token = NULL,
            last_status_code = $3, last_error = NULL
     WHERE id = $1 AND lease_token = $2`,
    [id, token, statusCode],
  );
  return changed > 0;
}

export interface FailedAttempt {
  /** DEAD: no more attempts; PENDING: tried again after `retryInMs`. */
  status: 'DEAD' | 'PENDING';
  retryInMs: number;
  statusCode: number | null;
  error: string;
}

/** Records a failed attempt; false when the lease `token` was no longer ours (nothing written). */
export async function markAttemptFailed(
  tx: Transaction,
  id: string,
  token: string,
  attempt: FailedAttempt,
): Promise<boolean> {
  // Hand-written: written only while the lease is ours, the next attempt timed by the database clock.
  const [, changed]: UpdateResult<never> = await tx.query(
    `UPDATE webhook_delivery SET status = $3, next_attempt_at = clock_timestamp() + make_interval(secs => $4::double precision / 1000),
            locked_until = NULL, lease_token = NULL, last_status_code = $5, last_error = $6
     WHERE id = $1 AND lease_token = $2`,
    [id, token, attempt.status, attempt.retryInMs, attempt.statusCode, attempt.error],
  );
  return changed > 0;
}

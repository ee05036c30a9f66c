import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Logger } from '../common/logger';
import type { WebhookConfig } from '../config';
import { backoffDelay } from './webhook-backoff';
import { signatureHeader, signBody } from './webhook-signature';

/**
 * Delivers outbox events to tenants' webhooks, at least once and in order per
 * (webhook, aggregate): one near miss's (or corrective action's) events arrive
 * in the order they were written.
 *
 * Claiming is a lease, not a lock held while sending: one short transaction
 * picks due deliveries with `FOR UPDATE SKIP LOCKED` (so two replicas polling
 * at the same moment never pick the same row) and stamps them with
 * `locked_until` and a fresh `lease_token` before committing (so no replica
 * picks them again until the lease expires). The HTTP request then runs with
 * no transaction open, and its outcome is recorded only `WHERE lease_token`
 * is still ours. Holding a row lock across the request would keep a pooled
 * connection and a transaction open for up to the timeout, which on the
 * embedded database (one transaction at a time) would stall every request.
 *
 * The lease is longer than the latest moment a send may end (a send starts
 * only within `sendWindowMs` of the claim and is aborted after `timeoutMs`),
 * so a delivery is never sent by two replicas at once; if a replica dies
 * mid-send, its lease expires and another replica retries (at least once).
 */
export interface WebhookDispatcher {
  /** Polls on a timer until stop(): again at once after a non-empty batch, else after the interval. */
  start(): void;
  /** Claims, sends and records one batch of due deliveries. */
  dispatchOnce(): Promise<DispatchReport>;
  /** Stops polling, aborts requests in flight and waits for the current batch to be recorded. */
  stop(): Promise<void>;
}

export interface DispatchReport {
  claimed: number;
  delivered: number;
  failed: number;
  dead: number;
}

export interface WebhookDispatcherOptions {
  dataSource: DataSource;
  config: WebhookConfig;
  logger: Logger;
  random?: () => number;
}

interface ClaimedDelivery {
  id: string;
  tenant_id: string;
  attempts: number;
  event_id: string;
  event_type: string;
  aggregate_id: string;
  payload: Record<string, unknown>;
  created_at: Date;
  url: string;
  secret: string;
  active: boolean;
}

type Outcome = { kind: 'delivered'; statusCode: number } | { kind: 'failed'; statusCode: number | null; error: string } | { kind: 'deactivated' };

const leaseMarginMs = 15_000;

/** The JSON body a receiver gets; the same bytes on every attempt. */
export function webhookBody(event: { id: string; type: string; tenantId: string; aggregateId: string; createdAt: Date; payload: unknown }): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    tenantId: event.tenantId,
    aggregateId: event.aggregateId,
    createdAt: event.createdAt.toISOString(),
    payload: event.payload,
  });
}

export function createWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  const { dataSource, config, logger } = options;
  const random = options.random ?? Math.random;
  // A send starts within sendWindowMs of the claim and lasts at most timeoutMs; the lease outlives both.
  const sendWindowMs = leaseMarginMs + config.timeoutMs;
  const leaseMs = sendWindowMs + config.timeoutMs + leaseMarginMs;
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;
  let stopping = new AbortController();

  // Each statement in its own short transaction, never autocommit: the
  // embedded database's socket interleaves the protocol messages of
  // concurrent autocommit statements, but keeps a transaction's together.
  const query = <T>(sql: string, parameters: unknown[]) => dataSource.transaction((manager) => manager.query(sql, parameters) as Promise<T>);

  async function claim(token: string): Promise<ClaimedDelivery[]> {
    // Due, not leased, written by a transaction that has ended (so nothing
    // earlier can still appear), and the first still pending for its webhook
    // and aggregate (so a receiver sees one near miss's events in order).
    const [claimed] = await query<[ClaimedDelivery[], number]>(
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
                 event.payload, event.created_at, subscription.url, subscription.secret, subscription.active`,
      [config.batchSize, leaseMs, token],
    );
    return claimed;
  }

  async function send(delivery: ClaimedDelivery, sendBefore: number): Promise<Outcome> {
    if (!delivery.active) return { kind: 'deactivated' };
    if (Date.now() >= sendBefore) return { kind: 'failed', statusCode: null, error: 'claim too old to send safely; retried later' };
    const body = webhookBody({
      id: delivery.event_id,
      type: delivery.event_type,
      tenantId: delivery.tenant_id,
      aggregateId: delivery.aggregate_id,
      createdAt: delivery.created_at,
      payload: delivery.payload,
    });
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(config.timeoutMs), stopping.signal]),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'near-miss-subgraph-webhooks/1',
          'x-near-miss-event-id': delivery.event_id,
          'x-near-miss-event-type': delivery.event_type,
          'x-near-miss-delivery-id': delivery.id,
          'x-near-miss-delivery-attempt': String(delivery.attempts),
          [signatureHeader]: signBody(delivery.secret, body),
        },
        body,
      });
      await response.body?.cancel().catch(() => undefined);
      return response.status >= 200 && response.status < 300
        ? { kind: 'delivered', statusCode: response.status }
        : { kind: 'failed', statusCode: response.status, error: `HTTP ${response.status}` };
    } catch (error) {
      return { kind: 'failed', statusCode: null, error: describe(error) };
    }
  }

  async function record(delivery: ClaimedDelivery, token: string, outcome: Outcome): Promise<'delivered' | 'failed' | 'dead'> {
    let result: 'delivered' | 'failed' | 'dead';
    let updated: [unknown[], number];
    if (outcome.kind === 'delivered') {
      result = 'delivered';
      updated = await query(
        `UPDATE webhook_delivery SET status = 'DELIVERED', delivered_at = clock_timestamp(), locked_until = NULL, lease_token = NULL,
                last_status_code = $3, last_error = NULL
         WHERE id = $1 AND lease_token = $2`,
        [delivery.id, token, outcome.statusCode],
      );
    } else {
      const dead = outcome.kind === 'deactivated' || delivery.attempts >= config.maxAttempts;
      result = dead ? 'dead' : 'failed';
      const error = outcome.kind === 'deactivated' ? 'webhook deactivated' : outcome.error;
      const statusCode = outcome.kind === 'deactivated' ? null : outcome.statusCode;
      const delayMs = backoffDelay(delivery.attempts, { baseMs: config.backoffBaseMs, maxMs: config.backoffMaxMs }, random);
      updated = await query(
        `UPDATE webhook_delivery SET status = $3, next_attempt_at = clock_timestamp() + make_interval(secs => $4::double precision / 1000),
                locked_until = NULL, lease_token = NULL, last_status_code = $5, last_error = $6
         WHERE id = $1 AND lease_token = $2`,
        [delivery.id, token, dead ? 'DEAD' : 'PENDING', delayMs, statusCode, error.slice(0, 500)],
      );
      const fields = { deliveryId: delivery.id, eventId: delivery.event_id, tenantId: delivery.tenant_id, attempts: delivery.attempts, statusCode, error };
      if (dead) logger.error('webhook delivery is dead', fields);
      else logger.warn('webhook delivery failed; will retry', { ...fields, retryInMs: delayMs });
    }
    if (updated[1] === 0) logger.warn('webhook delivery lease was lost before its outcome was recorded', { deliveryId: delivery.id });
    return result;
  }

  async function dispatchOnce(): Promise<DispatchReport> {
    const claimedAt = Date.now();
    // A fresh token per claim: only this batch may record these outcomes.
    const token = randomUUID();
    const claimed = await claim(token);
    const report: DispatchReport = { claimed: claimed.length, delivered: 0, failed: 0, dead: 0 };
    await Promise.all(
      claimed.map(async (delivery) => {
        const outcome = await send(delivery, claimedAt + sendWindowMs);
        report[await record(delivery, token, outcome)] += 1;
      }),
    );
    return report;
  }

  async function loop(): Promise<void> {
    try {
      while (running && (await dispatchOnce()).claimed > 0);
    } catch (error) {
      logger.error('webhook dispatch failed', { error: describe(error) });
    } finally {
      if (running) schedule(config.dispatchIntervalMs);
    }
  }

  function schedule(delayMs: number) {
    timer = setTimeout(() => {
      current = loop();
    }, delayMs);
    timer.unref();
  }

  return {
    start() {
      if (running) return;
      running = true;
      stopping = new AbortController();
      schedule(0);
    },
    dispatchOnce,
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      stopping.abort();
      await current;
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.name}: ${error.message} (${cause.message})` : `${error.name}: ${error.message}`;
  }
  return String(error);
}

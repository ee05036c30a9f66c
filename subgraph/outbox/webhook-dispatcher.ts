import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { enterDispatcher } from '../database/session.repository';
import type { Transaction } from '../database/transaction';
import type { Logger } from '../common/logger';
import type { WebhookConfig } from '../config';
import { backoffDelay } from './webhook-backoff';
import {
  claimDueDeliveries,
  markAttemptFailed,
  markDelivered,
  type ClaimedDelivery,
} from './webhook-dispatch.repository';
import { openSigningSecret } from './webhook-secret-cipher';
import { signatureHeader, signBody } from './webhook-signature';
import { systemHostResolver, webhookHostProblem, webhookUrlProblem, type HostResolver } from './webhook-url';

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
 *
 * Before each request the signing secret is unsealed (a wrong key fails the
 * attempt, nothing is sent) and, unless insecure targets are allowed, the
 * receiver's host is resolved again and refused if any address is internal:
 * a name that pointed outside at registration may point inside now.
 */
export interface WebhookDispatcher {
  /** Polls on a timer until stop(): again at once after a non-empty batch, else after the interval. */
  start(): void;
  /** Claims, sends and records one batch of due deliveries. */
  dispatchOnce(): Promise<DispatchReport>;
  /** Stops polling and waits for the batch in hand, aborting its sends after `graceMs` (default at once). */
  stop(graceMs?: number): Promise<void>;
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
  /** Resolves receivers' hosts before each delivery (tests); the system resolver when unset. */
  resolveHost?: HostResolver;
  /** Told each attempt's outcome (metrics). */
  onOutcome?: (outcome: 'delivered' | 'failed' | 'dead') => void;
}

type Outcome =
  | { kind: 'delivered'; statusCode: number }
  | { kind: 'failed'; statusCode: number | null; error: string }
  | { kind: 'deactivated' };

const leaseMarginMs = 15_000;

/** The JSON body a receiver gets; the same bytes on every attempt. */
export function webhookBody(event: {
  id: string;
  type: string;
  tenantId: string;
  aggregateId: string;
  createdAt: Date;
  payload: unknown;
}): string {
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
  const resolveHost = options.resolveHost ?? systemHostResolver;
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
  // Every tenant's deliveries, as the dispatcher's role: the service's login
  // itself reads no tenant's rows.
  const asDispatcher = <T>(work: (tx: Transaction) => Promise<T>) =>
    dataSource.transaction(async (tx) => {
      await enterDispatcher(tx);
      return work(tx);
    });
  const claim = (token: string) =>
    asDispatcher((tx) => claimDueDeliveries(tx, { batchSize: config.batchSize, leaseMs, token }));

  async function send(delivery: ClaimedDelivery, sendBefore: number): Promise<Outcome> {
    // An erased secret belongs to an inactive webhook (the migration that sealed secrets erased plain ones).
    if (!delivery.active || delivery.sealedSecret === null) return { kind: 'deactivated' };
    let secret: string;
    try {
      secret = openSigningSecret(
        config.secretKey,
        { tenantId: delivery.tenantId, webhookId: delivery.subscriptionId },
        delivery.sealedSecret,
      );
    } catch (error) {
      return { kind: 'failed', statusCode: null, error: describe(error) };
    }
    if (!config.allowInsecureUrls) {
      const problem =
        webhookUrlProblem(delivery.url, false) ??
        (await webhookHostProblem(delivery.url, resolveHost, config.timeoutMs));
      if (problem) return { kind: 'failed', statusCode: null, error: `receiver refused, nothing sent: url ${problem}` };
    }
    // Checked last, after the lookup: the request must start within the window the lease allows for.
    if (Date.now() >= sendBefore)
      return { kind: 'failed', statusCode: null, error: 'claim too old to send safely; retried later' };
    const body = webhookBody({
      id: delivery.eventId,
      type: delivery.eventType,
      tenantId: delivery.tenantId,
      aggregateId: delivery.aggregateId,
      createdAt: delivery.createdAt,
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
          'x-near-miss-event-id': delivery.eventId,
          'x-near-miss-event-type': delivery.eventType,
          'x-near-miss-delivery-id': delivery.id,
          'x-near-miss-delivery-attempt': String(delivery.attempts),
          [signatureHeader]: signBody(secret, body),
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

  async function record(
    delivery: ClaimedDelivery,
    token: string,
    outcome: Outcome,
  ): Promise<'delivered' | 'failed' | 'dead'> {
    let result: 'delivered' | 'failed' | 'dead';
    let recorded: boolean;
    if (outcome.kind === 'delivered') {
      result = 'delivered';
      recorded = await asDispatcher((tx) => markDelivered(tx, delivery.id, token, outcome.statusCode));
    } else {
      const dead = outcome.kind === 'deactivated' || delivery.attempts >= config.maxAttempts;
      result = dead ? 'dead' : 'failed';
      const error = outcome.kind === 'deactivated' ? 'webhook deactivated' : outcome.error;
      const statusCode = outcome.kind === 'deactivated' ? null : outcome.statusCode;
      const delayMs = backoffDelay(
        delivery.attempts,
        { baseMs: config.backoffBaseMs, maxMs: config.backoffMaxMs },
        random,
      );
      recorded = await asDispatcher((tx) =>
        markAttemptFailed(tx, delivery.id, token, {
          status: dead ? 'DEAD' : 'PENDING',
          retryInMs: delayMs,
          statusCode,
          error: error.slice(0, 500),
        }),
      );
      const fields = {
        deliveryId: delivery.id,
        eventId: delivery.eventId,
        tenantId: delivery.tenantId,
        attempts: delivery.attempts,
        statusCode,
        error,
      };
      if (dead) logger.error('webhook delivery is dead', fields);
      else logger.warn('webhook delivery failed; will retry', { ...fields, retryInMs: delayMs });
    }
    if (!recorded)
      logger.warn('webhook delivery lease was lost before its outcome was recorded', { deliveryId: delivery.id });
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
        const result = await record(delivery, token, outcome);
        options.onOutcome?.(result);
        report[result] += 1;
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
    async stop(graceMs = 0) {
      running = false;
      if (timer) clearTimeout(timer);
      // The batch in hand finishes (its outcomes recorded) unless it outlasts the grace; then its sends are aborted.
      const abort = setTimeout(() => stopping.abort(), graceMs);
      await current;
      clearTimeout(abort);
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error
      ? `${error.name}: ${error.message} (${cause.message})`
      : `${error.name}: ${error.message}`;
  }
  return String(error);
}

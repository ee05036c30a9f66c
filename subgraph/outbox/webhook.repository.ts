import type { Transaction } from '../database/transaction';
import { hostReference, Staff } from '../host-entities/host-entity.types';
import { OutboxEventEntity } from './outbox-event.entity';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { WebhookSubscriptionEntity } from './webhook-subscription.entity';
import type { WebhookDelivery, WebhookDeliveryStatus, WebhookSubscription } from './webhook.type';

// Everything but the signing secret, which is shown once (on registration) and read only by the dispatcher.
const subscriptionColumns = {
  id: true,
  url: true,
  eventTypes: true,
  active: true,
  createdBy: true,
  createdAt: true,
  deactivatedAt: true,
} as const;

type SubscriptionRow = Pick<WebhookSubscriptionEntity, keyof typeof subscriptionColumns>;

const toSubscription = (row: SubscriptionRow): WebhookSubscription => ({
  id: row.id,
  url: row.url,
  eventTypes: row.eventTypes,
  active: row.active,
  createdAt: row.createdAt,
  createdBy: hostReference(Staff, row.createdBy)!,
  deactivatedAt: row.deactivatedAt ?? undefined,
});

export async function countActiveWebhooks(tx: Transaction, tenantId: string): Promise<number> {
  return tx.getRepository(WebhookSubscriptionEntity).countBy({ tenantId, active: true });
}

export interface NewWebhook {
  id: string;
  tenantId: string;
  url: string;
  /** Sealed with the tenant and this id (sealSigningSecret); never the secret itself. */
  sealedSecret: string;
  /** Null: every event type. */
  eventTypes: string[] | null;
  createdBy: string;
}

export async function insertWebhook(tx: Transaction, webhook: NewWebhook): Promise<WebhookSubscription> {
  const repository = tx.getRepository(WebhookSubscriptionEntity);
  return toSubscription(await repository.save(repository.create(webhook)));
}

/** The tenant's webhooks, oldest first. */
export async function loadWebhooks(tx: Transaction, tenantId: string): Promise<WebhookSubscription[]> {
  const rows = await tx
    .getRepository(WebhookSubscriptionEntity)
    .find({ select: subscriptionColumns, where: { tenantId }, order: { createdAt: 'ASC', id: 'ASC' } });
  return rows.map(toSubscription);
}

/** One webhook, locked until the transaction ends; undefined when the tenant has none by that id. */
export async function lockWebhook(
  tx: Transaction,
  tenantId: string,
  id: string,
): Promise<WebhookSubscription | undefined> {
  const row = await tx
    .getRepository(WebhookSubscriptionEntity)
    .findOne({ select: subscriptionColumns, where: { tenantId, id }, lock: { mode: 'pessimistic_write' } });
  return row ? toSubscription(row) : undefined;
}

/** Marks a webhook inactive as of the database clock; returns that time. */
export async function markWebhookDeactivated(tx: Transaction, tenantId: string, id: string): Promise<Date> {
  const result = await tx
    .createQueryBuilder()
    .update(WebhookSubscriptionEntity)
    .set({ active: false, deactivatedAt: () => 'clock_timestamp()' })
    .where({ tenantId, id })
    .returning(['deactivatedAt'])
    .execute();
  const [row] = result.raw as { deactivated_at: Date }[];
  return row.deactivated_at;
}

/** Gives up what was still pending for a webhook (DEAD); returns how many deliveries that was. */
export async function abandonPendingDeliveries(
  tx: Transaction,
  tenantId: string,
  subscriptionId: string,
  reason: string,
): Promise<number> {
  const result = await tx
    .getRepository(WebhookDeliveryEntity)
    .update(
      { tenantId, subscriptionId, status: 'PENDING' },
      { status: 'DEAD', lockedUntil: null, leaseToken: null, lastError: reason },
    );
  return result.affected ?? 0;
}

interface DeliveryRow {
  id: string;
  eventId: string;
  eventType: string;
  aggregateId: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
}

/** A webhook's most recent deliveries (of one status, if given), newest first, with their events' types. */
export async function loadDeliveries(
  tx: Transaction,
  tenantId: string,
  subscriptionId: string,
  status: WebhookDeliveryStatus | undefined,
  first: number,
): Promise<WebhookDelivery[]> {
  if (first === 0) return [];
  const query = tx
    .getRepository(WebhookDeliveryEntity)
    .createQueryBuilder('delivery')
    .innerJoin(OutboxEventEntity, 'event', 'event.id = delivery.eventId')
    .select('delivery.id', 'id')
    .addSelect('delivery.eventId', 'eventId')
    .addSelect('event.eventType', 'eventType')
    .addSelect('delivery.aggregateId', 'aggregateId')
    .addSelect('delivery.status', 'status')
    .addSelect('delivery.attempts', 'attempts')
    .addSelect('delivery.nextAttemptAt', 'nextAttemptAt')
    .addSelect('delivery.lastAttemptAt', 'lastAttemptAt')
    .addSelect('delivery.lastStatusCode', 'lastStatusCode')
    .addSelect('delivery.lastError', 'lastError')
    .addSelect('delivery.deliveredAt', 'deliveredAt')
    .where('delivery.tenantId = :tenantId AND delivery.subscriptionId = :subscriptionId', { tenantId, subscriptionId });
  if (status) query.andWhere('delivery.status = :status', { status });
  const rows = await query.orderBy('delivery.id', 'DESC').limit(first).getRawMany<DeliveryRow>();
  return rows.map((row) => ({
    id: row.id,
    eventId: row.eventId,
    eventType: row.eventType,
    aggregateId: row.aggregateId,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    lastAttemptAt: row.lastAttemptAt ?? undefined,
    lastStatusCode: row.lastStatusCode ?? undefined,
    lastError: row.lastError ?? undefined,
    deliveredAt: row.deliveredAt ?? undefined,
  }));
}

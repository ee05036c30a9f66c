import type { Transaction } from '../database/transaction';

/** An event as it is written: its payload already checked to hold no free text. */
export interface NewOutboxEvent {
  tenantId: string;
  type: string;
  aggregateId: string;
  payload: Record<string, unknown>;
}

/**
 * Writes events in order, each with one pending delivery per active webhook
 * of its tenant that wants its type.
 */
export async function insertEventsWithDeliveries(tx: Transaction, events: readonly NewOutboxEvent[]): Promise<void> {
  // Hand-written: one statement writes the events and fans them out to deliveries, so both commit (or not) together.
  await tx.query(
    `WITH event AS (
       INSERT INTO outbox_event (tenant_id, event_type, aggregate_id, payload)
       SELECT tenant_id, event_type, aggregate_id, payload
         FROM unnest($1::text[], $2::text[], $3::uuid[], $4::jsonb[]) WITH ORDINALITY AS given (tenant_id, event_type, aggregate_id, payload, position)
        ORDER BY position
       RETURNING id, tenant_id, event_type, aggregate_id, transaction_id
     )
     INSERT INTO webhook_delivery (tenant_id, subscription_id, event_id, event_transaction_id, aggregate_id)
     SELECT event.tenant_id, subscription.id, event.id, event.transaction_id, event.aggregate_id
     FROM event JOIN webhook_subscription subscription
       ON subscription.tenant_id = event.tenant_id AND subscription.active
      AND (subscription.event_types IS NULL OR event.event_type = ANY (subscription.event_types))`,
    [
      events.map((event) => event.tenantId),
      events.map((event) => event.type),
      events.map((event) => event.aggregateId),
      events.map((event) => JSON.stringify(event.payload)),
    ],
  );
}

import type { EntityManager } from 'typeorm';

export interface OutboxEvent {
  tenantId: string;
  /** e.g. `near_miss.reported` */
  type: string;
  aggregateId: string;
  payload: Record<string, unknown>;
}

/** Writes an event in the same transaction as the change it announces. */
export async function enqueueEvent(manager: EntityManager, event: OutboxEvent): Promise<void> {
  await manager.query(`INSERT INTO outbox_event (tenant_id, event_type, aggregate_id, payload) VALUES ($1, $2, $3, $4)`, [
    event.tenantId,
    event.type,
    event.aggregateId,
    JSON.stringify(event.payload),
  ]);
}

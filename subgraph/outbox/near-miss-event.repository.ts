import type { Transaction } from '../database/transaction';
import type { RestrictedCategories } from '../near-misses/read-scope';
import type { FeedPosition } from './near-miss-event-cursor';
import type { NearMissEvent } from './near-miss-event.type';

/** Whose events a reader sees: a tenant, and for callers limited to some services, those services' near misses. */
export interface EventScope {
  tenantId: string;
  serviceIds: string[] | '*';
  /** Restricted categories whose reports' events the reader does not see (except for their own reports). */
  restricted?: RestrictedCategories;
}

export interface EventPage {
  events: NearMissEvent[];
  hasNextPage: boolean;
}

interface EventRow {
  id: string;
  transaction_id: string;
  event_type: string;
  aggregate_id: string;
  payload: Record<string, unknown>;
  created_at: Date;
}

/**
 * One page of a tenant's events after `after`, in feed order.
 *
 * Ids come from a sequence when a row is inserted, not when it commits, so a
 * reader paging by id alone could pass an id whose transaction commits later
 * and never see it. The feed therefore orders by (writing transaction, id)
 * and shows only events whose transaction is older than every transaction
 * still running: nothing can later appear before a cursor already handed out.
 * An event shows up once the transactions that started before it have ended.
 */
export async function loadEventPage(
  tx: Transaction,
  scope: EventScope,
  after: FeedPosition,
  first: number,
): Promise<EventPage> {
  const parameters: unknown[] = [scope.tenantId, after.transactionId, after.id, first + 1];
  // Callers limited to some services see the events of those services' near misses
  // (not those of corrective actions and risk reviews, which may span services).
  const serviceCondition =
    scope.serviceIds === '*'
      ? ''
      : `AND EXISTS (SELECT 1 FROM near_miss n WHERE n.id = e.aggregate_id AND n.tenant_id = e.tenant_id AND n.service_id = ANY($${parameters.push(scope.serviceIds)}::text[]))`;
  // Events of a restricted report the reader cannot read are left out, ids and codes included.
  const restrictedCondition = scope.restricted?.categories.length
    ? `AND NOT EXISTS (SELECT 1 FROM near_miss n WHERE n.id = e.aggregate_id AND n.tenant_id = e.tenant_id
         AND n.category = ANY($${parameters.push(scope.restricted.categories)}::text[])
         AND n.reported_by <> $${parameters.push(scope.restricted.exceptReportedBy)})`
    : '';
  // Hand-written: a keyset page on (xid8, id) behind the oldest running transaction.
  const rows: EventRow[] = await tx.query(
    `SELECT e.id, e.transaction_id::text AS transaction_id, e.event_type, e.aggregate_id, e.payload, e.created_at
     FROM outbox_event e
     WHERE e.tenant_id = $1
       AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
       AND (e.transaction_id, e.id) > ($2::xid8, $3::bigint)
       ${serviceCondition}
       ${restrictedCondition}
     ORDER BY e.transaction_id, e.id
     LIMIT $4`,
    parameters,
  );
  return {
    events: rows.slice(0, first).map((row) => ({
      id: row.id,
      transactionId: row.transaction_id,
      type: row.event_type,
      aggregateId: row.aggregate_id,
      payload: row.payload,
      createdAt: row.created_at,
    })),
    hasNextPage: rows.length > first,
  };
}

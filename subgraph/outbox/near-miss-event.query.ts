import type { EntityManager } from 'typeorm';
import type { Principal } from '../auth/principal';
import { badUserInput } from '../common/errors';
import type { NearMissEvent } from './near-miss-event.type';

export const maxEventPageSize = 200;

/** Where a reader is in the feed: after the event (transactionId, id). */
interface FeedPosition {
  transactionId: string;
  id: string;
}

export const encodeEventCursor = (event: FeedPosition) => Buffer.from(JSON.stringify([event.transactionId, event.id])).toString('base64url');

export function decodeEventCursor(cursor: string): FeedPosition {
  try {
    const [transactionId, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (
      typeof transactionId === 'string' && /^\d{1,20}$/.test(transactionId) && BigInt(transactionId) < 2n ** 64n &&
      typeof id === 'string' && /^\d{1,19}$/.test(id) && BigInt(id) < 2n ** 63n
    ) {
      return { transactionId, id };
    }
  } catch {
    // fall through to the coded error
  }
  throw badUserInput([{ path: 'after', message: 'is not a cursor returned by nearMissEvents' }]);
}

export interface EventPage {
  events: NearMissEvent[];
  hasNextPage: boolean;
}

/**
 * One page of the caller's tenant's events, in feed order.
 *
 * Ids come from a sequence when a row is inserted, not when it commits, so a
 * reader paging by id alone could pass an id whose transaction commits later
 * and never see it. The feed therefore orders by (writing transaction, id)
 * and shows only events whose transaction is older than every transaction
 * still running: nothing can later appear before a cursor already handed out.
 * An event shows up once the transactions that started before it have ended.
 */
export async function loadEventPage(manager: EntityManager, principal: Principal, first: number, after?: string): Promise<EventPage> {
  if (!Number.isInteger(first) || first < 0 || first > maxEventPageSize) {
    throw badUserInput([{ path: 'first', message: `must be between 0 and ${maxEventPageSize}` }]);
  }
  const position = after ? decodeEventCursor(after) : { transactionId: '0', id: '0' };
  const parameters: unknown[] = [principal.tenantId, position.transactionId, position.id, first + 1];
  // Callers limited to some services see the events of those services' near misses
  // (not those of corrective actions and risk reviews, which may span services).
  const serviceCondition =
    principal.services === '*'
      ? ''
      : `AND EXISTS (SELECT 1 FROM near_miss n WHERE n.id = e.aggregate_id AND n.tenant_id = e.tenant_id AND n.service_id = ANY($${parameters.push(principal.services)}::text[]))`;
  const rows: { id: string; transaction_id: string; event_type: string; aggregate_id: string; payload: Record<string, unknown>; created_at: Date }[] =
    await manager.query(
      `SELECT e.id, e.transaction_id::text AS transaction_id, e.event_type, e.aggregate_id, e.payload, e.created_at
       FROM outbox_event e
       WHERE e.tenant_id = $1
         AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
         AND (e.transaction_id, e.id) > ($2::xid8, $3::bigint)
         ${serviceCondition}
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

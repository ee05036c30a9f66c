import type { Transaction } from '../database/transaction';
import { insertEventsWithDeliveries } from './outbox.repository';

export interface OutboxEvent {
  tenantId: string;
  /** e.g. `near_miss.reported` */
  type: string;
  aggregateId: string;
  /**
   * Ids, codes and references only: events leave the subgraph (webhooks, the
   * `nearMissEvents` feed), so free text from reports never goes in here.
   */
  payload: Record<string, unknown>;
}

// Fields that carry free text somewhere in this product; refused at the one
// place every event passes, so a slip fails in tests instead of leaking.
const freeTextKeys = new Set([
  'whatHappened',
  'howDetected',
  'whatPreventedHarm',
  'whatMadeThisPossible',
  'immediateActions',
  'details',
  'message',
  'outcome',
  'rationale',
  'overrideReason',
  'note',
  'notes',
  'conclusion',
  'title',
  'target',
]);

function freeTextPaths(value: unknown, path: string): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => freeTextPaths(item, `${path}[${index}]`));
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => [
    ...(freeTextKeys.has(key) ? [`${path}.${key}`] : []),
    ...freeTextPaths(item, `${path}.${key}`),
  ]);
}

/**
 * Writes events (one, or several in order) in the same transaction as the
 * change they announce, each with one pending delivery per active webhook of
 * the tenant that wants its type: one statement, so the events and their
 * deliveries commit (or not) together.
 */
export async function enqueueEvent(tx: Transaction, events: OutboxEvent | readonly OutboxEvent[]): Promise<void> {
  const list: readonly OutboxEvent[] = Array.isArray(events) ? events : [events as OutboxEvent];
  if (!list.length) return;
  for (const event of list) {
    const leaks = freeTextPaths(event.payload, 'payload');
    if (leaks.length) {
      throw new Error(
        `outbox event ${event.type} carries free-text fields (${leaks.join(', ')}); events carry ids, codes and references only`,
      );
    }
  }
  await insertEventsWithDeliveries(tx, list);
}

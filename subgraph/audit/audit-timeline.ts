import type { Transaction } from '../database/transaction';
import { hostReference, Staff } from '../host-entities/host-entity.types';
import type { AuditEvent } from '../near-misses/near-miss.type';
import { loadAuditRecords } from './audit.repository';

/** The most events `NearMiss.timeline` lists: the first ones written. */
export const maxTimelineEvents = 100;

/** Audit events of several near misses, oldest first: one statement. */
export async function loadTimelines(
  tx: Transaction,
  tenantId: string,
  nearMissIds: readonly string[],
): Promise<AuditEvent[][]> {
  const records = await loadAuditRecords(tx, tenantId, nearMissIds, maxTimelineEvents);
  return nearMissIds.map((id) =>
    records
      .filter((record) => record.nearMissId === id)
      .map((record) => ({
        at: record.at,
        actor: hostReference(Staff, record.actor) ?? undefined,
        action: record.action,
        detail: record.detail ?? undefined,
      })),
  );
}

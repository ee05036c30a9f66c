import type { EntityManager } from 'typeorm';
import { hostReference, Staff } from '../host-entities/host-entity.types';
import type { AuditEvent } from '../near-misses/near-miss.type';

/** Audit events of several near misses, oldest first: one statement. */
export async function loadTimelines(manager: EntityManager, tenantId: string, nearMissIds: readonly string[]): Promise<AuditEvent[][]> {
  const rows: { near_miss_id: string; at: Date; actor: string | null; action: string; detail: unknown }[] = await manager.query(
    `SELECT near_miss_id, at, actor, action, detail FROM audit_event
     WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[]) ORDER BY id`,
    [tenantId, nearMissIds],
  );
  return nearMissIds.map((id) =>
    rows
      .filter((row) => row.near_miss_id === id)
      .map((row) => ({ at: row.at, actor: hostReference(Staff, row.actor) ?? undefined, action: row.action, detail: row.detail ?? undefined })),
  );
}

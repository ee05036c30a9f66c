import type { EntityManager } from 'typeorm';

export interface AuditEntry {
  tenantId: string;
  nearMissId?: string;
  /** Staff id of who did it; undefined for the system (rules, schedulers). */
  actor?: string;
  /** What happened, e.g. `near_miss.reported`. */
  action: string;
  /** Before/after values and reasons. Never log free text elsewhere. */
  detail?: Record<string, unknown>;
}

/** Appends to the audit trail inside the caller's transaction. */
export async function recordAudit(manager: EntityManager, entry: AuditEntry): Promise<void> {
  await manager.query(
    `INSERT INTO audit_event (tenant_id, near_miss_id, actor, action, detail) VALUES ($1, $2, $3, $4, $5)`,
    [entry.tenantId, entry.nearMissId ?? null, entry.actor ?? null, entry.action, entry.detail ? JSON.stringify(entry.detail) : null],
  );
}

import type { EntityManager } from 'typeorm';
import { auditRowHash, genesisHash } from './audit-hash';

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

/**
 * Appends to the tenant's hash-chained audit trail inside the caller's
 * transaction. The tenant's chain head stays locked until that transaction
 * ends, so concurrent writers (on any replica) chain one after the other:
 * call this after the change's other writes, to hold the lock briefly and
 * never wait on another lock while holding it.
 */
export async function recordAudit(manager: EntityManager, entry: AuditEntry): Promise<void> {
  // Locks (or creates) the head; `at` is read from the database clock after the
  // lock, in whole milliseconds, so times follow the chain order and hash exactly.
  const [head]: { last_seq: string; last_hash: string; now: Date }[] = await manager.query(
    `INSERT INTO audit_chain_head AS head (tenant_id, last_seq, last_hash) VALUES ($1, 0, $2)
     ON CONFLICT (tenant_id) DO UPDATE SET last_seq = head.last_seq
     RETURNING last_seq, last_hash, date_trunc('milliseconds', clock_timestamp()) AS now`,
    [entry.tenantId, genesisHash],
  );
  // What jsonb gives back: undefined values dropped, dates as strings.
  const detail = entry.detail === undefined ? null : (JSON.parse(JSON.stringify(entry.detail)) as unknown);
  const row = {
    tenantId: entry.tenantId,
    seq: Number(head.last_seq) + 1,
    nearMissId: entry.nearMissId?.toLowerCase() ?? null,
    at: head.now,
    actor: entry.actor ?? null,
    action: entry.action,
    detail,
    prevHash: head.last_hash,
  };
  // A trigger advances the head and refuses a row that does not continue it.
  await manager.query(
    `INSERT INTO audit_event (tenant_id, seq, near_miss_id, at, actor, action, detail, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [row.tenantId, row.seq, row.nearMissId, row.at, row.actor, row.action, detail === null ? null : JSON.stringify(detail), row.prevHash, auditRowHash(row)],
  );
}

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
 * transaction: one entry, or several in order (two statements either way).
 * The tenant's chain head stays locked until that transaction ends, so
 * concurrent writers (on any replica) chain one after the other: call this
 * after the change's other writes, to hold the lock briefly and never wait on
 * another lock while holding it. Entries of one call share the tenant.
 */
export async function recordAudit(manager: EntityManager, entries: AuditEntry | readonly AuditEntry[]): Promise<void> {
  const list: readonly AuditEntry[] = Array.isArray(entries) ? entries : [entries as AuditEntry];
  if (!list.length) return;
  const tenantId = list[0].tenantId;
  if (list.some((entry) => entry.tenantId !== tenantId)) throw new Error('recordAudit: one call writes one tenant\'s chain');
  // Locks (or creates) the head; `at` is read from the database clock after the
  // lock, in whole milliseconds, so times follow the chain order and hash exactly.
  const [head]: { last_seq: string; last_hash: string; now: Date }[] = await manager.query(
    `INSERT INTO audit_chain_head AS head (tenant_id, last_seq, last_hash) VALUES ($1, 0, $2)
     ON CONFLICT (tenant_id) DO UPDATE SET last_seq = head.last_seq
     RETURNING last_seq, last_hash, date_trunc('milliseconds', clock_timestamp()) AS now`,
    [tenantId, genesisHash],
  );
  let prevHash = head.last_hash;
  const rows = list.map((entry, index) => {
    // What jsonb gives back: undefined values dropped, dates as strings.
    const detail = entry.detail === undefined ? null : (JSON.parse(JSON.stringify(entry.detail)) as unknown);
    const row = {
      tenantId,
      seq: Number(head.last_seq) + 1 + index,
      nearMissId: entry.nearMissId?.toLowerCase() ?? null,
      at: head.now,
      actor: entry.actor ?? null,
      action: entry.action,
      detail,
      prevHash,
    };
    const hash = auditRowHash(row);
    prevHash = hash;
    return { ...row, hash };
  });
  // A trigger advances the head row by row (in insertion order) and refuses a row that does not continue it.
  await manager.query(
    `INSERT INTO audit_event (tenant_id, seq, near_miss_id, at, actor, action, detail, prev_hash, hash)
     SELECT $1, seq, near_miss_id, $2, actor, action, detail, prev_hash, hash
       FROM unnest($3::bigint[], $4::uuid[], $5::text[], $6::text[], $7::jsonb[], $8::text[], $9::text[])
            WITH ORDINALITY AS row (seq, near_miss_id, actor, action, detail, prev_hash, hash, position)
      ORDER BY position`,
    [
      tenantId, head.now, rows.map((row) => row.seq), rows.map((row) => row.nearMissId), rows.map((row) => row.actor), rows.map((row) => row.action),
      rows.map((row) => (row.detail === null ? null : JSON.stringify(row.detail))), rows.map((row) => row.prevHash), rows.map((row) => row.hash),
    ],
  );
}

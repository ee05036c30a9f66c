import type { Transaction } from '../database/transaction';
import { auditRowHash, genesisHash } from './audit-hash';
import { appendAuditRows, lockChainHead, type HashedAuditRow } from './audit.repository';

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
export async function recordAudit(tx: Transaction, entries: AuditEntry | readonly AuditEntry[]): Promise<void> {
  const list: readonly AuditEntry[] = Array.isArray(entries) ? entries : [entries as AuditEntry];
  if (!list.length) return;
  const tenantId = list[0].tenantId;
  if (list.some((entry) => entry.tenantId !== tenantId))
    throw new Error("recordAudit: one call writes one tenant's chain");
  // Locks (or creates) the head; `at` is read from the database clock after the
  // lock, in whole milliseconds, so times follow the chain order and hash exactly.
  const head = await lockChainHead(tx, tenantId, genesisHash);
  let prevHash = head.lastHash;
  const rows = list.map((entry, index): HashedAuditRow => {
    // What jsonb gives back: undefined values dropped, dates as strings.
    const detail = entry.detail === undefined ? null : (JSON.parse(JSON.stringify(entry.detail)) as unknown);
    const row = {
      tenantId,
      seq: head.lastSeq + 1 + index,
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
  await appendAuditRows(tx, tenantId, head.now, rows);
}

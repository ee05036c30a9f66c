import { canonicalJson, sha256 } from '../common/canonical-json';

/** The previous hash of a tenant's first audit row. */
export const genesisHash = '0'.repeat(64);

/** One audit row as it is hashed: exactly what the database stores and returns. */
export interface ChainedAuditRow {
  tenantId: string;
  /** 1, 2, 3... per tenant, without gaps. */
  seq: number;
  nearMissId: string | null;
  /** Whole milliseconds, so that it round-trips exactly through timestamptz and a JS Date. */
  at: Date;
  actor: string | null;
  action: string;
  detail: unknown;
  prevHash: string;
}

/**
 * The hash of an audit row, chained to the previous row of its tenant. This
 * format is persisted evidence: never change it (a new format would need a
 * version column and a migration that leaves old rows verifiable).
 */
export function auditRowHash(row: ChainedAuditRow): string {
  return sha256(
    canonicalJson({
      prevHash: row.prevHash,
      tenantId: row.tenantId,
      seq: row.seq,
      nearMissId: row.nearMissId,
      at: row.at.toISOString(),
      actor: row.actor,
      action: row.action,
      detail: row.detail ?? null,
    }),
  );
}

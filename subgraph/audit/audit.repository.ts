import type { Transaction } from '../database/transaction';
import type { ChainedAuditRow } from './audit-hash';

/** The tenant's chain head, locked until the transaction ends, and the database's time after taking it. */
export interface LockedChainHead {
  lastSeq: number;
  lastHash: string;
  /** The database clock after the lock, in whole milliseconds. */
  now: Date;
}

interface ChainHeadRow {
  last_seq: string;
  last_hash: string;
  now: Date;
}

/** Locks the tenant's chain head, creating it (at the genesis hash) for a tenant's first entry. */
export async function lockChainHead(tx: Transaction, tenantId: string, genesisHash: string): Promise<LockedChainHead> {
  // Hand-written: the audit chain; an upsert that locks the head row and reads the clock after the lock.
  const [head]: ChainHeadRow[] = await tx.query(
    `INSERT INTO audit_chain_head AS head (tenant_id, last_seq, last_hash) VALUES ($1, 0, $2)
     ON CONFLICT (tenant_id) DO UPDATE SET last_seq = head.last_seq
     RETURNING last_seq, last_hash, date_trunc('milliseconds', clock_timestamp()) AS now`,
    [tenantId, genesisHash],
  );
  return { lastSeq: Number(head.last_seq), lastHash: head.last_hash, now: head.now };
}

/** A chained row with its hash, as it is written and read back. */
export interface HashedAuditRow extends ChainedAuditRow {
  hash: string;
}

/** Appends rows of one tenant at one time, in the order given. */
export async function appendAuditRows(
  tx: Transaction,
  tenantId: string,
  at: Date,
  rows: readonly HashedAuditRow[],
): Promise<void> {
  // Hand-written: the audit chain; one statement for the whole batch, inserted in its order
  // (a trigger advances the head row by row and refuses a row that does not continue it).
  await tx.query(
    `INSERT INTO audit_event (tenant_id, seq, near_miss_id, at, actor, action, detail, prev_hash, hash)
     SELECT $1, seq, near_miss_id, $2, actor, action, detail, prev_hash, hash
       FROM unnest($3::bigint[], $4::uuid[], $5::text[], $6::text[], $7::jsonb[], $8::text[], $9::text[])
            WITH ORDINALITY AS row (seq, near_miss_id, actor, action, detail, prev_hash, hash, position)
      ORDER BY position`,
    [
      tenantId,
      at,
      rows.map((row) => row.seq),
      rows.map((row) => row.nearMissId),
      rows.map((row) => row.actor),
      rows.map((row) => row.action),
      rows.map((row) => (row.detail === null ? null : JSON.stringify(row.detail))),
      rows.map((row) => row.prevHash),
      rows.map((row) => row.hash),
    ],
  );
}

/** What the audit trail holds about a near miss, as stored. */
export interface AuditRecord {
  nearMissId: string;
  at: Date;
  /** Staff id; null for the system. */
  actor: string | null;
  action: string;
  detail: unknown;
}

interface AuditRecordRow {
  near_miss_id: string;
  at: Date;
  actor: string | null;
  action: string;
  detail: unknown;
}

/** The audit entries of several near misses, in the order they were written (the first `perNearMiss` of each). */
export async function loadAuditRecords(
  tx: Transaction,
  tenantId: string,
  nearMissIds: readonly string[],
  perNearMiss?: number,
): Promise<AuditRecord[]> {
  // Hand-written: the audit chain is read in write order (id), which no entity relation gives.
  const rows: AuditRecordRow[] = await tx.query(
    `SELECT near_miss_id, at, actor, action, detail FROM (
       SELECT near_miss_id, at, actor, action, detail, id,
              row_number() OVER (PARTITION BY near_miss_id ORDER BY id) AS position
         FROM audit_event WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[])
     ) AS entry WHERE $3::integer IS NULL OR position <= $3 ORDER BY id`,
    [tenantId, nearMissIds, perNearMiss ?? null],
  );
  return rows.map((row) => ({
    nearMissId: row.near_miss_id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    detail: row.detail,
  }));
}

/** A tenant with audit rows or a chain head, and where its head says the chain ends (null: no head). */
export interface ChainHeadState {
  tenantId: string;
  lastSeq: number | null;
  lastHash: string | null;
}

interface ChainHeadStateRow {
  tenant_id: string;
  last_seq: string | null;
  last_hash: string | null;
}

/** Every tenant's chain head (or those of `tenantIds`), also for tenants with rows but no head. Reads across tenants. */
export async function loadChainHeads(tx: Transaction, tenantIds: string[] | undefined): Promise<ChainHeadState[]> {
  // Hand-written: the audit chain; a union of heads and tenants with rows, so a removed head still shows.
  const rows: ChainHeadStateRow[] = await tx.query(
    `SELECT tenant_id, last_seq, last_hash FROM (
       SELECT tenant_id FROM audit_chain_head UNION SELECT DISTINCT tenant_id FROM audit_event
     ) AS tenant LEFT JOIN audit_chain_head USING (tenant_id)
     WHERE $1::text[] IS NULL OR tenant_id = ANY($1::text[])
     ORDER BY tenant_id`,
    [tenantIds ?? null],
  );
  return rows.map((row) => ({
    tenantId: row.tenant_id,
    lastSeq: row.last_seq === null ? null : Number(row.last_seq),
    lastHash: row.last_hash,
  }));
}

/** An audit row as stored, with its id. */
export interface StoredAuditRow extends HashedAuditRow {
  id: string;
}

interface StoredAuditRowRow {
  id: string;
  tenant_id: string;
  seq: string;
  near_miss_id: string | null;
  at: Date;
  actor: string | null;
  action: string;
  detail: unknown;
  prev_hash: string;
  hash: string;
}

/** Up to `limit` rows of a tenant's chain after sequence number `afterSeq`, in chain order. */
export async function loadChainRows(
  tx: Transaction,
  tenantId: string,
  afterSeq: number,
  limit: number,
): Promise<StoredAuditRow[]> {
  // Hand-written: the audit chain, walked as keyset pages by sequence number.
  const rows: StoredAuditRowRow[] = await tx.query(
    `SELECT id, tenant_id, seq, near_miss_id, at, actor, action, detail, prev_hash, hash FROM audit_event
     WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [tenantId, afterSeq, limit],
  );
  return rows.map((row) => ({
    id: row.id,
    tenantId: row.tenant_id,
    seq: Number(row.seq),
    nearMissId: row.near_miss_id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    detail: row.detail,
    prevHash: row.prev_hash,
    hash: row.hash,
  }));
}

/** The planner's estimate of the audit table's rows, which row-level security does not hide. */
export async function estimatedAuditRows(tx: Transaction): Promise<number> {
  // Hand-written: a catalogue read (pg_class), to tell an empty trail from one this login cannot see.
  const rows: { estimate: string | null }[] = await tx.query(
    `SELECT reltuples::bigint::text AS estimate FROM pg_class WHERE oid = 'audit_event'::regclass`,
  );
  return Math.max(0, Number(rows[0]?.estimate ?? 0));
}

import type { DataSource } from 'typeorm';
import type { Transaction } from '../database/transaction';
import { auditRowHash, genesisHash } from './audit-hash';
import { enterAuditor } from '../database/session.repository';
import { estimatedAuditRows, loadChainHeads, loadChainRows } from './audit.repository';

export type ChainProblemKind =
  /** A row's content no longer matches its hash: it was altered. */
  | 'ALTERED_ROW'
  /** A row does not point at the hash of the row before it: a row before it was altered, removed or inserted. */
  | 'BROKEN_LINK'
  /** Sequence numbers skip: rows were removed. */
  | 'MISSING_ROWS'
  /** The chain ends before (or after) where its head says: the last rows were removed or the head was changed. */
  | 'HEAD_MISMATCH';

export interface ChainProblem {
  tenantId: string;
  /** The row (or, for HEAD_MISMATCH, the head's sequence number) where it shows. */
  seq: number;
  kind: ChainProblemKind;
  message: string;
}

export interface ChainReport {
  ok: boolean;
  tenants: number;
  rows: number;
  problems: ChainProblem[];
}

const batchSize = 1000;

/**
 * Walks every tenant's audit chain (or the given tenants'): recomputes each
 * row's hash, checks it links to the row before it, that sequence numbers do
 * not skip, and that the chain ends where its head says. Reads across
 * tenants as the auditor's role, never inside a request; refuses to report
 * an empty trail when the table has rows it could not read.
 */
export async function verifyAuditChains(
  dataSource: DataSource,
  options: { tenantIds?: string[] } = {},
): Promise<ChainReport> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    // One snapshot for the whole walk, so rows appended meanwhile do not look like a head mismatch.
    await runner.startTransaction('REPEATABLE READ');
    try {
      // As the auditor's role, which reads every tenant's chain and nothing else.
      await enterAuditor(runner.manager);
      const report = await verifyWith(runner.manager, options.tenantIds);
      if (report.rows === 0 && !options.tenantIds && (await estimatedAuditRows(runner.manager)) > 0) {
        throw new Error('The audit table has rows this login cannot read: nothing was verified');
      }
      await runner.commitTransaction();
      return report;
    } catch (error) {
      await runner.rollbackTransaction();
      throw error;
    }
  } finally {
    await runner.release();
  }
}

async function verifyWith(tx: Transaction, tenantFilter: string[] | undefined): Promise<ChainReport> {
  const heads = await loadChainHeads(tx, tenantFilter);
  const problems: ChainProblem[] = [];
  let rows = 0;
  for (const head of heads) {
    const tenantId = head.tenantId;
    let expectedSeq = 1;
    let previousHash = genesisHash;
    let afterSeq = 0;
    for (;;) {
      const batch = await loadChainRows(tx, tenantId, afterSeq, batchSize);
      for (const row of batch) {
        const seq = row.seq;
        if (seq !== expectedSeq) {
          problems.push({
            tenantId,
            seq,
            kind: 'MISSING_ROWS',
            message: `rows ${expectedSeq}..${seq - 1} are missing before row ${seq}`,
          });
        }
        if (row.prevHash !== previousHash) {
          problems.push({
            tenantId,
            seq,
            kind: 'BROKEN_LINK',
            message: `row ${seq} does not follow the row before it`,
          });
        }
        if (auditRowHash(row) !== row.hash) {
          problems.push({
            tenantId,
            seq,
            kind: 'ALTERED_ROW',
            message: `row ${seq} (id ${row.id}) does not match its hash`,
          });
        }
        expectedSeq = seq + 1;
        previousHash = row.hash;
      }
      rows += batch.length;
      if (batch.length < batchSize) break;
      afterSeq = batch[batch.length - 1].seq;
    }
    const lastSeq = expectedSeq - 1;
    const headSeq = head.lastSeq;
    if (headSeq === null) {
      problems.push({
        tenantId,
        seq: lastSeq,
        kind: 'HEAD_MISMATCH',
        message: 'the tenant has audit rows but no chain head',
      });
    } else if (headSeq !== lastSeq || head.lastHash !== previousHash) {
      problems.push({
        tenantId,
        seq: headSeq,
        kind: 'HEAD_MISMATCH',
        message:
          headSeq > lastSeq
            ? `the chain ends at row ${lastSeq} but its head is at row ${headSeq}: rows were removed`
            : `the chain ends at row ${lastSeq}, not where its head says (row ${headSeq})`,
      });
    }
  }
  return { ok: problems.length === 0, tenants: heads.length, rows, problems };
}

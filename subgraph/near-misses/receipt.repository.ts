import type { Transaction } from '../database/transaction';
import type { NearMissStatusValue } from '../domain/vocabulary';
import { NearMissEntity } from './near-miss.entity';

/** What a receipt opens: the anonymous report's reference and status, and its id to read the feedback by. */
export interface ReceiptRecord {
  nearMissId: string;
  reference: string;
  status: NearMissStatusValue;
}

/** The anonymous report of the tenant whose receipt hashes to this (reporter-identity.ts receiptHashOf). */
export async function findByReceiptHash(
  tx: Transaction,
  tenantId: string,
  receiptHash: string,
): Promise<ReceiptRecord | undefined> {
  const row = await tx.getRepository(NearMissEntity).findOne({
    select: { id: true, reference: true, status: true },
    where: { tenantId, receiptHash, reporterIdentity: 'ANONYMOUS' },
  });
  return row ? { nearMissId: row.id, reference: row.reference, status: row.status as NearMissStatusValue } : undefined;
}

import type { RequestContext } from '../server/context';
import type { ReceiptView } from './near-miss.type';
import { findByReceiptHash } from './receipt.repository';
import { receiptHashOf } from './reporter-identity';

/**
 * What the holder of an anonymous report's receipt reads: its reference,
 * status and the feedback to its reporter. Any authenticated caller of the
 * tenant may ask; the receipt is the credential. Nothing is logged or audited
 * here, and every code that opens nothing (unknown, malformed, another
 * tenant's) gives the same null, so a lookup names no one and tells nothing.
 */
export async function readReceipt(context: RequestContext, receipt: string): Promise<ReceiptView | null> {
  const { tenantId } = context.principal;
  const receiptHash =
    receipt.length <= 64 ? receiptHashOf(context.services.config.pseudonymisationSecret, tenantId, receipt) : undefined;
  if (!receiptHash) return null;
  const found = await context.db.read((tx) => findByReceiptHash(tx, tenantId, receiptHash));
  if (!found) return null;
  const feedback = await context.lifecycle.feedback.load(found.nearMissId);
  return {
    reference: found.reference,
    status: found.status,
    feedback: feedback.map(({ at, message }) => ({ at, message })),
  };
}

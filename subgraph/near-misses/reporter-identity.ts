import { createHmac } from 'node:crypto';
import { hasAnyRole, type Principal } from '../auth/principal';
import { Role } from '../auth/role';
import type { CategoryRegistry } from '../categories/category-registry';
import type { ReporterIdentityValue } from '../domain/vocabulary';

/*
 * How a reporter is known, and what each kind of caller learns of it.
 *
 * NAMED: the reporter's staff id, as for every other field (pseudonymised for ANALYST).
 * CONFIDENTIAL: stored, shown only to the reporter, triage leads, managers and
 *   the roles the category restricts itself to; everyone else sees the
 *   placeholder `confidential` and cannot find the report through the reporter.
 * ANONYMOUS: nothing that names the reporter is stored. The row has no
 *   reporter, the audit event no actor, the outbox event no reporter, the
 *   idempotency record a keyed digest of (reporter, key) in place of both, and
 *   the reporter follows the report with a receipt code of which only a keyed
 *   hash is kept. Everyone sees the placeholder `anonymous`.
 */

/** The Staff id shown in place of a reporter the caller may not see. */
export const anonymousReporter = 'anonymous';
export const confidentialReporter = 'confidential';

/** Roles that see a confidential reporter in every category. */
export const seesConfidentialReporters: readonly Role[] = [Role.TRIAGE_LEAD, Role.MANAGER];

/** Which confidential reporters a caller may see. */
export interface ReporterVisibility {
  /** The caller's staff id: their own reports always show them. */
  self: string;
  /** Every category's confidential reporters. */
  everyCategory: boolean;
  /** Categories whose restricted-access roles the caller holds. */
  categories: readonly string[];
}

export function reporterVisibilityOf(principal: Principal, registry: CategoryRegistry): ReporterVisibility {
  return {
    self: principal.staffId,
    everyCategory: hasAnyRole(principal, seesConfidentialReporters),
    categories: registry.categoriesRestrictedTo(principal.roles),
  };
}

/** What the caller sees of a report's reporter: the stored staff id or a placeholder. */
export function visibleReporterId(
  visibility: ReporterVisibility,
  report: { identity: ReporterIdentityValue; reportedById: string | null; categoryKey: string },
): { id: string; identified: boolean } {
  if (report.identity === 'ANONYMOUS' || report.reportedById === null)
    return { id: anonymousReporter, identified: false };
  if (report.identity === 'NAMED' || seesConfidentialReporterOf(visibility, report)) {
    return { id: report.reportedById, identified: true };
  }
  return { id: confidentialReporter, identified: false };
}

const seesConfidentialReporterOf = (
  visibility: ReporterVisibility,
  report: { reportedById: string | null; categoryKey: string },
) =>
  visibility.everyCategory ||
  report.reportedById === visibility.self ||
  visibility.categories.includes(report.categoryKey);

/** The staff involved as the caller may see them: without a confidential reporter hidden from them. */
export function visibleStaffInvolved(
  visibility: ReporterVisibility,
  report: {
    identity: ReporterIdentityValue;
    reportedById: string | null;
    categoryKey: string;
    staffInvolvedIds: readonly string[];
  },
): string[] {
  const hidden = hiddenReporterOf(visibility, report);
  return hidden ? report.staffInvolvedIds.filter((id) => id !== hidden) : [...report.staffInvolvedIds];
}

/** The staff id to hide from the caller in a report's trail (its confidential reporter), if any. */
export function hiddenReporterOf(
  visibility: ReporterVisibility,
  report: { identity: ReporterIdentityValue; reportedById: string | null; categoryKey: string },
): string | undefined {
  return report.identity === 'CONFIDENTIAL' && report.reportedById && !seesConfidentialReporterOf(visibility, report)
    ? report.reportedById
    : undefined;
}

/**
 * The idempotency record of an anonymous report: no reporter column, and in
 * place of the key a keyed digest of tenant, reporter and key. A retry by the
 * same reporter with the same key finds it; without the key (which is not
 * stored) the digest cannot be tested against staff ids, even with the secret.
 */
export const anonymousClaimant = '';
export function anonymousClaimKey(secret: string, tenantId: string, staffId: string, key: string): string {
  return keyed(secret, 'anonymous-claim', [tenantId, staffId, key]).digest('base64url');
}

/**
 * The receipt code of an anonymous report: derived from what only the
 * reporter holds (their id, the idempotency key and the report itself), so a
 * retry returns the same code, and nothing stored leads back to it. 100 bits
 * in 20 base32 letters, grouped for reading aloud: `R-ABCD-EFGH-JKLM-NPQR-STUV`.
 */
export function receiptOf(secret: string, tenantId: string, staffId: string, key: string, requestHash: string): string {
  const digest = keyed(secret, 'receipt', [tenantId, staffId, key, requestHash]).digest();
  const letters = base32(digest).slice(0, 20);
  return `R-${letters.match(/.{4}/g)!.join('-')}`;
}

/** The receipt as stored and looked up: a keyed hash within the tenant. Undefined for text that is not a receipt. */
export function receiptHashOf(secret: string, tenantId: string, receipt: string): string | undefined {
  const letters = normaliseReceipt(receipt);
  return letters && keyed(secret, 'receipt-lookup', [tenantId, letters]).digest('base64url');
}

/** The 20 letters of a receipt however it was typed (case, spaces, dashes, the R- prefix), or undefined. */
export function normaliseReceipt(receipt: string): string | undefined {
  const letters = receipt
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/^R(?=[A-Z2-7]{20}$)/, '');
  return /^[A-Z2-7]{20}$/.test(letters) ? letters : undefined;
}

const keyed = (secret: string, purpose: string, parts: string[]) => {
  const hmac = createHmac('sha256', secret).update(purpose);
  for (const part of parts) hmac.update('\u0000').update(part);
  return hmac;
};

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** RFC 4648 base32 without padding. */
function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return bits > 0 ? out + alphabet[(value << (5 - bits)) & 31] : out;
}

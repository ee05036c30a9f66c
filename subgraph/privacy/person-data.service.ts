import { z } from 'zod';
import { recordAudit } from '../audit/audit-log';
import { loadAuditRecords } from '../audit/audit.repository';
import { authorize } from '../auth/role-matrix';
import { badUserInput } from '../common/errors';
import type { Transaction } from '../database/transaction';
import { enqueueEvent } from '../outbox/outbox';
import { restrictedCategoriesOf } from '../near-misses/read-scope';
import { confidentialReporter } from '../near-misses/reporter-identity';
import type { Actor } from '../server/actor';
import { readTenantSettings } from '../tenant-settings/tenant-settings';
import { lockReviewKeys } from '../patterns/risk-review.repository';
import {
  deleteUnheldReviewKeys,
  eraseActionText,
  eraseFreeText,
  eraseReviewConclusions,
  findNearMissIdsAbout,
  loadSimilarityKeysOf,
  loadStoredPersonData,
  lockNearMissesAbout,
  lockNearMissesPastRetention,
} from './person-data.repository';

/** What erasure writes in place of free text about a person. */
export const erasedText = '[erased]';

const personIdSchema = z.string().trim().min(1, 'may not be blank').max(100, 'must be at most 100 characters');

function personIdOf(personId: string): string {
  const parsed = personIdSchema.safeParse(personId);
  if (!parsed.success) throw badUserInput([{ path: 'personId', message: parsed.error.issues[0].message }]);
  return parsed.data;
}

export interface ExportPersonDataInput {
  personId: string;
}

/**
 * Everything this subgraph holds about one person, for a subject access
 * request: their near misses with every field, triage decisions, gate notes,
 * reporter feedback, amendments, linked corrective actions and the audit
 * trail (a confidential reporter, a third party to the person, shown as
 * `confidential`). The export itself is audited, so it runs as a write.
 */
export async function exportPersonData(
  tx: Transaction,
  actor: Actor,
  input: ExportPersonDataInput,
): Promise<Record<string, unknown>> {
  authorize(actor.principal, 'privacy.export');
  const person = personIdOf(input.personId);
  const { tenantId, staffId } = actor.principal;
  const ids = await findNearMissIdsAbout(
    tx,
    tenantId,
    person,
    restrictedCategoriesOf(actor.principal, actor.services.registry),
  );
  const stored = await loadStoredPersonData(tx, tenantId, ids);
  // The reporter of a confidential report is a third party to the person: the export leaves them out.
  const confidentialReporters = new Map(
    stored.nearMisses
      .filter((row) => row.reporter_identity === 'CONFIDENTIAL')
      .map((row) => [row.id as string, row.reported_by as string]),
  );
  const nearMisses = stored.nearMisses.map(({ receipt_hash: _receipt, ...row }) =>
    confidentialReporters.has(row.id as string)
      ? {
          ...row,
          reported_by: confidentialReporter,
          staff_involved_ids: (row.staff_involved_ids as string[]).filter((id) => id !== row.reported_by),
        }
      : row,
  );
  const audit = (await loadAuditRecords(tx, tenantId, ids)).map((record) => ({
    near_miss_id: record.nearMissId,
    at: record.at,
    actor: record.actor && confidentialReporters.get(record.nearMissId) === record.actor ? null : record.actor,
    action: record.action,
    detail: record.detail,
  }));
  await recordAudit(tx, {
    tenantId,
    actor: staffId,
    action: 'privacy.person_data_exported',
    detail: { nearMisses: ids.length },
  });
  return {
    personId: person,
    exportedAt: new Date().toISOString(),
    nearMisses,
    triages: stored.triages,
    gates: stored.gates,
    feedback: stored.feedback,
    amendments: stored.amendments,
    correctiveActions: stored.correctiveActions,
    auditTrail: audit,
  };
}

/**
 * The audit entries (one per near miss) and the event of an erasure; the
 * audit chain is the last write of the transaction.
 */
async function recordErasure(
  tx: Transaction,
  tenantId: string,
  ids: string[],
  actor: string | undefined,
  action: string,
  detail: Record<string, unknown> = {},
): Promise<void> {
  await recordAudit(
    tx,
    ids.map((id) => ({ tenantId, nearMissId: id, actor, action, detail })),
  );
  await enqueueEvent(tx, { tenantId, type: action, aggregateId: ids[0], payload: { nearMissIds: ids } });
}

export interface ErasePersonDataInput {
  personId: string;
  reason: string;
}

/**
 * Erasure on request: every link to one person. Their near misses lose their
 * free text, the person id and the host links that name the person (visit,
 * MAR entry, care plan); the corrective actions answering them and their
 * checks lose their free text, the risk reviews that counted them their
 * conclusion, and review keys derived from the person go. The reason is kept
 * in each erased near miss's audit entry. Locks follow the writers' order:
 * similarity keys, reviews, actions, near misses, the audit chain. Returns
 * how many near misses were erased.
 */
export async function erasePersonData(tx: Transaction, actor: Actor, input: ErasePersonDataInput): Promise<number> {
  authorize(actor.principal, 'privacy.erase');
  const person = personIdOf(input.personId);
  const why = z.string().trim().min(1, 'may not be blank').max(2000).safeParse(input.reason);
  if (!why.success) throw badUserInput([{ path: 'reason', message: why.error.issues[0].message }]);
  const { tenantId, staffId } = actor.principal;
  const found = await findNearMissIdsAbout(tx, tenantId, person);
  if (!found.length) return 0;
  const keys = await loadSimilarityKeysOf(tx, tenantId, found);
  await lockReviewKeys(tx, tenantId, keys);
  const reviews = await eraseReviewConclusions(tx, tenantId, found, erasedText);
  const actions = await eraseActionText(tx, tenantId, found, erasedText);
  const ids = await lockNearMissesAbout(tx, tenantId, person);
  if (!ids.length) return 0;
  await eraseFreeText(tx, tenantId, ids, erasedText);
  await deleteUnheldReviewKeys(tx, tenantId, keys);
  await recordErasure(tx, tenantId, ids, staffId, 'privacy.person_data_erased', {
    reason: why.data,
    correctiveActions: actions,
    riskReviews: reviews,
  });
  return ids.length;
}

/** At most this many near misses per run, so one run stays a short transaction; run again for more. */
export const retentionBatchSize = 500;

export interface ApplyRetentionInput {
  /** The moment closure ages are measured from (now by default). */
  now?: Date;
}

/**
 * Retention: free text of near misses closed longer ago than the provider's
 * `retentionMonths` is erased the same way. Returns how many were erased.
 */
export async function applyRetention(tx: Transaction, actor: Actor, input: ApplyRetentionInput = {}): Promise<number> {
  authorize(actor.principal, 'privacy.retention');
  const { tenantId, staffId } = actor.principal;
  const { retentionMonths } = await readTenantSettings(tx, tenantId);
  const ids = await lockNearMissesPastRetention(
    tx,
    tenantId,
    input.now ?? new Date(),
    retentionMonths,
    retentionBatchSize,
  );
  if (ids.length) {
    await eraseFreeText(tx, tenantId, ids, erasedText);
    await recordErasure(tx, tenantId, ids, staffId, 'privacy.retention_applied');
  }
  return ids.length;
}

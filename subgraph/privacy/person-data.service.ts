import { z } from 'zod';
import { recordAudit } from '../audit/audit-log';
import { loadAuditRecords } from '../audit/audit.repository';
import { authorize } from '../auth/role-matrix';
import { badUserInput } from '../common/errors';
import type { Transaction } from '../database/transaction';
import { enqueueEvent } from '../outbox/outbox';
import { restrictedCategoriesOf } from '../near-misses/read-scope';
import type { Actor } from '../server/actor';
import { readTenantSettings } from '../tenant-settings/tenant-settings';
import {
  eraseFreeText,
  findNearMissIdsAbout,
  loadStoredPersonData,
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
 * reporter feedback, linked corrective actions and the audit trail. The
 * export itself is audited, so it runs as a write.
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
  const audit = (await loadAuditRecords(tx, tenantId, ids)).map((record) => ({
    near_miss_id: record.nearMissId,
    at: record.at,
    actor: record.actor,
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
    nearMisses: stored.nearMisses,
    triages: stored.triages,
    gates: stored.gates,
    feedback: stored.feedback,
    correctiveActions: stored.correctiveActions,
    auditTrail: audit,
  };
}

/**
 * Replaces free text of near misses and unlinks the person, keeping every row,
 * count, status and the audit chain, so aggregates and the chain still verify.
 */
async function eraseNearMissText(
  tx: Transaction,
  tenantId: string,
  ids: string[],
  actor: string | undefined,
  action: string,
): Promise<void> {
  await eraseFreeText(tx, tenantId, ids, erasedText);
  await recordAudit(
    tx,
    ids.map((id) => ({ tenantId, nearMissId: id, actor, action, detail: {} })),
  );
  await enqueueEvent(tx, { tenantId, type: action, aggregateId: ids[0], payload: { nearMissIds: ids } });
}

export interface ErasePersonDataInput {
  personId: string;
  reason: string;
}

/** Erasure on request: everything about one person. Returns how many near misses were erased. */
export async function erasePersonData(tx: Transaction, actor: Actor, input: ErasePersonDataInput): Promise<number> {
  authorize(actor.principal, 'privacy.erase');
  const person = personIdOf(input.personId);
  const why = z.string().trim().min(1, 'may not be blank').max(2000).safeParse(input.reason);
  if (!why.success) throw badUserInput([{ path: 'reason', message: why.error.issues[0].message }]);
  const { tenantId, staffId } = actor.principal;
  const ids = await findNearMissIdsAbout(tx, tenantId, person);
  if (ids.length) await eraseNearMissText(tx, tenantId, ids, staffId, 'privacy.person_data_erased');
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
  if (ids.length) await eraseNearMissText(tx, tenantId, ids, staffId, 'privacy.retention_applied');
  return ids.length;
}

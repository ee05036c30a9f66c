import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log';
import { authorize } from '../auth/role-matrix';
import { badUserInput } from '../common/errors';
import { enqueueEvent } from '../outbox/outbox';
import { readTenantSettings } from '../tenant-settings/tenant-settings';
import type { RequestContext } from '../server/context';

type Context = Pick<RequestContext, 'principal' | 'db'>;

/** What erasure writes in place of free text about a person. */
export const erasedText = '[erased]';

const personIdSchema = z.string().trim().min(1, 'may not be blank').max(100, 'must be at most 100 characters');

function personIdOf(personId: string): string {
  const parsed = personIdSchema.safeParse(personId);
  if (!parsed.success) throw badUserInput([{ path: 'personId', message: parsed.error.issues[0].message }]);
  return parsed.data;
}

async function nearMissIdsAbout(manager: EntityManager, tenantId: string, personId: string): Promise<string[]> {
  const rows: { id: string }[] = await manager.query(`SELECT id FROM near_miss WHERE tenant_id = $1 AND person_id = $2 ORDER BY occurred_at, id`, [tenantId, personId]);
  return rows.map((row) => row.id);
}

/**
 * Everything this subgraph holds about one person, for a subject access
 * request: their near misses with every field, triage decisions, gate notes,
 * reporter feedback, linked corrective actions and the audit trail.
 */
export async function exportPersonData(context: Context, personId: string): Promise<Record<string, unknown>> {
  authorize(context.principal, 'privacy.export');
  const person = personIdOf(personId);
  const tenantId = context.principal.tenantId;
  return context.db.transaction(async (manager) => {
    const ids = await nearMissIdsAbout(manager, tenantId, person);
    const byNearMiss = (sql: string) => manager.query(sql, [tenantId, ids]);
    // One statement at a time: they share the transaction's connection.
    const nearMisses = await byNearMiss(`SELECT * FROM near_miss WHERE tenant_id = $1 AND id = ANY($2::uuid[]) ORDER BY occurred_at, id`);
    const triages = await byNearMiss(`SELECT * FROM near_miss_triage WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[]) ORDER BY triaged_at`);
    const gates = await byNearMiss(`SELECT * FROM gate_completion WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[]) ORDER BY done_at`);
    const feedback = await byNearMiss(`SELECT * FROM reporter_feedback WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[]) ORDER BY at`);
    const actions = await byNearMiss(
      `SELECT l.near_miss_id, a.* FROM corrective_action_near_miss l JOIN corrective_action a ON a.id = l.action_id
       WHERE l.tenant_id = $1 AND l.near_miss_id = ANY($2::uuid[]) ORDER BY a.created_at`,
    );
    const audit = await byNearMiss(`SELECT near_miss_id, at, actor, action, detail FROM audit_event WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[]) ORDER BY id`);
    await recordAudit(manager, { tenantId, actor: context.principal.staffId, action: 'privacy.person_data_exported', detail: { nearMisses: ids.length } });
    return { personId: person, exportedAt: new Date().toISOString(), nearMisses, triages, gates, feedback, correctiveActions: actions, auditTrail: audit };
  });
}

/**
 * Replaces free text of near misses and unlinks the person, keeping every row,
 * count, status and the audit chain, so aggregates and the chain still verify.
 */
async function eraseNearMissText(manager: EntityManager, tenantId: string, ids: string[], actor: string | undefined, action: string): Promise<void> {
  await manager.query(
    `UPDATE near_miss SET what_happened = $3, how_detected = $3, what_prevented_harm = $3, what_made_this_possible = CASE WHEN what_made_this_possible IS NULL THEN NULL ELSE $3 END,
       immediate_actions = ARRAY[$3], outcome = CASE WHEN outcome IS NULL THEN NULL ELSE $3 END, reopen_reason = CASE WHEN reopen_reason IS NULL THEN NULL ELSE $3 END,
       no_action_reason = CASE WHEN no_action_reason IS NULL THEN NULL ELSE $3 END, details = '{}'::jsonb, person_id = NULL, similarity_key = NULL,
       erased_at = now(), version = version + 1, updated_at = now()
     WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
    [tenantId, ids, erasedText],
  );
  await manager.query(`UPDATE near_miss_triage SET rationale = $3, override_reason = CASE WHEN override_reason IS NULL THEN NULL ELSE $3 END WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[])`, [tenantId, ids, erasedText]);
  // Similarity keys hash the person's id with other fields: they go too (reviews keep their counted near misses).
  await manager.query(`DELETE FROM near_miss_similarity WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[])`, [tenantId, ids]);
  await manager.query(`UPDATE gate_completion SET note = NULL WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[])`, [tenantId, ids]);
  await manager.query(`UPDATE reporter_feedback SET message = $3 WHERE tenant_id = $1 AND near_miss_id = ANY($2::uuid[])`, [tenantId, ids, erasedText]);
  await recordAudit(manager, ids.map((id) => ({ tenantId, nearMissId: id, actor, action, detail: {} })));
  await enqueueEvent(manager, { tenantId, type: action, aggregateId: ids[0], payload: { nearMissIds: ids } });
}

/** Erasure on request: everything about one person. Returns how many near misses were erased. */
export async function erasePersonData(context: Context, personId: string, reason: string): Promise<number> {
  authorize(context.principal, 'privacy.erase');
  const person = personIdOf(personId);
  const why = z.string().trim().min(1, 'may not be blank').max(2000).safeParse(reason);
  if (!why.success) throw badUserInput([{ path: 'reason', message: why.error.issues[0].message }]);
  const tenantId = context.principal.tenantId;
  return context.db.transaction(async (manager) => {
    const ids = await nearMissIdsAbout(manager, tenantId, person);
    if (ids.length) await eraseNearMissText(manager, tenantId, ids, context.principal.staffId, 'privacy.person_data_erased');
    return ids.length;
  });
}

/** At most this many near misses per run, so one run stays a short transaction; run again for more. */
export const retentionBatchSize = 500;

/**
 * Retention: free text of near misses closed longer ago than the provider's
 * `retentionMonths` is erased the same way. Returns how many were erased.
 */
export async function applyRetention(context: Context, now = new Date()): Promise<number> {
  authorize(context.principal, 'privacy.retention');
  const tenantId = context.principal.tenantId;
  return context.db.transaction(async (manager) => {
    const { retentionMonths } = await readTenantSettings(manager, tenantId);
    const rows: { id: string }[] = await manager.query(
      `SELECT id FROM near_miss WHERE tenant_id = $1 AND status = 'CLOSED' AND erased_at IS NULL
         AND closed_at < $2::timestamptz - make_interval(months => $3) ORDER BY closed_at, id LIMIT $4 FOR UPDATE`,
      [tenantId, now, retentionMonths, retentionBatchSize],
    );
    const ids = rows.map((row) => row.id);
    if (ids.length) await eraseNearMissText(manager, tenantId, ids, context.principal.staffId, 'privacy.retention_applied');
    return ids.length;
  });
}

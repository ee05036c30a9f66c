import { z } from 'zod';
import type { ReportFacts } from '../../plugins/sdk';
import { authorize } from '../auth/role-matrix';
import { badUserInput, conflict, forbidden, notFound, type FieldProblem } from '../common/errors';
import { text, validate } from '../common/validation';
import { codeFactors, unknownCodes } from '../contributing-factors/factor-coding';
import { readTaxonomy } from '../contributing-factors/contributing-factor.service';
import { otherFactorCode } from '../contributing-factors/taxonomy';
import { lockRecurrences, reopenRecurrences } from '../corrective-actions/recurrence';
import type { Transaction } from '../database/transaction';
import type { PotentialHarmValue, WorkflowStageValue } from '../domain/vocabulary';
import {
  noRepeat,
  planRepeatTrigger,
  repeatOutcome,
  repeatTriggerRecords,
  repeatWindowOf,
  repeatWritesOf,
  scanOf,
  type RepeatTriggerInput,
} from '../patterns/repeat-trigger';
import { repeatKeys } from '../patterns/repeat-trigger-keys';
import { kindKey, similarityKey } from '../patterns/similarity-key';
import type { Actor } from '../server/actor';
import { ChangeLog, lockNearMiss, readNearMiss } from '../status-changes/status-change.service';
import { readTenantSettings, windowsOf } from '../tenant-settings/tenant-settings';
import { suggestTriage } from '../triage/triage-suggestion';
import { triageDueAt } from '../triage/triage-due';
import {
  dropOwnKeys,
  insertAmendment,
  loadOwnKeys,
  lockKeysAndReadRule,
  updateAmendedNearMiss,
  writeAddedKeys,
} from './amend-near-miss.repository';
import { amendRefusal, changedFields, changeRecord, type AmendableFields } from './amend-rules';
import { factsOf } from './near-miss.facts';
import { loadByIds } from './near-miss.repository';
import type { NearMiss } from './near-miss.type';
import { changeScopeOf } from './read-scope';
import { checkCategory } from './report-near-miss.repository';
import { validateDetails } from './report-details';

export interface AmendNearMissRequest {
  id: string;
  expectedVersion: number;
  reason: string;
  category?: string | null;
  details?: unknown;
  workflowStage?: WorkflowStageValue | null;
  contributingFactorCodes?: string[] | null;
  potentialHarm?: PotentialHarmValue | null;
}

const requestSchema = z.object({
  expectedVersion: z.number().int().min(1, 'must be a version returned by the API'),
  reason: text(2000),
  category: z.string().trim().min(1).max(64).optional(),
  contributingFactorCodes: z.array(z.string().max(200)).max(20, 'may hold at most 20 codes').optional(),
});

/** Reports awaiting their first triage: the suggestion's due time still applies. */
const awaitingFirstTriage = ['REPORTED', 'ACKNOWLEDGED'];

/**
 * Corrects a report after capture: category and details, workflow stage,
 * contributing factors, potential harm, with a reason. Its reporter may until
 * triage, triage leads at any time. Everything derived from those fields is
 * worked out again as if the report had said so from the start: the rules'
 * suggestion (and, before triage, its due time), the similarity key, the
 * repeat trigger's keys (keys it no longer has are dropped unless a review
 * counted them; keys it gains are judged as a report's would be, so they may
 * join or open a review), recurrence against done actions, and the gates
 * (computed from the facts when read). Trends and signals read the row.
 *
 * Lock order as a report's: the trigger's keys (old and new), then the near
 * miss (its version checked again under the lock), corrective actions, and the
 * audit chain head last.
 */
export async function amendNearMiss(tx: Transaction, actor: Actor, request: AmendNearMissRequest): Promise<NearMiss> {
  const { principal, services } = actor;
  authorize(principal, 'nearMiss.amend');
  const input = validate(requestSchema, {
    expectedVersion: request.expectedVersion,
    reason: request.reason,
    category: request.category ?? undefined,
    contributingFactorCodes: request.contributingFactorCodes ?? undefined,
  });
  const scope = changeScopeOf(principal, services.registry);
  const now = services.now?.() ?? new Date();

  // Read, then lock the keys the report has and will have, then the report itself.
  const [current] = await loadByIds(tx, scope, [request.id]);
  if (!current) throw notFound(`Near miss ${request.id} does not exist or is not in your services`);
  checkAmendVersion(current, input.expectedVersion);
  const refusal = amendRefusal(principal, current);
  if (refusal) throw forbidden(refusal);

  const categoryKey = input.category ?? current.categoryKey;
  const category = services.registry.get(categoryKey);
  const problems: FieldProblem[] = [];
  if (!category) problems.push({ path: 'category', message: `unknown category "${categoryKey.slice(0, 64)}"` });
  else if (scope.restricted?.categories.includes(categoryKey) && categoryKey !== current.categoryKey)
    problems.push({
      path: 'category',
      message: `you may not move a report into the restricted category ${categoryKey}`,
    });
  if (category && input.category && input.category !== current.categoryKey && request.details == null)
    problems.push({
      path: 'details',
      message: "is required when the category changes: give the new category's fields",
    });
  let details = current.details;
  if (category && request.details != null) {
    const parsed = validateDetails(category.definition, request.details);
    if (parsed.success) details = parsed.details;
    else problems.push(...parsed.problems);
  }
  const taxonomy = await readTaxonomy(tx, principal.tenantId);
  const codes = input.contributingFactorCodes ? [...new Set(input.contributingFactorCodes)] : undefined;
  for (const code of unknownCodes(codes ?? [], taxonomy))
    problems.push({ path: 'contributingFactorCodes', message: `${code.slice(0, 64)} is not in your taxonomy` });
  if (problems.length || !category) throw badUserInput(problems);

  const before: AmendableFields = amendable(current);
  const after: AmendableFields = {
    category: categoryKey,
    details,
    workflowStage: request.workflowStage ?? current.workflowStage ?? null,
    contributingFactorCodes: codes ?? current.contributingFactorCodes,
    potentialHarm: request.potentialHarm ?? current.potentialHarm,
  };
  const fields = changedFields(before, after);
  if (!fields.length) throw badUserInput([{ path: 'input', message: 'changes nothing: give at least one new value' }]);

  const facts: ReportFacts = {
    ...factsOf(current, category),
    category: after.category,
    details: after.details,
    workflowStage: after.workflowStage ?? undefined,
    potentialHarm: after.potentialHarm,
    contributingFactorCodes: after.contributingFactorCodes,
    // Text the reporter wrote that matches no factor keeps repeating by its words while OTHER stays.
    otherContributingFactors: after.contributingFactorCodes.includes(otherFactorCode)
      ? codeFactors(current.contributingFactors, taxonomy).otherTexts
      : [],
  };
  const keying = { secret: services.config.pseudonymisationSecret, tenantId: principal.tenantId };
  const similarity = similarityKey(category.definition, facts, keying);
  const previousCategory = services.registry.get(current.categoryKey);
  const previousFacts = previousCategory && factsOf(current, previousCategory);
  const previousSimilarity =
    previousCategory && previousFacts ? similarityKey(previousCategory.definition, previousFacts, keying) : null;
  const kind = kindKey(category.definition, facts);
  const previousKind = previousCategory && previousFacts ? kindKey(previousCategory.definition, previousFacts) : null;
  const newKeys = repeatKeys(category.definition, facts, similarity);
  const oldKeys = await loadOwnKeys(tx, principal.tenantId, current.id);
  const addedKeys = newKeys.filter((key) => !oldKeys.includes(key.key));
  const droppedKeys = oldKeys.filter((key) => !newKeys.some((newKey) => newKey.key === key));
  const rule = await lockKeysAndReadRule(
    tx,
    principal.tenantId,
    [...oldKeys, ...addedKeys.map((key) => key.key)],
    after.category,
  );
  const nearMiss = await lockNearMiss(tx, actor, current.id);
  checkAmendVersion(nearMiss, input.expectedVersion);

  // The category must be on; the trigger's scan of the added keys rides on the check.
  const trigger: RepeatTriggerInput | undefined =
    services.repeatTrigger === false
      ? undefined
      : {
          tenantId: principal.tenantId,
          nearMissId: nearMiss.id,
          categoryKey: after.category,
          serviceId: nearMiss.serviceId,
          occurredAt: nearMiss.occurredAt,
          keys: addedKeys,
          now,
        };
  const scanning = trigger?.keys.length && rule.enabled ? trigger : undefined;
  const check = await checkCategory(
    tx,
    principal.tenantId,
    after.category,
    scanning && { input: scanning, window: repeatWindowOf(scanning, rule) },
  );
  if (!check.enabled && after.category !== current.categoryKey)
    throw badUserInput([
      { path: 'category', message: `category "${after.category}" is turned off for your organisation` },
    ]);

  // Write: the report as amended, what the trigger decides for the added keys, the amendment record.
  const suggestion = suggestTriage(category.definition, facts);
  const windows = windowsOf(await readTenantSettings(tx, principal.tenantId));
  await updateAmendedNearMiss(tx, {
    id: nearMiss.id,
    tenantId: principal.tenantId,
    category: after.category,
    categoryVersion:
      after.category === current.categoryKey && request.details == null
        ? nearMiss.categoryVersion
        : category.definition.version,
    details: after.details,
    workflowStage: after.workflowStage,
    contributingFactorCodes: after.contributingFactorCodes,
    potentialHarm: after.potentialHarm,
    suggestedRoute: suggestion.route,
    sameDay: suggestion.sameDay,
    suggestedNotify: suggestion.notify,
    triageDueAt: awaitingFirstTriage.includes(nearMiss.status)
      ? triageDueAt(nearMiss.reportedAt, suggestion.sameDay, windows)
      : nearMiss.triageDueBy,
    similarityKey: similarity,
    kindKey: kind,
  });
  await dropOwnKeys(tx, principal.tenantId, nearMiss.id, droppedKeys);
  const plan = trigger && planRepeatTrigger(trigger, scanOf(trigger, rule, check.findings));
  const assignedTo = trigger && plan ? await writeAddedKeys(tx, trigger, repeatWritesOf(trigger, plan)) : null;
  const amendmentId = await insertAmendment(tx, {
    tenantId: principal.tenantId,
    nearMissId: nearMiss.id,
    amendedAt: now,
    amendedBy: principal.staffId,
    reason: input.reason,
    fields,
    changes: changeRecord(before, after, fields),
  });

  // A control the amended report now shows to have failed reopens, as it would have on the report.
  const recurrenceReport = {
    id: nearMiss.id,
    reference: nearMiss.reference,
    tenantId: principal.tenantId,
    serviceId: nearMiss.serviceId,
    category: after.category,
    similarityKey: similarity !== previousSimilarity ? similarity : null,
    kindKey: kind !== previousKind ? kind : null,
    occurredAt: nearMiss.occurredAt,
    reportedAt: nearMiss.reportedAt,
  };
  const recurrences = await lockRecurrences(tx, recurrenceReport);

  // Audit, then the outbox: ids and codes only (the reason stays in the amendment record).
  const repeats = plan ? repeatOutcome(plan, assignedTo) : noRepeat;
  const announced = repeatTriggerRecords(principal.tenantId, nearMiss.id, repeats);
  const coded = changeRecord(before, after, fields);
  const log = new ChangeLog().change(principal, nearMiss, {
    action: 'near_miss.amended',
    detail: { amendmentId, fields, changes: coded, suggestedRoute: suggestion.route, sameDay: suggestion.sameDay },
    event: { amendmentId, fields, category: after.category, suggestedRoute: suggestion.route },
  });
  log.audit.push(...announced.audit);
  log.events.push(...announced.events);
  await log.record(tx);
  await reopenRecurrences(tx, recurrenceReport, recurrences);

  const read = await readNearMiss(tx, actor, nearMiss.id);
  if (!read) throw new Error(`amended near miss ${nearMiss.id} is not readable`);
  return read;
}

const amendable = (nearMiss: NearMiss): AmendableFields => ({
  category: nearMiss.categoryKey,
  details: nearMiss.details,
  workflowStage: nearMiss.workflowStage ?? null,
  contributingFactorCodes: nearMiss.contributingFactorCodes,
  potentialHarm: nearMiss.potentialHarm,
});

function checkAmendVersion(nearMiss: NearMiss, expectedVersion: number): void {
  if (nearMiss.version !== expectedVersion)
    throw conflict(
      `Near miss ${nearMiss.reference} has changed: it is at version ${nearMiss.version}, not ${expectedVersion}. Reload and try again.`,
      { currentVersion: nearMiss.version, currentStatus: nearMiss.status },
    );
}

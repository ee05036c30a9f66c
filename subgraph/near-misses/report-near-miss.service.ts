import { randomUUID } from 'node:crypto';
import type { ReportFacts } from '../../plugins/sdk';
import { recordAudit } from '../audit/audit-log';
import { authorize } from '../auth/role-matrix';
import { worksInService } from '../auth/principal';
import type { RegisteredCategory } from '../categories/category-registry';
import { canonicalJson, sha256 } from '../common/canonical-json';
import { badUserInput, conflict, forbidden, type FieldProblem } from '../common/errors';
import { inputHygieneProblems } from '../common/input-hygiene';
import { toFieldProblems } from '../common/validation';
import type { TransactionOptions } from '../database/tenant-scope';
import type { Transaction } from '../database/transaction';
import { lockRecurrences, reopenRecurrences } from '../corrective-actions/recurrence';
import { enqueueEvent } from '../outbox/outbox';
import {
  noRepeat,
  planRepeatTrigger,
  repeatOutcome,
  repeatTriggerRecords,
  repeatWindowOf,
  repeatWritesOf,
  reportRepeatInput,
  scanOf,
} from '../patterns/repeat-trigger';
import { kindKey, similarityKey } from '../patterns/similarity-key';
import type { Actor } from '../server/actor';
import { readTenantSettings, windowsOf } from '../tenant-settings/tenant-settings';
import { suggestTriage, type TriageSuggestion } from '../triage/triage-suggestion';
import { triageDueAt } from '../triage/triage-due';
import { loadByIds } from './near-miss.repository';
import type { NearMiss } from './near-miss.type';
import { readScopeOf, type ReadScope } from './read-scope';
import { formatReference } from './reference';
import { parseReport, idempotencyKeySchema, withoutNulls, type ValidReport } from './report-near-miss.schema';
import {
  checkCategory,
  claimReport,
  findClaimedReport,
  insertNearMiss,
  nextReferenceNumber,
} from './report-near-miss.repository';
import { workflowFigures } from './workflow-context';
import { planNotifications } from '../notifications/notification.service';
import { anonymousClaimant, anonymousClaimKey, receiptHashOf, receiptOf } from './reporter-identity';
import { validateDetails } from './report-details';
import { codeFactors, shippedFactors } from '../contributing-factors/factor-coding';
import { readTaxonomy } from '../contributing-factors/contributing-factor.service';

export interface ReportRequest {
  /** The report as the client sent it; validated here. */
  input: object;
  idempotencyKey: string;
}

export interface ReportOutcome {
  nearMiss: NearMiss;
  suggestedRoute: TriageSuggestion['route'];
  sameDay: boolean;
  replayed: boolean;
  /** Risk reviews the repeat trigger opened with this report, and open ones it joined. */
  riskReviewsOpened: string[];
  riskReviewsJoined: string[];
  /** ANONYMOUS reports: the receipt code, the same on every retry; never stored in clear. */
  receipt?: string;
}

/**
 * The report's transaction: its statements are prepared lookups by tenant and
 * key whose best plan depends on no value, so they are planned once per
 * connection (TransactionOptions.genericPlans).
 */
export const reportTransaction: TransactionOptions = { genericPlans: true };

/** What rules see of a validated report. */
export const toReportFacts = (report: ValidReport, details: Record<string, unknown>): ReportFacts => ({
  category: report.category,
  serviceId: report.serviceId,
  setting: report.setting,
  potentialHarm: report.potentialHarm,
  preventionReliability: report.preventionReliability,
  workflowStage: report.workflowStage,
  contributingFactors: report.contributingFactors,
  personId: report.personId,
  visitId: report.visitId,
  medicationRecordId: report.medicationRecordId,
  shiftId: report.shiftId,
  carePlanId: report.carePlanId,
  occurredAt: report.occurredAt,
  details,
});

/**
 * Reports a near miss, in the report's one transaction: authorise, validate
 * the whole report (core fields and the category's details), claim the
 * idempotency key (a retry with the same key and payload returns the first
 * result), check the category, write the near miss with the repeat trigger's
 * writes, reopen controls the report shows to have failed, then the audit
 * and outbox events, and read the near miss back for the payload.
 *
 * Lock order, here and everywhere: the repeat trigger's key locks (on the
 * claim), then corrective actions and their near misses (recurrence), then
 * the tenant's audit chain head (the last write).
 */
export async function reportNearMiss(
  tx: Transaction,
  { principal, services }: Actor,
  { input, idempotencyKey }: ReportRequest,
): Promise<ReportOutcome> {
  authorize(principal, 'nearMiss.report');
  const scope = readScopeOf(principal, services.registry);
  const now = services.now?.() ?? new Date();
  const { report, category, details, key } = validateReport(services.registry, input, idempotencyKey, now);
  if (!worksInService(principal, report.serviceId)) {
    throw forbidden(`You may only report into your own services; ${report.serviceId} is not one of them`);
  }

  // Shipped factors win a match, so the provider's own are read only for text the shipped ones leave as OTHER.
  const shippedCoding = codeFactors(report.contributingFactors, shippedFactors);
  const coding = shippedCoding.otherTexts.length
    ? codeFactors(report.contributingFactors, await readTaxonomy(tx, principal.tenantId))
    : shippedCoding;
  const facts: ReportFacts = {
    ...toReportFacts(report, details),
    contributingFactorCodes: coding.codes,
    otherContributingFactors: coding.otherTexts,
  };
  const suggestion = suggestTriage(category.definition, facts);
  if (suggestion.failures.length) {
    services.logger.warn('category rule failed; default route used where needed', {
      category: category.definition.key,
      failures: suggestion.failures.map((failure) => failure.ruleId),
    });
  }
  const requestHash = sha256(canonicalJson({ ...report, category: category.definition.key, details }));
  const tenantId = principal.tenantId;
  const nearMissId = randomUUID();
  const secret = services.config.pseudonymisationSecret;
  const similarity = similarityKey(category.definition, facts, { secret, tenantId });
  // An anonymous report keeps nothing that names its reporter (reporter-identity.ts): not even its claim.
  const anonymous = report.identity === 'ANONYMOUS';
  const claimant = anonymous
    ? { reporterId: anonymousClaimant, key: anonymousClaimKey(secret, tenantId, principal.staffId, key) }
    : { reporterId: principal.staffId, key };
  const receipt = anonymous ? receiptOf(secret, tenantId, principal.staffId, key, requestHash) : undefined;
  // The reporter reads back the report they just made, also when it does not carry their name.
  const readBackScope = anonymous ? { tenantId, serviceIds: scope.serviceIds } : scope;
  const trigger =
    services.repeatTrigger === false
      ? undefined
      : reportRepeatInput({ tenantId, nearMissId, category, facts, now, similarityKey: similarity });

  // Claim the key (and, for the trigger, lock the report's similarity keys and read the rule).
  const claim = await claimReport(tx, { tenantId, ...claimant, requestHash, nearMissId }, trigger);
  if (!claim.claimed) {
    const previous = await findClaimedReport(tx, tenantId, claimant.reporterId, claimant.key);
    if (!previous) throw conflict('The idempotency key is in use by a report that is still being saved; retry shortly');
    if (previous.requestHash !== requestHash) {
      throw conflict('This idempotency key was already used for a different report', { field: 'idempotencyKey' });
    }
    return {
      nearMiss: await readNearMiss(tx, readBackScope, previous.nearMissId),
      suggestedRoute: previous.suggestedRoute,
      sameDay: previous.sameDay,
      replayed: true,
      riskReviewsOpened: previous.reviewsOpened,
      riskReviewsJoined: previous.reviewsJoined,
      receipt,
    };
  }

  // The category must be on for the organisation; the trigger's scan rides on the check.
  const scanning = trigger?.keys.length && claim.rule.enabled ? trigger : undefined;
  const check = await checkCategory(
    tx,
    tenantId,
    category.definition.key,
    scanning && { input: scanning, window: repeatWindowOf(scanning, claim.rule) },
  );
  if (!check.enabled) {
    throw badUserInput([
      { path: 'category', message: `category "${category.definition.key}" is turned off for your organisation` },
    ]);
  }

  // Write the near miss, and what the trigger decided, in one statement.
  const reference = formatReference(
    now.getUTCFullYear(),
    await nextReferenceNumber(tx, tenantId, now.getUTCFullYear()),
  );
  const workflow = workflowFigures(report.occurredAt, report.workflowContext, details);
  const windows = windowsOf(await readTenantSettings(tx, tenantId));
  const plan = trigger && planRepeatTrigger(trigger, scanOf(trigger, claim.rule, check.findings));
  const assignedTo = await insertNearMiss(
    tx,
    {
      id: nearMissId,
      tenantId,
      reference,
      serviceId: report.serviceId,
      category: category.definition.key,
      categoryVersion: category.definition.version,
      occurredAt: report.occurredAt,
      detectedAt: report.detectedAt ?? null,
      reportedAt: now,
      reportedBy: anonymous ? null : principal.staffId,
      reporterIdentity: report.identity,
      receiptHash: receipt === undefined ? null : receiptHashOf(secret, tenantId, receipt)!,
      staffInvolvedIds: report.staffInvolvedIds,
      personId: report.personId ?? null,
      visitId: report.visitId ?? null,
      medicationRecordId: report.medicationRecordId ?? null,
      shiftId: report.shiftId ?? null,
      carePlanId: report.carePlanId ?? null,
      setting: report.setting,
      whatHappened: report.whatHappened,
      howDetected: report.howDetected,
      whatPreventedHarm: report.whatPreventedHarm,
      preventionReliability: report.preventionReliability,
      immediateActions: report.immediateActions,
      whatMadeThisPossible: report.whatMadeThisPossible ?? null,
      contributingFactors: report.contributingFactors,
      contributingFactorCodes: coding.codes,
      kindKey: kindKey(category.definition, facts),
      workflowStage: report.workflowStage ?? null,
      potentialHarm: report.potentialHarm,
      details,
      suggestedRoute: suggestion.route,
      sameDay: suggestion.sameDay,
      suggestedNotify: suggestion.notify,
      triageDueAt: triageDueAt(now, suggestion.sameDay, windows),
      similarityKey: similarity,
      workflowContext: report.workflowContext ?? null,
      nccMerp: category.definition.standards.nccMerp?.(facts) ?? null,
      ...workflow,
    },
    trigger && plan && { input: trigger, writes: repeatWritesOf(trigger, plan) },
  );

  // Who must be told, as the rules suggest: records with due times, from when the service knew.
  if (suggestion.notify.length) {
    await planNotifications(
      tx,
      {
        tenantId,
        nearMissId,
        serviceId: report.serviceId,
        awareAt: report.detectedAt ?? report.occurredAt,
        sameDay: suggestion.sameDay,
        sameDayHours: windows.sameDayHours,
        recipients: suggestion.notify,
      },
      { newNearMiss: true },
    );
  }

  // Controls this report shows to have failed are reopened (locked before the audit chain head).
  const recurrenceReport = {
    id: nearMissId,
    reference,
    tenantId,
    serviceId: report.serviceId,
    category: category.definition.key,
    similarityKey: similarity,
    kindKey: kindKey(category.definition, facts),
    occurredAt: report.occurredAt,
    reportedAt: now,
  };
  const recurrences = await lockRecurrences(tx, recurrenceReport);

  // Audit, then the outbox.
  const repeats = plan ? repeatOutcome(plan, assignedTo) : noRepeat;
  const announced = repeatTriggerRecords(tenantId, nearMissId, repeats);
  await recordAudit(tx, [
    {
      tenantId,
      nearMissId,
      actor: anonymous ? undefined : principal.staffId,
      action: 'near_miss.reported',
      detail: {
        reference,
        reporterIdentity: report.identity,
        category: category.definition.key,
        suggestedRoute: suggestion.route,
        sameDay: suggestion.sameDay,
        firedRules: suggestion.firedRules,
      },
    },
    ...(suggestion.failures.length
      ? [
          {
            tenantId,
            nearMissId,
            action: 'triage.rule_failed',
            detail: { failures: suggestion.failures, fallbackRoute: suggestion.route },
          },
        ]
      : []),
    ...announced.audit,
  ]);
  const reopenedActionIds = await reopenRecurrences(tx, recurrenceReport, recurrences);
  await enqueueEvent(tx, [
    ...announced.events,
    {
      tenantId,
      type: 'near_miss.reported',
      aggregateId: nearMissId,
      payload: {
        reference,
        serviceId: report.serviceId,
        category: category.definition.key,
        reporterIdentity: report.identity,
        suggestedRoute: suggestion.route,
        sameDay: suggestion.sameDay,
        reopenedActionIds,
      },
    },
  ]);

  return {
    nearMiss: await readNearMiss(tx, readBackScope, nearMissId),
    suggestedRoute: suggestion.route,
    sameDay: suggestion.sameDay,
    replayed: false,
    riskReviewsOpened: repeats.opened.map((opened) => opened.reviewId),
    riskReviewsJoined: repeats.joined,
    receipt,
  };
}

interface ValidatedReport {
  report: ValidReport;
  category: RegisteredCategory;
  details: Record<string, unknown>;
  key: string;
}

/** The whole report checked at once: every problem, each with its field, in one BAD_USER_INPUT. */
function validateReport(
  registry: Actor['services']['registry'],
  rawInput: object,
  idempotencyKey: string,
  now: Date,
): ValidatedReport {
  // Text PostgreSQL cannot store, and nesting that would overflow the stack, before anything parses it.
  const unsafe = [...inputHygieneProblems(rawInput), ...inputHygieneProblems(idempotencyKey, ['idempotencyKey'])];
  if (unsafe.length) throw badUserInput(unsafe);

  const problems: FieldProblem[] = [];
  const key = idempotencyKeySchema.safeParse(idempotencyKey);
  if (!key.success) problems.push(...toFieldProblems(key.error, ['idempotencyKey']));
  const core = parseReport(withoutNulls(rawInput), now);
  problems.push(...core.problems);

  const categoryKey = (rawInput as { category?: unknown }).category;
  const category = typeof categoryKey === 'string' ? registry.get(categoryKey.trim()) : undefined;
  if (typeof categoryKey === 'string' && categoryKey.trim() && !category) {
    problems.push({
      path: 'category',
      message: `unknown category "${categoryKey.slice(0, 64)}"; see the categories query`,
    });
  }
  let details: Record<string, unknown> | undefined;
  const rawDetails = (rawInput as { details?: unknown }).details;
  if (category && rawDetails !== undefined && rawDetails !== null) {
    const parsed = validateDetails(category.definition, rawDetails);
    if (parsed.success) details = parsed.details;
    else problems.push(...parsed.problems);
  }
  if (problems.length || !core.report || !key.success || !category || !details) throw badUserInput(dedupe(problems));
  return { report: core.report, category, details, key: key.data };
}

/** The near miss as the payload shows it, read in the report's transaction. */
async function readNearMiss(tx: Transaction, scope: ReadScope, id: string): Promise<NearMiss> {
  const [nearMiss] = await loadByIds(tx, scope, [id]);
  if (!nearMiss) throw new Error(`reported near miss ${id} is not readable`);
  return nearMiss;
}

const dedupe = (problems: FieldProblem[]) =>
  problems.filter(
    (problem, index) =>
      problems.findIndex((other) => other.path === problem.path && other.message === problem.message) === index,
  );

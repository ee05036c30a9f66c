import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { ReportFacts } from '../../plugins/sdk';
import { recordAudit } from '../audit/audit-log';
import { authorize } from '../auth/role-matrix';
import { worksInService, type Principal } from '../auth/principal';
import type { CategoryRegistry } from '../categories/category-registry';
import { canonicalJson, sha256 } from '../common/canonical-json';
import { badUserInput, conflict, forbidden, type FieldProblem } from '../common/errors';
import { inputHygieneProblems } from '../common/input-hygiene';
import type { Logger } from '../common/logger';
import type { TenantDatabase } from '../database/tenant-scope';
import { enqueueEvent } from '../outbox/outbox';
import { suggestTriage, type TriageSuggestion } from '../triage/triage-suggestion';
import { triageDueAt } from '../triage/triage-due';
import { maxDetailsLength, parseReport, idempotencyKeySchema, toFieldProblems, withoutNulls, type ValidReport } from './report-near-miss.schema';
import { formatReference } from './reference';
import {
  insertWithRepeatWrites, noRepeat, planRepeatTrigger, readRule, readScan, repeatKeyLockSql, repeatKeysParameter, repeatOutcome, repeatRuleSql, repeatScanSql, repeatScanStatement, repeatTriggerRecords, reportRepeatInput,
  type RepeatScan, type RepeatTriggerInput, type ScanRow,
} from '../patterns/repeat-trigger';
import type { RepeatTriggerRule } from '../patterns/repeat-trigger-rule';
import { preparedQuery } from '../database/prepared';
import { workflowFigures } from './workflow-context';
import { similarityKey } from '../patterns/similarity-key';
import { lockRecurrences, reopenRecurrences } from '../corrective-actions/recurrence';
import { readTenantSettings, windowsOf } from '../tenant-settings/tenant-settings';

export interface ReportOutcome {
  nearMissId: string;
  suggestedRoute: TriageSuggestion['route'];
  sameDay: boolean;
  replayed: boolean;
  /** Risk reviews the repeat trigger opened with this report, and open ones it joined. */
  riskReviewsOpened: string[];
  riskReviewsJoined: string[];
}

export interface ReportDependencies {
  registry: CategoryRegistry;
  logger: Logger;
  now?: () => Date;
  /** false skips the repeat trigger: only to measure what it costs (npm run bench:analytics). */
  repeatTrigger?: boolean;
}

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
 * Validates the whole report (core fields and the category's details), then
 * writes it in one transaction with its idempotency key, audit event and
 * outbox event. The same key with the same payload returns the first result.
 */
export async function reportNearMiss(
  dependencies: ReportDependencies,
  principal: Principal,
  db: TenantDatabase,
  rawInput: object,
  idempotencyKey: string,
  /**
   * Runs last in the report's transaction with the near miss's id (the first
   * report's on a replay): the resolver reads the row back there, instead of
   * in a transaction of its own after the commit.
   */
  readBack?: (manager: EntityManager, nearMissId: string) => Promise<void>,
): Promise<ReportOutcome> {
  authorize(principal, 'nearMiss.report');
  const now = dependencies.now?.() ?? new Date();
  // Text PostgreSQL cannot store, and nesting that would overflow the stack, before anything parses it.
  const unsafe = [...inputHygieneProblems(rawInput), ...inputHygieneProblems(idempotencyKey, ['idempotencyKey'])];
  if (unsafe.length) throw badUserInput(unsafe);

  const problems: FieldProblem[] = [];
  const key = idempotencyKeySchema.safeParse(idempotencyKey);
  if (!key.success) problems.push(...toFieldProblems(key.error, ['idempotencyKey']));
  const core = parseReport(withoutNulls(rawInput), now);
  problems.push(...core.problems);

  const categoryKey = (rawInput as { category?: unknown }).category;
  const category = typeof categoryKey === 'string' ? dependencies.registry.get(categoryKey.trim()) : undefined;
  if (typeof categoryKey === 'string' && categoryKey.trim() && !category) {
    problems.push({ path: 'category', message: `unknown category "${categoryKey.slice(0, 64)}"; see the categories query` });
  }
  let details: Record<string, unknown> | undefined;
  const rawDetails = (rawInput as { details?: unknown }).details;
  if (category && rawDetails !== undefined && rawDetails !== null) {
    const serialised = JSON.stringify(rawDetails) ?? '';
    if (serialised.length > maxDetailsLength) {
      problems.push({ path: 'details', message: `must be at most ${maxDetailsLength} characters of JSON` });
    } else {
      const parsed = category.definition.details.safeParse(rawDetails);
      if (parsed.success) details = parsed.data;
      else problems.push(...toFieldProblems(parsed.error, ['details']));
    }
  }
  if (problems.length || !core.report || !key.success || !category || !details) throw badUserInput(dedupe(problems));

  const report = core.report;
  if (!worksInService(principal, report.serviceId)) {
    throw forbidden(`You may only report into your own services; ${report.serviceId} is not one of them`);
  }

  const facts = toReportFacts(report, details);
  const suggestion = suggestTriage(category.definition, facts);
  if (suggestion.failures.length) {
    dependencies.logger.warn('category rule failed; default route used where needed', {
      category: category.definition.key,
      failures: suggestion.failures.map((failure) => failure.ruleId),
    });
  }
  const normalised = { ...report, category: category.definition.key, details };
  const requestHash = sha256(canonicalJson(normalised));

  // With generic plans: the report path's prepared statements are planned once per connection (TransactionOptions).
  return db.transaction(async (manager) => {
    const nearMissId = randomUUID();
    // The repeat trigger rides on three statements of the report (see repeat-trigger.ts): its key locks on
    // the claim, its scan on the category check, its writes on the near miss insert. Lock order, here and
    // everywhere: those key locks, then corrective actions and their near misses (recurrence), then the
    // tenant's audit chain head (the last write).
    const similarity = similarityKey(category.definition, facts);
    const trigger =
      dependencies.repeatTrigger === false ? undefined : reportRepeatInput({ tenantId: principal.tenantId, nearMissId, category, facts, now, similarityKey: similarity });
    const claimParameters = [principal.tenantId, principal.staffId, key.data, requestHash, nearMissId];
    const claimed = trigger?.keys.length
      ? await preparedQuery<{ repeat_rule: number[] | null }>(manager, claimWithRepeatSql, [...claimParameters, repeatKeysParameter(trigger), trigger.categoryKey])
      : await preparedQuery<{ repeat_rule?: undefined }>(manager, claimSql, claimParameters);
    if (claimed.length === 0) {
      const replayed = await replay(manager, principal, key.data, requestHash);
      await readBack?.(manager, replayed.nearMissId);
      return replayed;
    }

    const rule = trigger?.keys.length ? readRule(claimed[0].repeat_rule) : undefined;
    const check = await categoryCheck(manager, principal.tenantId, category.definition.key, trigger, rule);
    if (!check.enabled) {
      throw badUserInput([{ path: 'category', message: `category "${category.definition.key}" is turned off for your organisation` }]);
    }

    const reference = await nextReference(manager, principal.tenantId, now);
    const workflow = workflowFigures(report.occurredAt, report.workflowContext, details);
    const windows = windowsOf(await readTenantSettings(manager, principal.tenantId));
    const insert = {
      sql: `INSERT INTO near_miss (
         id, tenant_id, reference, service_id, category, category_version, status, occurred_at, detected_at, reported_at,
         reported_by, staff_involved_ids, person_id, visit_id, medication_record_id, shift_id, care_plan_id, setting,
         what_happened, how_detected, what_prevented_harm, prevention_reliability, immediate_actions, what_made_this_possible,
         contributing_factors, workflow_stage, potential_harm, details, suggested_route, same_day, suggested_notify, triage_due_at, similarity_key,
         workflow_context, minutes_after_shift_start, minutes_before_shift_end, minutes_after_scheduled, time_critical_medicine, care_plan_review_overdue, staff_employment
       ) VALUES ($1, $2, $3, $4, $5, $6, 'REPORTED', $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
                 $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38, $39)`,
      parameters: [
        nearMissId, principal.tenantId, reference, report.serviceId, category.definition.key, category.definition.version,
        report.occurredAt, report.detectedAt ?? null, now, principal.staffId, report.staffInvolvedIds, report.personId ?? null,
        report.visitId ?? null, report.medicationRecordId ?? null, report.shiftId ?? null, report.carePlanId ?? null, report.setting,
        report.whatHappened, report.howDetected, report.whatPreventedHarm, report.preventionReliability, report.immediateActions,
        report.whatMadeThisPossible ?? null, report.contributingFactors, report.workflowStage ?? null, report.potentialHarm,
        JSON.stringify(details), suggestion.route, suggestion.sameDay, suggestion.notify, triageDueAt(now, suggestion.sameDay, windows),
        similarity,
        report.workflowContext ? JSON.stringify(report.workflowContext) : null, workflow.minutesAfterShiftStart, workflow.minutesBeforeShiftEnd,
        workflow.minutesAfterScheduled, workflow.timeCriticalMedicine, workflow.carePlanReviewOverdue, workflow.staffEmployment,
      ],
    };
    const plan = trigger && check.scan ? planRepeatTrigger(trigger, check.scan) : undefined;
    const assignedTo = await insertWithRepeatWrites(manager, insert, trigger, plan);
    const recurrenceReport = {
      id: nearMissId,
      reference,
      tenantId: principal.tenantId,
      serviceId: report.serviceId,
      category: category.definition.key,
      similarityKey: similarity,
      occurredAt: report.occurredAt,
      reportedAt: now,
    };
    const recurrences = await lockRecurrences(manager, recurrenceReport);
    const repeats = plan ? repeatOutcome(plan, assignedTo) : noRepeat;
    const announced = repeatTriggerRecords(principal.tenantId, nearMissId, repeats);
    await recordAudit(manager, [
      {
        tenantId: principal.tenantId,
        nearMissId,
        actor: principal.staffId,
        action: 'near_miss.reported',
        detail: { reference, category: category.definition.key, suggestedRoute: suggestion.route, sameDay: suggestion.sameDay, firedRules: suggestion.firedRules },
      },
      ...(suggestion.failures.length
        ? [{ tenantId: principal.tenantId, nearMissId, action: 'triage.rule_failed', detail: { failures: suggestion.failures, fallbackRoute: suggestion.route } }]
        : []),
      ...announced.audit,
    ]);
    const reopenedActionIds = await reopenRecurrences(manager, recurrenceReport, recurrences);
    await enqueueEvent(manager, [
      ...announced.events,
      {
        tenantId: principal.tenantId,
        type: 'near_miss.reported',
        aggregateId: nearMissId,
        payload: { reference, serviceId: report.serviceId, category: category.definition.key, suggestedRoute: suggestion.route, sameDay: suggestion.sameDay, reopenedActionIds },
      },
    ]);
    await readBack?.(manager, nearMissId);
    return {
      nearMissId,
      suggestedRoute: suggestion.route,
      sameDay: suggestion.sameDay,
      replayed: false,
      riskReviewsOpened: repeats.opened.map((opened) => opened.reviewId),
      riskReviewsJoined: repeats.joined,
    };
  }, { genericPlans: true });
}

async function replay(manager: EntityManager, principal: Principal, key: string, requestHash: string): Promise<ReportOutcome> {
  const [previous]: { request_hash: string; near_miss_id: string; suggested_route: ReportOutcome['suggestedRoute']; same_day: boolean; opened: string[]; joined: string[] }[] =
    await manager.query(
      `SELECT k.request_hash, k.near_miss_id, n.suggested_route, n.same_day,
         ARRAY(SELECT r.id::text FROM risk_review r WHERE r.tenant_id = k.tenant_id AND r.opened_by_near_miss_id = n.id ORDER BY r.id) AS opened,
         ARRAY(SELECT m.review_id::text FROM risk_review_near_miss m JOIN risk_review r ON r.id = m.review_id
                WHERE m.tenant_id = k.tenant_id AND m.near_miss_id = n.id AND r.opened_by_near_miss_id <> n.id ORDER BY m.review_id) AS joined
       FROM idempotency_key k
       JOIN near_miss n ON n.id = k.near_miss_id
       WHERE k.tenant_id = $1 AND k.reporter_id = $2 AND k.key = $3`,
      [principal.tenantId, principal.staffId, key],
    );
  if (!previous) throw conflict('The idempotency key is in use by a report that is still being saved; retry shortly');
  if (previous.request_hash !== requestHash) {
    throw conflict('This idempotency key was already used for a different report', { field: 'idempotencyKey' });
  }
  return {
    nearMissId: previous.near_miss_id,
    suggestedRoute: previous.suggested_route,
    sameDay: previous.same_day,
    replayed: true,
    riskReviewsOpened: previous.opened,
    riskReviewsJoined: previous.joined,
  };
}

/** The idempotency claim; with the repeat trigger, its key locks and rule ride on it. */
const claimSql = `INSERT INTO idempotency_key (tenant_id, reporter_id, key, request_hash, near_miss_id)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING key`;
const claimWithRepeatSql = `${claimSql}, ${repeatKeyLockSql('$1', '$6')} AS repeat_locks, ${repeatRuleSql('$1', '$7')} AS repeat_rule`;

const categoryEnabledSql = `(SELECT enabled FROM tenant_category_setting WHERE tenant_id = $1 AND category = $2)`;
const categorySql = `SELECT ${categoryEnabledSql} AS enabled`;
/** The category check and, riding on it, the trigger's scan (its parameters from $3). */
const categoryWithScanSql = `SELECT 'category' AS row_kind, NULL::text AS key_hash, NULL::uuid AS member_id, NULL::timestamptz AS member_occurred_at, NULL::uuid AS open_review_id, ${categoryEnabledSql} AS category_enabled
     UNION ALL
     SELECT scan.*, NULL FROM (${repeatScanSql(3)}) AS scan`;

/**
 * Whether the category is turned on for the tenant and, with the repeat
 * trigger (its keys locked and its rule read on the claim), the trigger's
 * scan in the same statement (after the claim took the key locks, so its
 * snapshot sees every report that held them before).
 */
async function categoryCheck(
  manager: EntityManager,
  tenantId: string,
  category: string,
  trigger: RepeatTriggerInput | undefined,
  rule: RepeatTriggerRule | undefined,
): Promise<{ enabled: boolean; scan?: RepeatScan }> {
  if (!trigger || !rule?.enabled) {
    const [row] = await preparedQuery<{ enabled: boolean | null }>(manager, categorySql, [tenantId, category]);
    return { enabled: row?.enabled ?? true, scan: trigger && rule ? readScan(trigger, rule, []) : undefined };
  }
  const scan = repeatScanStatement(trigger, rule, 3);
  const rows = await preparedQuery<(ScanRow & { category_enabled: null }) | { row_kind: 'category'; category_enabled: boolean | null }>(
    manager,
    categoryWithScanSql,
    [tenantId, category, ...scan.parameters],
  );
  const scanned = rows.filter((row): row is ScanRow & { category_enabled: null } => row.row_kind !== 'category');
  return { enabled: rows.find((row) => row.row_kind === 'category')?.category_enabled ?? true, scan: readScan(trigger, rule, scanned) };
}

/** Next per-tenant reference for the year; the counter row lock orders concurrent reports. */
async function nextReference(manager: EntityManager, tenantId: string, now: Date): Promise<string> {
  const year = now.getUTCFullYear();
  const [{ last_value: sequence }]: { last_value: number }[] = await manager.query(
    `INSERT INTO reference_counter (tenant_id, year, last_value) VALUES ($1, $2, 1)
     ON CONFLICT (tenant_id, year) DO UPDATE SET last_value = reference_counter.last_value + 1
     RETURNING last_value`,
    [tenantId, year],
  );
  return formatReference(year, sequence);
}

const dedupe = (problems: FieldProblem[]) =>
  problems.filter((problem, index) => problems.findIndex((other) => other.path === problem.path && other.message === problem.message) === index);

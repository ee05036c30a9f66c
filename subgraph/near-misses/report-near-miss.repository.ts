import { preparedQuery } from '../database/prepared-statement.repository';
import type { Transaction } from '../database/transaction';
import type { ReporterIdentityValue, TriageRouteValue } from '../domain/vocabulary';
import type { RepeatTriggerInput, RepeatWrites, ScanFinding } from '../patterns/repeat-trigger';
import { defaultRepeatTriggerRule, type RepeatTriggerRule } from '../patterns/repeat-trigger-rule';

/*
 * The SQL of a report, in the order reportNearMiss sends it. Hand-written:
 * these statements run on every report, as prepared statements, and the
 * repeat trigger's three steps ride on them (see patterns/repeat-trigger.ts)
 * so that the trigger costs a report no round trip of its own.
 */

/** What a report claims before it writes anything: its idempotency key. */
export interface ReportClaim {
  tenantId: string;
  reporterId: string;
  key: string;
  requestHash: string;
  nearMissId: string;
}

export type ClaimResult = { claimed: false } | { claimed: true; rule: RepeatTriggerRule };

const claimSql = `INSERT INTO idempotency_key (tenant_id, reporter_id, key, request_hash, near_miss_id)
  VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING key`;
// Trigger step 1 rides on the claim: the report's key locks, and the provider's rule for the category.
const claimWithKeysSql = `${claimSql},
  lock_similarity_keys($1, $6::text[]) AS locks,
  (SELECT ARRAY[r.threshold, r.window_days, r.review_due_days, r.enabled::integer] FROM repeat_trigger_rule r
    WHERE r.tenant_id = $1 AND r.category IN ($7, '*') ORDER BY r.category = '*' LIMIT 1) AS rule`;

/**
 * Claims the report's idempotency key (nothing is claimed when another
 * report holds it). With the repeat trigger's keys, it also locks them for
 * the rest of the transaction and reads the provider's rule.
 */
export async function claimReport(
  tx: Transaction,
  claim: ReportClaim,
  trigger: RepeatTriggerInput | undefined,
): Promise<ClaimResult> {
  const values = [claim.tenantId, claim.reporterId, claim.key, claim.requestHash, claim.nearMissId];
  if (!trigger?.keys.length) {
    const rows = await preparedQuery<{ key: string }>(tx, claimSql, values);
    return rows.length ? { claimed: true, rule: defaultRepeatTriggerRule } : { claimed: false };
  }
  const keys = tokenArray(trigger.keys.map((key) => key.key));
  const rows = await preparedQuery<{ rule: number[] | null }>(tx, claimWithKeysSql, [
    ...values,
    keys,
    trigger.categoryKey,
  ]);
  return rows.length ? { claimed: true, rule: ruleOf(rows[0].rule) } : { claimed: false };
}

/** The provider's rule as claimWithKeysSql reads it: [threshold, window days, review due days, enabled 0/1]. */
export function ruleOf(stored: readonly number[] | null | undefined): RepeatTriggerRule {
  if (!stored) return defaultRepeatTriggerRule;
  const [threshold, windowDays, reviewDueDays, enabled] = stored;
  return { threshold, windowDays, reviewDueDays, enabled: enabled === 1 };
}

/** The report that first claimed an idempotency key, and the reviews it opened and joined. */
export interface ClaimedReport {
  requestHash: string;
  nearMissId: string;
  suggestedRoute: TriageRouteValue;
  sameDay: boolean;
  reviewsOpened: string[];
  reviewsJoined: string[];
}

interface ClaimedReportRow {
  request_hash: string;
  near_miss_id: string;
  suggested_route: TriageRouteValue;
  same_day: boolean;
  opened: string[];
  joined: string[];
}

/** The report behind a claimed key; undefined while that report is still being saved. */
export async function findClaimedReport(
  tx: Transaction,
  tenantId: string,
  reporterId: string,
  key: string,
): Promise<ClaimedReport | undefined> {
  const rows = await preparedQuery<ClaimedReportRow>(
    tx,
    `SELECT k.request_hash, k.near_miss_id, n.suggested_route, n.same_day,
       ARRAY(SELECT r.id::text FROM risk_review r
              WHERE r.tenant_id = k.tenant_id AND r.opened_by_near_miss_id = n.id ORDER BY r.id) AS opened,
       ARRAY(SELECT m.review_id::text FROM risk_review_near_miss m JOIN risk_review r ON r.id = m.review_id
              WHERE m.tenant_id = k.tenant_id AND m.near_miss_id = n.id AND r.opened_by_near_miss_id <> n.id
              ORDER BY m.review_id) AS joined
     FROM idempotency_key k
     JOIN near_miss n ON n.id = k.near_miss_id
     WHERE k.tenant_id = $1 AND k.reporter_id = $2 AND k.key = $3`,
    [tenantId, reporterId, key],
  );
  const [row] = rows;
  return (
    row && {
      requestHash: row.request_hash,
      nearMissId: row.near_miss_id,
      suggestedRoute: row.suggested_route,
      sameDay: row.same_day,
      reviewsOpened: row.opened,
      reviewsJoined: row.joined,
    }
  );
}

const categoryEnabledSql = `(SELECT enabled FROM tenant_category_setting WHERE tenant_id = $1 AND category = $2)`;
const categorySql = `SELECT ${categoryEnabledSql} AS enabled`;
// Trigger step 2 rides on the category check: each key's uncounted occurrences within the rule's window
// (its ends are parameters, so they bound the index range scan in a generic plan too) and its open review.
const categoryWithScanSql = `SELECT 'category' AS row_kind, NULL::text AS key, NULL::uuid AS member_id,
       NULL::timestamptz AS member_occurred_at, NULL::uuid AS open_review_id, ${categoryEnabledSql} AS enabled
  UNION ALL
  SELECT 'occurrence', s.similarity_key, s.near_miss_id, s.occurred_at, NULL, NULL
    FROM near_miss_similarity s
   WHERE s.tenant_id = $1 AND s.similarity_key = ANY ($4::text[])
     AND s.occurred_at BETWEEN $5::timestamptz AND $6::timestamptz
     AND s.review_id IS NULL AND s.near_miss_id <> $3::uuid
  UNION ALL
  SELECT 'open', k.similarity_key, NULL, NULL, k.review_id, NULL
    FROM risk_review_key k
   WHERE k.tenant_id = $1 AND k.similarity_key = ANY ($4::text[]) AND k.open`;

interface CategoryCheckRow {
  row_kind: 'category' | 'occurrence' | 'open';
  key: string | null;
  member_id: string | null;
  member_occurred_at: Date | null;
  open_review_id: string | null;
  enabled: boolean | null;
}

/**
 * Whether the category is turned on for the tenant and, when a scan is
 * asked for (the keys were locked by the claim, so this later statement's
 * snapshot sees every report that held them before), what the trigger's
 * scan found within `window`.
 */
export async function checkCategory(
  tx: Transaction,
  tenantId: string,
  category: string,
  scan?: { input: RepeatTriggerInput; window: { from: Date; to: Date } },
): Promise<{ enabled: boolean; findings: ScanFinding[] }> {
  if (!scan) {
    const [row] = await preparedQuery<{ enabled: boolean | null }>(tx, categorySql, [tenantId, category]);
    return { enabled: row?.enabled ?? true, findings: [] };
  }
  const rows = await preparedQuery<CategoryCheckRow>(tx, categoryWithScanSql, [
    tenantId,
    category,
    scan.input.nearMissId,
    tokenArray(scan.input.keys.map((key) => key.key)),
    scan.window.from.toISOString(),
    scan.window.to.toISOString(),
  ]);
  const findings = rows.flatMap((row): ScanFinding[] => {
    if (row.row_kind === 'occurrence' && row.key && row.member_id && row.member_occurred_at) {
      return [
        {
          kind: 'occurrence',
          key: row.key,
          occurrence: { nearMissId: row.member_id, occurredAt: row.member_occurred_at },
        },
      ];
    }
    if (row.row_kind === 'open' && row.key && row.open_review_id) {
      return [{ kind: 'open', key: row.key, reviewId: row.open_review_id }];
    }
    return [];
  });
  return { enabled: rows.find((row) => row.row_kind === 'category')?.enabled ?? true, findings };
}

/** The tenant's next report number for the year; the counter's row lock orders the tenant's reports. */
export async function nextReferenceNumber(tx: Transaction, tenantId: string, year: number): Promise<number> {
  const [row] = await preparedQuery<{ last_value: number }>(
    tx,
    `INSERT INTO reference_counter (tenant_id, year, last_value) VALUES ($1, $2, 1)
     ON CONFLICT (tenant_id, year) DO UPDATE SET last_value = reference_counter.last_value + 1
     RETURNING last_value`,
    [tenantId, year],
  );
  return row.last_value;
}

/** A new near miss, as the report writes it. */
export interface NewNearMiss {
  id: string;
  tenantId: string;
  reference: string;
  serviceId: string;
  category: string;
  categoryVersion: number;
  occurredAt: Date;
  detectedAt: Date | null;
  reportedAt: Date;
  /** Null for ANONYMOUS reports. */
  reportedBy: string | null;
  reporterIdentity: ReporterIdentityValue;
  receiptHash: string | null;
  staffInvolvedIds: string[];
  personId: string | null;
  visitId: string | null;
  medicationRecordId: string | null;
  shiftId: string | null;
  carePlanId: string | null;
  setting: string;
  whatHappened: string;
  howDetected: string;
  whatPreventedHarm: string;
  preventionReliability: string;
  immediateActions: string[];
  whatMadeThisPossible: string | null;
  contributingFactors: string[];
  contributingFactorCodes: string[];
  kindKey: string | null;
  workflowStage: string | null;
  potentialHarm: string;
  details: Record<string, unknown>;
  suggestedRoute: TriageRouteValue;
  sameDay: boolean;
  suggestedNotify: string[];
  triageDueAt: Date;
  similarityKey: string | null;
  workflowContext: object | null;
  minutesAfterShiftStart: number | null;
  minutesBeforeShiftEnd: number | null;
  minutesAfterScheduled: number | null;
  timeCriticalMedicine: boolean;
  carePlanReviewOverdue: boolean | null;
  staffEmployment: string | null;
  nccMerp: string | null;
}

/** The near miss's columns and where each value comes from, in one list so that the two cannot disagree. */
const nearMissValues: readonly [column: string, value: (nearMiss: NewNearMiss) => unknown][] = [
  ['id', (n) => n.id],
  ['tenant_id', (n) => n.tenantId],
  ['reference', (n) => n.reference],
  ['service_id', (n) => n.serviceId],
  ['category', (n) => n.category],
  ['category_version', (n) => n.categoryVersion],
  ['status', () => 'REPORTED'],
  ['occurred_at', (n) => n.occurredAt],
  ['detected_at', (n) => n.detectedAt],
  ['reported_at', (n) => n.reportedAt],
  ['reported_by', (n) => n.reportedBy],
  ['reporter_identity', (n) => n.reporterIdentity],
  ['receipt_hash', (n) => n.receiptHash],
  ['staff_involved_ids', (n) => n.staffInvolvedIds],
  ['person_id', (n) => n.personId],
  ['visit_id', (n) => n.visitId],
  ['medication_record_id', (n) => n.medicationRecordId],
  ['shift_id', (n) => n.shiftId],
  ['care_plan_id', (n) => n.carePlanId],
  ['setting', (n) => n.setting],
  ['what_happened', (n) => n.whatHappened],
  ['how_detected', (n) => n.howDetected],
  ['what_prevented_harm', (n) => n.whatPreventedHarm],
  ['prevention_reliability', (n) => n.preventionReliability],
  ['immediate_actions', (n) => n.immediateActions],
  ['what_made_this_possible', (n) => n.whatMadeThisPossible],
  ['contributing_factors', (n) => n.contributingFactors],
  ['contributing_factor_codes', (n) => n.contributingFactorCodes],
  ['kind_key', (n) => n.kindKey],
  ['workflow_stage', (n) => n.workflowStage],
  ['potential_harm', (n) => n.potentialHarm],
  ['details', (n) => JSON.stringify(n.details)],
  ['suggested_route', (n) => n.suggestedRoute],
  ['same_day', (n) => n.sameDay],
  ['suggested_notify', (n) => n.suggestedNotify],
  ['triage_due_at', (n) => n.triageDueAt],
  ['similarity_key', (n) => n.similarityKey],
  ['workflow_context', (n) => (n.workflowContext ? JSON.stringify(n.workflowContext) : null)],
  ['minutes_after_shift_start', (n) => n.minutesAfterShiftStart],
  ['minutes_before_shift_end', (n) => n.minutesBeforeShiftEnd],
  ['minutes_after_scheduled', (n) => n.minutesAfterScheduled],
  ['time_critical_medicine', (n) => n.timeCriticalMedicine],
  ['care_plan_review_overdue', (n) => n.carePlanReviewOverdue],
  ['staff_employment', (n) => n.staffEmployment],
  ['ncc_merp', (n) => n.nccMerp],
];

const insertSql = `INSERT INTO near_miss (${nearMissValues.map(([column]) => column).join(', ')})
  VALUES (${nearMissValues.map((_, index) => `$${index + 1}`).join(', ')})`;

/** The repeat trigger's writes (step 3), as common table expressions after the near miss insert; parameters from $first. */
export function triggerWritesSql(first: number, shape: 'own' | 'join' | 'count'): string {
  const at = (offset: number) => `$${first + offset}`;
  const [tenant, nearMiss, now] = [at(0), at(1), at(5)];
  const own = `own_keys AS (
      INSERT INTO near_miss_similarity (tenant_id, similarity_key, occurred_at, near_miss_id, review_id)
      SELECT ${tenant}::text, own.key, ${at(2)}::timestamptz, ${nearMiss}::uuid, own.review_id
        FROM unnest(${at(3)}::text[], ${at(4)}::uuid[]) AS own (key, review_id)
    )`;
  if (shape === 'own') return `${own} SELECT NULL::text AS assigned_to`;
  const linked = `linked AS (
      INSERT INTO risk_review_near_miss (tenant_id, review_id, near_miss_id, joined_at)
      SELECT ${tenant}, member.review_id, member.near_miss_id, ${now}
        FROM unnest(${at(6)}::uuid[], ${at(7)}::uuid[]) AS member (review_id, near_miss_id)
      ON CONFLICT DO NOTHING
    )`;
  if (shape === 'join') return `${own}, ${linked} SELECT NULL::text AS assigned_to`;
  return `${own}, ${linked}, review AS (
      INSERT INTO risk_review (id, tenant_id, reason, category, service_id, basis, threshold, window_days, opened_at,
                               opened_by_near_miss_id, due_by, assigned_to)
      SELECT ${at(8)}::uuid, ${tenant}, ${at(9)}, ${at(10)}, ${at(11)}, ${at(12)}, ${at(13)}::integer, ${at(14)}::integer,
             ${now}, ${nearMiss}, ${at(15)},
             (SELECT staff_id FROM service_manager WHERE tenant_id = ${tenant} AND service_id = ${at(11)})
       WHERE ${at(8)}::uuid IS NOT NULL
      RETURNING assigned_to
    ), counted AS (
      UPDATE near_miss_similarity s SET review_id = pair.review_id
        FROM unnest(${at(16)}::uuid[], ${at(17)}::text[], ${at(18)}::uuid[], ${at(19)}::timestamptz[])
             AS pair (review_id, similarity_key, near_miss_id, occurred_at)
       WHERE s.tenant_id = ${tenant} AND s.similarity_key = pair.similarity_key AND s.near_miss_id = pair.near_miss_id
         -- A range, not equality: the occurrence times came back through JavaScript dates (milliseconds).
         AND s.occurred_at BETWEEN pair.occurred_at - interval '1 millisecond' AND pair.occurred_at + interval '1 millisecond'
    ), review_keys AS (
      INSERT INTO risk_review_key (tenant_id, review_id, similarity_key, open)
      SELECT ${tenant}, new_key.review_id, new_key.key, true
        FROM unnest(${at(20)}::uuid[], ${at(21)}::text[]) AS new_key (review_id, key)
    ) SELECT (SELECT assigned_to FROM review) AS assigned_to`;
}

// Trigger step 3 rides on the near miss insert, which runs as a data-modifying WITH; built once per shape.
const insertWithTriggerSql = {
  own: `WITH report AS (${insertSql}), ${triggerWritesSql(nearMissValues.length + 1, 'own')}`,
  join: `WITH report AS (${insertSql}), ${triggerWritesSql(nearMissValues.length + 1, 'join')}`,
  count: `WITH report AS (${insertSql}), ${triggerWritesSql(nearMissValues.length + 1, 'count')}`,
};

/**
 * Inserts the near miss and, with the repeat trigger, what its plan writes
 * in the same statement. Returns the assignee of a review it opened.
 */
export async function insertNearMiss(
  tx: Transaction,
  nearMiss: NewNearMiss,
  trigger?: { input: RepeatTriggerInput; writes: RepeatWrites & { shape: 'own' | 'join' | 'count' } },
): Promise<string | null> {
  const values = nearMissValues.map(([, value]) => value(nearMiss));
  if (!trigger?.input.keys.length) {
    await preparedQuery(tx, insertSql, values);
    return null;
  }
  const [row] = await preparedQuery<{ assigned_to: string | null }>(tx, insertWithTriggerSql[trigger.writes.shape], [
    ...values,
    ...triggerWriteValues(trigger.input, trigger.writes),
  ]);
  return row?.assigned_to ?? null;
}

/** The parameters of triggerWritesSql, in order. */
export function triggerWriteValues(
  input: RepeatTriggerInput,
  writes: RepeatWrites & { shape: 'own' | 'join' | 'count' },
): unknown[] {
  const own = [
    input.tenantId,
    input.nearMissId,
    input.occurredAt.toISOString(),
    tokenArray(input.keys.map((key) => key.key)),
    tokenArray(writes.keyReviews),
  ];
  if (writes.shape === 'own') return own;
  const links = [
    input.now.toISOString(),
    tokenArray(writes.links.map((link) => link.reviewId)),
    tokenArray(writes.links.map((link) => link.nearMissId)),
  ];
  if (writes.shape === 'join') return [...own, ...links];
  const { opened, counted, reviewKeys } = writes;
  return [
    ...own,
    ...links,
    opened?.id ?? null,
    opened?.reason ?? null,
    input.categoryKey,
    input.serviceId,
    opened?.basis ?? null,
    opened?.rule.threshold ?? null,
    opened?.rule.windowDays ?? null,
    opened?.dueBy.toISOString() ?? null,
    tokenArray(counted.map((row) => row.reviewId)),
    tokenArray(counted.map((row) => row.key)),
    tokenArray(counted.map((row) => row.nearMissId)),
    counted.map((row) => row.occurredAt.toISOString()),
    tokenArray(reviewKeys.map((row) => row.reviewId)),
    tokenArray(reviewKeys.map((row) => row.key)),
  ];
}

/**
 * An array parameter of plain tokens (hex keys, uuids, integers, nulls) as a
 * PostgreSQL array literal, joined once instead of escaped element by
 * element by the driver. Anything else goes as an array, for the driver to
 * escape.
 */
export function tokenArray(values: readonly (string | null)[]): string | (string | null)[] {
  const plain = values.every((value) => value === null || (/^[0-9A-Za-z-]+$/.test(value) && !/^null$/i.test(value)));
  return plain ? `{${values.map((value) => value ?? 'NULL').join(',')}}` : [...values];
}

import type { EntityManager } from 'typeorm';
import { recordAudit } from '../audit/audit-log';
import { enqueueEvent } from '../outbox/outbox';
import type { ReportFacts } from '../../plugins/sdk';
import type { RegisteredCategory } from '../categories/category-registry';
import { repeatKeyLocks, repeatKeys, type RepeatKey } from './repeat-trigger-keys';
import { decideRepeatTrigger, defaultRepeatTriggerRule, windowMembers, type KeyState, type OpeningWindow, type RepeatTriggerRule } from './repeat-trigger-rule';

const dayMs = 24 * 60 * 60 * 1000;

export interface RepeatTriggerInput {
  tenantId: string;
  nearMissId: string;
  categoryKey: string;
  serviceId: string;
  occurredAt: Date;
  keys: readonly RepeatKey[];
  now: Date;
}

export interface RepeatTriggerOutcome {
  opened: { reviewId: string; basis: RepeatKey['basis']; nearMissIds: string[]; assignedTo: string | null }[];
  joined: string[];
}

export const noRepeat: RepeatTriggerOutcome = { opened: [], joined: [] };

type ScanRow = {
  row_kind: 'rule' | 'occurrence' | 'open';
  key_hash: string | null;
  member_id: string | null;
  member_occurred_at: Date | null;
  open_review_id: string | null;
  rule_threshold: number | null;
  rule_window_days: number | null;
  rule_review_due_days: number | null;
  rule_enabled: boolean | null;
};

/**
 * One round trip (repeat_trigger_scan, see the Patterns migration): records
 * the report's similarity keys, takes their locks in ascending order so that
 * reports sharing a key, on any replica, are judged one after another, then
 * reads under the locks the provider's rule, the open reviews of the keys and
 * the similar occurrences near the report that no review counted yet.
 */
async function scanKeys(manager: EntityManager, input: RepeatTriggerInput): Promise<{ rule: RepeatTriggerRule; states: KeyState[] }> {
  const keys = input.keys.map((key) => key.key);
  const rows: ScanRow[] = await manager.query(`SELECT * FROM repeat_trigger_scan($1, $2, $3, $4::text[], $5::bigint[], $6, $7)`, [
    input.tenantId, input.nearMissId, input.occurredAt, keys, repeatKeyLocks(input.tenantId, keys), input.categoryKey, defaultRepeatTriggerRule.windowDays,
  ]);
  const stored = rows.find((row) => row.row_kind === 'rule');
  const rule: RepeatTriggerRule = stored?.rule_threshold
    ? { threshold: stored.rule_threshold, windowDays: stored.rule_window_days!, reviewDueDays: stored.rule_review_due_days!, enabled: stored.rule_enabled! }
    : defaultRepeatTriggerRule;
  const states = input.keys.map((key) => {
    const mine = rows.filter((row) => row.key_hash === key.key);
    return {
      key,
      openReviewId: mine.find((row) => row.row_kind === 'open')?.open_review_id ?? undefined,
      uncounted: mine.flatMap((row) => (row.row_kind === 'occurrence' ? [{ nearMissId: row.member_id!, occurredAt: row.member_occurred_at! }] : [])),
    };
  });
  return { rule, states };
}

/** Marks the occurrences a review counted (per key), and links the near misses to it. */
async function countInto(manager: EntityManager, tenantId: string, reviewId: string, nearMissId: string, windows: readonly OpeningWindow[], joinedKeys: readonly RepeatKey[], now: Date) {
  const pairs = [
    ...windows.flatMap((window) => [...window.members.map((member) => [window.key.key, member.nearMissId]), [window.key.key, nearMissId]]),
    ...joinedKeys.map((key) => [key.key, nearMissId]),
  ];
  await manager.query(
    `WITH counted AS (
       UPDATE near_miss_similarity s SET review_id = $2
         FROM unnest($3::text[], $4::uuid[]) AS pair (similarity_key, near_miss_id)
        WHERE s.tenant_id = $1 AND s.similarity_key = pair.similarity_key AND s.near_miss_id = pair.near_miss_id
     ), keys AS (
       INSERT INTO risk_review_key (tenant_id, review_id, similarity_key, open)
       SELECT $1, $2, key, true FROM unnest($5::text[]) AS key
     )
     INSERT INTO risk_review_near_miss (tenant_id, review_id, near_miss_id, joined_at)
     SELECT $1, $2, member, $7 FROM unnest($6::uuid[]) AS member
     ON CONFLICT DO NOTHING`,
    [
      tenantId, reviewId, pairs.map(([key]) => key), pairs.map(([, id]) => id), windows.map((window) => window.key.key),
      [nearMissId, ...windowMembers(windows)], now,
    ],
  );
}

/**
 * The repeat trigger, inside the report's transaction and after its insert
 * (call it before recordAudit, which takes the tenant's audit lock). Opens a
 * review assigned to the service's manager when similar near misses reach the
 * provider's threshold, or adds the report to the open review it repeats.
 */
export async function evaluateRepeatTrigger(manager: EntityManager, input: RepeatTriggerInput): Promise<RepeatTriggerOutcome> {
  if (!input.keys.length) return noRepeat;
  const { rule, states } = await scanKeys(manager, input);
  if (!rule.enabled) return noRepeat;
  const decision = decideRepeatTrigger(rule, input.categoryKey, input.occurredAt, states);
  const outcome: RepeatTriggerOutcome = { opened: [], joined: [] };

  for (const { reviewId, keys } of decision.join) {
    const windows = decision.extend?.reviewId === reviewId ? decision.extend.windows : [];
    await countInto(manager, input.tenantId, reviewId, input.nearMissId, windows, keys, input.now);
    outcome.joined.push(reviewId);
  }
  if (decision.open) {
    const [first] = decision.open.windows;
    const [review]: { id: string; assigned_to: string | null }[] = await manager.query(
      `INSERT INTO risk_review (tenant_id, reason, category, service_id, basis, threshold, window_days, opened_at, opened_by_near_miss_id, due_by, assigned_to)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, (SELECT staff_id FROM service_manager WHERE tenant_id = $1 AND service_id = $4))
       RETURNING id, assigned_to`,
      [
        input.tenantId, decision.open.reason, input.categoryKey, input.serviceId, first.key.basis, rule.threshold, rule.windowDays, input.now, input.nearMissId,
        new Date(input.now.getTime() + rule.reviewDueDays * dayMs),
      ],
    );
    await countInto(manager, input.tenantId, review.id, input.nearMissId, decision.open.windows, [], input.now);
    outcome.opened.push({ reviewId: review.id, basis: first.key.basis, nearMissIds: [...windowMembers(decision.open.windows), input.nearMissId], assignedTo: review.assigned_to });
  }
  return outcome;
}

/**
 * The audit and outbox events for what the trigger did; call after the
 * report's own audit event, in the same transaction. Events carry ids and
 * codes only: the manager is told through the outbox.
 */
export async function announceRepeatTrigger(manager: EntityManager, tenantId: string, nearMissId: string, outcome: RepeatTriggerOutcome): Promise<void> {
  for (const opened of outcome.opened) {
    await recordAudit(manager, { tenantId, nearMissId, action: 'risk_review.opened', detail: { reviewId: opened.reviewId, basis: opened.basis, nearMissIds: opened.nearMissIds } });
    await enqueueEvent(manager, {
      tenantId,
      type: 'risk_review.opened',
      aggregateId: opened.reviewId,
      payload: { reviewId: opened.reviewId, basis: opened.basis, nearMissIds: opened.nearMissIds, assignedTo: opened.assignedTo, notify: ['registered manager'] },
    });
  }
  for (const reviewId of outcome.joined) {
    await recordAudit(manager, { tenantId, nearMissId, action: 'risk_review.joined', detail: { reviewId } });
    await enqueueEvent(manager, { tenantId, type: 'risk_review.joined', aggregateId: reviewId, payload: { reviewId, nearMissId } });
  }
}

/** The repeat trigger for a report just inserted: its keys from the category plugin and the report, then evaluateRepeatTrigger. */
export function evaluateReportRepeats(
  manager: EntityManager,
  report: { tenantId: string; nearMissId: string; category: Pick<RegisteredCategory, 'definition'>; facts: ReportFacts; now: Date },
): Promise<RepeatTriggerOutcome> {
  return evaluateRepeatTrigger(manager, {
    tenantId: report.tenantId,
    nearMissId: report.nearMissId,
    categoryKey: report.category.definition.key,
    serviceId: report.facts.serviceId,
    occurredAt: report.facts.occurredAt,
    keys: repeatKeys(report.category.definition, report.facts),
    now: report.now,
  });
}

import type { EntityManager } from 'typeorm';
import { recordAudit } from '../audit/audit-log';
import { enqueueEvent } from '../outbox/outbox';
import type { ReportFacts } from '../../plugins/sdk';
import type { RegisteredCategory } from '../categories/category-registry';
import { detailTitlesOf, repeatKeyLocks, repeatKeys, type RepeatKey } from './repeat-trigger-keys';
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

type RuleRow = { threshold: number | null; window_days: number | null; review_due_days: number | null; enabled: boolean | null };

/**
 * Records the report's similarity keys, then takes their locks (ascending) so
 * that reports sharing a key, on any replica, are judged one after another:
 * the next statement's snapshot sees every similar report committed before.
 * One statement; also reads the provider's rule for the category.
 */
async function recordKeysAndLock(manager: EntityManager, input: RepeatTriggerInput): Promise<RepeatTriggerRule> {
  const [row]: RuleRow[] = await manager.query(
    `WITH recorded AS (
       INSERT INTO near_miss_similarity (tenant_id, similarity_key, occurred_at, near_miss_id)
       SELECT $1, key, $3, $4 FROM unnest($2::text[]) AS key
     ), locked AS (
       SELECT count(*) AS locks FROM (SELECT pg_advisory_xact_lock(lock_id) FROM unnest($5::bigint[]) AS lock_id ORDER BY lock_id) ordered
     )
     SELECT locked.locks, rule.threshold, rule.window_days, rule.review_due_days, rule.enabled
     FROM locked LEFT JOIN LATERAL (
       SELECT threshold, window_days, review_due_days, enabled FROM repeat_trigger_rule
       WHERE tenant_id = $1 AND category IN ($6, '*') ORDER BY category = '*' LIMIT 1
     ) rule ON true`,
    [input.tenantId, input.keys.map((key) => key.key), input.occurredAt, input.nearMissId, repeatKeyLocks(input.tenantId, input.keys.map((key) => key.key)), input.categoryKey],
  );
  return row?.threshold
    ? { threshold: row.threshold, windowDays: row.window_days!, reviewDueDays: row.review_due_days!, enabled: row.enabled! }
    : defaultRepeatTriggerRule;
}

/** Under the locks: open reviews of the keys, and similar occurrences near the report that no review counted yet. */
async function readKeyStates(manager: EntityManager, input: RepeatTriggerInput, rule: RepeatTriggerRule): Promise<KeyState[]> {
  const width = rule.windowDays * dayMs;
  const rows: { similarity_key: string; near_miss_id: string | null; occurred_at: Date | null; review_id: string | null }[] = await manager.query(
    `SELECT s.similarity_key, s.near_miss_id, s.occurred_at, NULL::uuid AS review_id FROM near_miss_similarity s
      WHERE s.tenant_id = $1 AND s.similarity_key = ANY($2::text[]) AND s.occurred_at BETWEEN $3 AND $4
        AND s.review_id IS NULL AND s.near_miss_id <> $5
     UNION ALL
     SELECT k.similarity_key, NULL, NULL, k.review_id FROM risk_review_key k
      WHERE k.tenant_id = $1 AND k.similarity_key = ANY($2::text[]) AND k.open`,
    [input.tenantId, input.keys.map((key) => key.key), new Date(input.occurredAt.getTime() - width), new Date(input.occurredAt.getTime() + width), input.nearMissId],
  );
  return input.keys.map((key) => {
    const mine = rows.filter((row) => row.similarity_key === key.key);
    return {
      key,
      openReviewId: mine.find((row) => row.review_id)?.review_id ?? undefined,
      uncounted: mine.flatMap((row) => (row.near_miss_id && row.occurred_at ? [{ nearMissId: row.near_miss_id, occurredAt: row.occurred_at }] : [])),
    };
  });
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
  const rule = await recordKeysAndLock(manager, input);
  if (!rule.enabled) return noRepeat;
  const decision = decideRepeatTrigger(rule, input.categoryKey, input.occurredAt, await readKeyStates(manager, input, rule));
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
  report: { tenantId: string; nearMissId: string; category: RegisteredCategory; facts: ReportFacts; now: Date },
): Promise<RepeatTriggerOutcome> {
  return evaluateRepeatTrigger(manager, {
    tenantId: report.tenantId,
    nearMissId: report.nearMissId,
    categoryKey: report.category.definition.key,
    serviceId: report.facts.serviceId,
    occurredAt: report.facts.occurredAt,
    keys: repeatKeys(report.category.definition, report.facts, detailTitlesOf(report.category.fieldsSchema)),
    now: report.now,
  });
}

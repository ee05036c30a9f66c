import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { AuditEntry } from '../audit/audit-log';
import type { OutboxEvent } from '../outbox/outbox';
import type { ReportFacts } from '../../plugins/sdk';
import type { RegisteredCategory } from '../categories/category-registry';
import { repeatKeyLocks, repeatKeys, type RepeatKey } from './repeat-trigger-keys';
import { decideRepeatTrigger, defaultRepeatTriggerRule, windowMembers, type KeyState, type Occurrence, type OpeningWindow, type RepeatTriggerRule } from './repeat-trigger-rule';

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

/** What the trigger read under its key locks: the provider's rule and, per key, the open review and uncounted occurrences. */
export interface RepeatScan {
  rule: RepeatTriggerRule;
  states: KeyState[];
}

/**
 * The scan (repeat_trigger_scan, see the Patterns and RepeatScan migrations):
 * records the report's similarity keys, takes their locks in ascending order
 * so that reports sharing a key, on any replica, are judged one after
 * another, then reads under the locks the provider's rule, the open reviews
 * of the keys and the similar occurrences near the report that no review
 * counted yet. Its parameters are numbered from `first`, so that the scan can
 * ride on another statement of the report (see insertWithRepeatScan).
 */
function scanStatement(input: RepeatTriggerInput, first: number): { sql: string; parameters: unknown[] } {
  const keys = input.keys.map((key) => key.key);
  const at = (offset: number) => `$${first + offset}`;
  return {
    sql: `SELECT * FROM repeat_trigger_scan(${at(0)}, ${at(1)}, ${at(2)}, ${at(3)}::text[], ${at(4)}::bigint[], ${at(5)}, ${at(6)})`,
    parameters: [input.tenantId, input.nearMissId, input.occurredAt, keys, repeatKeyLocks(input.tenantId, keys), input.categoryKey, defaultRepeatTriggerRule.windowDays],
  };
}

function readScan(input: RepeatTriggerInput, rows: readonly ScanRow[]): RepeatScan {
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

/** The scan on its own round trip, after the report's insert. */
export async function scanRepeatKeys(manager: EntityManager, input: RepeatTriggerInput): Promise<RepeatScan> {
  const { sql, parameters } = scanStatement(input, 1);
  return readScan(input, await manager.query(sql, parameters));
}

/**
 * The report's insert and the trigger's scan in one round trip: the insert
 * (a plain INSERT without RETURNING, parameters $1..$n) runs as a data-modifying
 * WITH, the scan as the statement's query. The scan needs nothing of the new
 * row: the similarity rows it records reference it through a deferred key,
 * and it reads only other reports. Without a trigger input (the trigger is
 * off) or without keys it is the insert alone.
 */
export async function insertWithRepeatScan(manager: EntityManager, insert: { sql: string; parameters: readonly unknown[] }, input: RepeatTriggerInput | undefined): Promise<RepeatScan> {
  if (!input?.keys.length) {
    await manager.query(insert.sql, [...insert.parameters]);
    return { rule: defaultRepeatTriggerRule, states: [] };
  }
  const scan = scanStatement(input, insert.parameters.length + 1);
  const rows: ScanRow[] = await manager.query(`WITH report AS (${insert.sql}) ${scan.sql}`, [...insert.parameters, ...scan.parameters]);
  return readScan(input, rows);
}

/** What one report adds to one review: the keys it now stands for, and the occurrences it counted (per key). */
interface Counting {
  reviewId: string;
  windows: readonly OpeningWindow[];
  joinedKeys: readonly RepeatKey[];
}

interface NewReview {
  id: string;
  reason: string;
  basis: RepeatKey['basis'];
  rule: RepeatTriggerRule;
}

/**
 * One statement for everything a decision writes: the new review (if any),
 * its keys, the occurrences counted per key, and the near misses linked.
 * Returns the new review's assignee (the service's manager, if named).
 */
async function applyDecision(manager: EntityManager, input: RepeatTriggerInput, countings: readonly Counting[], opened?: NewReview): Promise<string | null> {
  const report: Occurrence = { nearMissId: input.nearMissId, occurredAt: input.occurredAt };
  const pairs = countings.flatMap((counting) => [
    ...counting.windows.flatMap((window) => [...window.members, report].map((member) => ({ reviewId: counting.reviewId, key: window.key.key, member }))),
    ...counting.joinedKeys.map((key) => ({ reviewId: counting.reviewId, key: key.key, member: report })),
  ]);
  const newKeys = countings.flatMap((counting) => counting.windows.map((window) => [counting.reviewId, window.key.key]));
  const members = countings.flatMap((counting) => [input.nearMissId, ...windowMembers(counting.windows)].map((member) => [counting.reviewId, member]));
  const [row]: { assigned_to: string | null }[] = await manager.query(
    `WITH review AS (
       INSERT INTO risk_review (id, tenant_id, reason, category, service_id, basis, threshold, window_days, opened_at, opened_by_near_miss_id, due_by, assigned_to)
       SELECT $11::uuid, $1, $12, $13, $14, $15, $16, $17, $9, $2, $18, (SELECT staff_id FROM service_manager WHERE tenant_id = $1 AND service_id = $14)
       WHERE $11::uuid IS NOT NULL
       RETURNING assigned_to
     ), counted AS (
       UPDATE near_miss_similarity s SET review_id = pair.review_id
         FROM unnest($3::uuid[], $4::text[], $5::uuid[], $19::timestamptz[]) AS pair (review_id, similarity_key, near_miss_id, occurred_at)
        WHERE s.tenant_id = $1 AND s.similarity_key = pair.similarity_key AND s.near_miss_id = pair.near_miss_id
          -- A range, not equality: the key's occurrence times came back through JavaScript dates (milliseconds).
          AND s.occurred_at BETWEEN pair.occurred_at - interval '1 millisecond' AND pair.occurred_at + interval '1 millisecond'
     ), keys AS (
       INSERT INTO risk_review_key (tenant_id, review_id, similarity_key, open)
       SELECT $1, review_id, key, true FROM unnest($6::uuid[], $7::text[]) AS new_key (review_id, key)
     ), linked AS (
       INSERT INTO risk_review_near_miss (tenant_id, review_id, near_miss_id, joined_at)
       SELECT $1, review_id, near_miss_id, $9 FROM unnest($8::uuid[], $10::uuid[]) AS member (review_id, near_miss_id)
       ON CONFLICT DO NOTHING
     )
     SELECT (SELECT assigned_to FROM review) AS assigned_to`,
    [
      input.tenantId, input.nearMissId, pairs.map((pair) => pair.reviewId), pairs.map((pair) => pair.key), pairs.map((pair) => pair.member.nearMissId),
      newKeys.map(([review]) => review), newKeys.map(([, key]) => key), members.map(([review]) => review), input.now, members.map(([, id]) => id),
      opened?.id ?? null, opened?.reason ?? null, input.categoryKey, input.serviceId, opened?.basis ?? null, opened?.rule.threshold ?? null, opened?.rule.windowDays ?? null,
      opened ? new Date(input.now.getTime() + opened.rule.reviewDueDays * dayMs) : null,
      pairs.map((pair) => pair.member.occurredAt),
    ],
  );
  return row?.assigned_to ?? null;
}

/**
 * Decides from a scan and writes what the decision says: opens a review
 * assigned to the service's manager when similar near misses reach the
 * provider's threshold, or adds the report to the open reviews it repeats.
 * One statement when something happens, none when nothing does.
 */
export async function applyRepeatTrigger(manager: EntityManager, input: RepeatTriggerInput, { rule, states }: RepeatScan): Promise<RepeatTriggerOutcome> {
  if (!rule.enabled || !states.length) return noRepeat;
  const decision = decideRepeatTrigger(rule, input.categoryKey, input.occurredAt, states);
  const countings: Counting[] = decision.join.map(({ reviewId, keys }) => ({
    reviewId,
    joinedKeys: keys,
    windows: decision.extend?.reviewId === reviewId ? decision.extend.windows : [],
  }));
  const opened = decision.open ? { id: randomUUID(), reason: decision.open.reason, basis: decision.open.windows[0].key.basis, rule } : undefined;
  if (opened && decision.open) countings.push({ reviewId: opened.id, windows: decision.open.windows, joinedKeys: [] });
  if (!countings.length) return noRepeat;
  const assignedTo = await applyDecision(manager, input, countings, opened);
  return {
    opened: opened && decision.open ? [{ reviewId: opened.id, basis: opened.basis, nearMissIds: [...windowMembers(decision.open.windows), input.nearMissId], assignedTo }] : [],
    joined: decision.join.map((join) => join.reviewId),
  };
}

/**
 * The repeat trigger on its own, inside a transaction and after the near
 * miss's insert (before any audit write, which takes the tenant's audit
 * lock): the scan, then the decision. reportNearMiss rides the scan on its
 * insert instead (insertWithRepeatScan, then applyRepeatTrigger).
 */
export async function evaluateRepeatTrigger(manager: EntityManager, input: RepeatTriggerInput): Promise<RepeatTriggerOutcome> {
  if (!input.keys.length) return noRepeat;
  return applyRepeatTrigger(manager, input, await scanRepeatKeys(manager, input));
}

/**
 * The audit entries and outbox events for what the trigger did, to write
 * with the report's own (after them, in the same transaction). Events carry
 * ids and codes only: the manager is told through the outbox.
 */
export function repeatTriggerRecords(tenantId: string, nearMissId: string, outcome: RepeatTriggerOutcome): { audit: AuditEntry[]; events: OutboxEvent[] } {
  const audit: AuditEntry[] = [];
  const events: OutboxEvent[] = [];
  for (const opened of outcome.opened) {
    audit.push({ tenantId, nearMissId, action: 'risk_review.opened', detail: { reviewId: opened.reviewId, basis: opened.basis, nearMissIds: opened.nearMissIds } });
    events.push({
      tenantId,
      type: 'risk_review.opened',
      aggregateId: opened.reviewId,
      payload: { reviewId: opened.reviewId, basis: opened.basis, nearMissIds: opened.nearMissIds, assignedTo: opened.assignedTo, notify: ['registered manager'] },
    });
  }
  if (outcome.joined.length) {
    // One entry for every review the report joined: a join is frequent.
    audit.push({ tenantId, nearMissId, action: 'risk_review.joined', detail: { reviewIds: outcome.joined } });
    events.push({ tenantId, type: 'risk_review.joined', aggregateId: nearMissId, payload: { nearMissId, reviewIds: outcome.joined } });
  }
  return { audit, events };
}

/** The repeat-trigger input for a report: its keys from the category plugin and the report's facts. */
export function reportRepeatInput(report: { tenantId: string; nearMissId: string; category: Pick<RegisteredCategory, 'definition'>; facts: ReportFacts; now: Date }): RepeatTriggerInput {
  return {
    tenantId: report.tenantId,
    nearMissId: report.nearMissId,
    categoryKey: report.category.definition.key,
    serviceId: report.facts.serviceId,
    occurredAt: report.facts.occurredAt,
    keys: repeatKeys(report.category.definition, report.facts),
    now: report.now,
  };
}

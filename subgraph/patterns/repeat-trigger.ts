import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { preparedQuery } from '../database/prepared';
import type { AuditEntry } from '../audit/audit-log';
import type { OutboxEvent } from '../outbox/outbox';
import type { ReportFacts } from '../../plugins/sdk';
import type { RegisteredCategory } from '../categories/category-registry';
import { repeatKeys, type RepeatKey } from './repeat-trigger-keys';
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

export type ScanRow = {
  row_kind: 'occurrence' | 'open';
  key_hash: string;
  member_id: string | null;
  member_occurred_at: Date | null;
  open_review_id: string | null;
};

/** What the trigger read under its key locks: the provider's rule and, per key, the open review and uncounted occurrences. */
export interface RepeatScan {
  rule: RepeatTriggerRule;
  states: KeyState[];
}

/**
 * The trigger in three steps, each riding on a statement the report sends
 * anyway, so that it costs a report no round trip of its own:
 *
 * 1. lock: the advisory locks of the report's keys, in ascending order, so
 *    that reports sharing a key, on any replica, are judged one after
 *    another, and the provider's rule (riding on the idempotency claim, see
 *    repeatKeyLockSql and repeatRuleSql);
 * 2. scan: read under the locks, in a later statement (whose snapshot sees
 *    every report that held them before), the open review of each key and
 *    the similar occurrences within the rule's window of the report that no
 *    review counted yet (riding on the category check, see repeatScanStatement);
 * 3. write: the report's similarity rows, already counted into the reviews
 *    the decision names, and what the decision writes (riding on the near
 *    miss insert, see insertWithRepeatWrites).
 *
 * The decision between 2 and 3 is the plain function decideRepeatTrigger.
 * evaluateRepeatTrigger runs the three steps on their own round trips.
 */

/**
 * An array parameter of plain tokens (hex keys, uuids, integers, nulls) as a
 * PostgreSQL array literal, joined once: the driver would escape it element
 * by element, which measured about 40 µs a report. Anything else goes as an
 * array, for the driver to escape.
 */
export function tokenArray(values: readonly (string | null)[]): string | (string | null)[] {
  const plain = values.every((value) => value === null || (/^[0-9A-Za-z-]+$/.test(value) && !/^null$/i.test(value)));
  return plain ? `{${values.map((value) => value ?? 'NULL').join(',')}}` : [...values];
}

/** A timestamptz parameter as text: the driver's own date formatting costs several microseconds a date. */
const timestamp = (date: Date) => date.toISOString();

/** The report's keys as a text[] parameter (for repeatKeyLockSql and the scan). */
export const repeatKeysParameter = (input: RepeatTriggerInput): string | (string | null)[] => tokenArray(input.keys.map((key) => key.key));

/**
 * An expression that takes the advisory locks of a tenant's similarity keys
 * (a text and a text[] parameter) in ascending order of lock id (the sort
 * runs before the volatile lock calls) and counts them. A key's lock id is
 * the first 8 bytes, as a signed big-endian integer, of the SHA-256 of
 * "repeat-trigger", the tenant and the key separated by zero bytes: computed
 * here by PostgreSQL, and the same as the ids that earlier releases computed
 * in Node, so replicas of both agree during a rolling deploy. Every path
 * that locks keys (reports, concluding a review) uses this expression.
 */
export const repeatKeyLockSql = (tenant: string, keys: string) =>
  `(SELECT count(pg_advisory_xact_lock(lock_id)) FROM (
     SELECT DISTINCT ('x' || encode(substring(sha256(
              convert_to('repeat-trigger', 'UTF8') || decode('00', 'hex') || convert_to(${tenant}::text, 'UTF8') || decode('00', 'hex') || convert_to(key, 'UTF8')
            ) FROM 1 FOR 8), 'hex'))::bit(64)::bigint AS lock_id
       FROM unnest(${keys}::text[]) AS key ORDER BY 1
   ) AS ordered)`;

/**
 * An expression for the provider's rule for a category (a tenant and a
 * category parameter): an integer array [threshold, window days, review due
 * days, enabled as 0 or 1], or null for the default rule.
 */
export const repeatRuleSql = (tenant: string, category: string) =>
  `(SELECT ARRAY[r.threshold, r.window_days, r.review_due_days, r.enabled::integer] FROM repeat_trigger_rule r
     WHERE r.tenant_id = ${tenant} AND r.category IN (${category}, '*') ORDER BY r.category = '*' LIMIT 1)`;

/** The rule repeatRuleSql read. */
export function readRule(stored: readonly number[] | null | undefined): RepeatTriggerRule {
  if (!stored) return defaultRepeatTriggerRule;
  const [threshold, windowDays, reviewDueDays, enabled] = stored;
  return { threshold, windowDays, reviewDueDays, enabled: enabled === 1 };
}

/** Step 1 on its own round trip: the locks, and the rule. */
export async function lockRepeatKeys(manager: EntityManager, input: RepeatTriggerInput): Promise<RepeatTriggerRule> {
  const [row]: { rule: number[] | null }[] = await manager.query(`SELECT ${repeatKeyLockSql('$1', '$2')} AS locks, ${repeatRuleSql('$1', '$3')} AS rule`, [
    input.tenantId,
    repeatKeysParameter(input),
    input.categoryKey,
  ]);
  return readRule(row.rule);
}

/**
 * Step 2's query, its parameters numbered from `first`: the 'occurrence' rows
 * (similar reports within the rule's window of the report's occurrence,
 * before or after it, that no review counted yet) and the 'open' rows (each
 * key's open review). The window's ends are parameters, so that they bound
 * the index range scan in a generic plan too.
 */
export function repeatScanStatement(input: RepeatTriggerInput, rule: RepeatTriggerRule, first: number): { sql: string; parameters: unknown[] } {
  const width = rule.windowDays * dayMs;
  return {
    sql: repeatScanSql(first),
    parameters: [
      input.tenantId, input.nearMissId, repeatKeysParameter(input),
      timestamp(new Date(input.occurredAt.getTime() - width)), timestamp(new Date(input.occurredAt.getTime() + width)),
    ],
  };
}

/**
 * A statement's text, built once per shape: a report sends the same few
 * texts every time, and one that is the same string each time is hashed once
 * where it is looked up (preparedQuery keeps statements by text).
 */
const texts = new Map<string, unknown>();
function textOnce<T = string>(shape: string, build: () => T): T {
  let text = texts.get(shape) as T | undefined;
  if (text === undefined) texts.set(shape, (text = build()));
  return text;
}

/**
 * Step 2's text, its parameters numbered from `first` (see repeatScanStatement). Earlier releases read
 * through the function repeat_trigger_read (OneSimilarityIndex migration); it is no longer called, and
 * stays for their replicas during a rolling deploy until a later migration drops it.
 */
export const repeatScanSql = (first: number) =>
  textOnce(`scan ${first}`, () => {
    const at = (offset: number) => `$${first + offset}`;
    return `SELECT 'occurrence' AS row_kind, s.similarity_key AS key_hash, s.near_miss_id AS member_id, s.occurred_at AS member_occurred_at, NULL::uuid AS open_review_id
            FROM near_miss_similarity s
           WHERE s.tenant_id = ${at(0)} AND s.similarity_key = ANY (${at(2)}::text[]) AND s.occurred_at BETWEEN ${at(3)}::timestamptz AND ${at(4)}::timestamptz
             AND s.review_id IS NULL AND s.near_miss_id <> ${at(1)}::uuid
          UNION ALL
          SELECT 'open', k.similarity_key, NULL, NULL, k.review_id
            FROM risk_review_key k
           WHERE k.tenant_id = ${at(0)} AND k.similarity_key = ANY (${at(2)}::text[]) AND k.open`;
  });

/** What step 2 read, by key (nothing when the rule is off: the scan is not run). */
export function readScan(input: RepeatTriggerInput, rule: RepeatTriggerRule, rows: readonly ScanRow[]): RepeatScan {
  if (!rule.enabled) return { rule, states: [] };
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

/** Step 2 on its own round trip (after step 1). */
export async function scanRepeatKeys(manager: EntityManager, input: RepeatTriggerInput, rule: RepeatTriggerRule): Promise<RepeatScan> {
  if (!rule.enabled) return readScan(input, rule, []);
  const { sql, parameters } = repeatScanStatement(input, rule, 1);
  return readScan(input, rule, await manager.query(sql, parameters));
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

/** A decision, ready to write: the reviews it counts into, the review it opens, and the review each of the report's keys is counted into. */
export interface RepeatPlan {
  countings: readonly Counting[];
  opened?: NewReview;
  openedMembers: readonly string[];
  joined: readonly string[];
  /** Per key of the report (in input.keys order): the review that counts it, or null. */
  keyReviews: readonly (string | null)[];
}

/** Decides from a scan (decideRepeatTrigger) and names what to write. */
export function planRepeatTrigger(input: RepeatTriggerInput, { rule, states }: RepeatScan): RepeatPlan {
  const decision = rule.enabled && states.length ? decideRepeatTrigger(rule, input.categoryKey, input.occurredAt, states) : { join: [] };
  const countings: Counting[] = decision.join.map(({ reviewId, keys }) => ({
    reviewId,
    joinedKeys: keys,
    windows: decision.extend?.reviewId === reviewId ? decision.extend.windows : [],
  }));
  const opened = decision.open ? { id: randomUUID(), reason: decision.open.reason, basis: decision.open.windows[0].key.basis, rule } : undefined;
  if (opened && decision.open) countings.push({ reviewId: opened.id, windows: decision.open.windows, joinedKeys: [] });
  const reviewOfKey = new Map<string, string>();
  for (const counting of countings) {
    for (const key of [...counting.joinedKeys, ...counting.windows.map((window) => window.key)]) reviewOfKey.set(key.key, counting.reviewId);
  }
  return {
    countings,
    opened,
    openedMembers: opened && decision.open ? [...windowMembers(decision.open.windows), input.nearMissId] : [],
    joined: decision.join.map((join) => join.reviewId),
    keyReviews: input.keys.map((key) => reviewOfKey.get(key.key) ?? null),
  };
}

/**
 * Step 3's common table expressions and the query after them, parameters
 * numbered from `first`: the report's similarity rows (counted where the
 * plan says), and, when the plan counts anything, the near misses it links
 * and, when it opens or extends a review, the new review (assigned to the
 * service's manager), its keys and the other occurrences it counts. The
 * query returns the new review's assignee. Rows another statement of the
 * report inserts (its near miss) are checked at commit (deferred keys), so
 * this may ride on that statement.
 */
function repeatWriteStatement(input: RepeatTriggerInput, plan: RepeatPlan, first: number): { ctes: string; query: string; parameters: unknown[] } {
  const ownParameters: unknown[] = [input.tenantId, input.nearMissId, timestamp(input.occurredAt), repeatKeysParameter(input), tokenArray(plan.keyReviews)];
  if (!plan.countings.length) return { ...writeSql(first, 'own'), parameters: ownParameters };
  const members = plan.countings.flatMap((counting) => [input.nearMissId, ...windowMembers(counting.windows)].map((member) => [counting.reviewId, member]));
  const linkParameters = [timestamp(input.now), tokenArray(members.map(([review]) => review)), tokenArray(members.map(([, id]) => id))];
  // Joining open reviews (the common case) only links the report.
  if (!plan.opened && plan.countings.every((counting) => !counting.windows.length)) return { ...writeSql(first, 'join'), parameters: [...ownParameters, ...linkParameters] };
  const pairs = plan.countings.flatMap((counting) =>
    counting.windows.flatMap((window) => window.members.map((member) => ({ reviewId: counting.reviewId, key: window.key.key, member }))),
  );
  const newKeys = plan.countings.flatMap((counting) => counting.windows.map((window) => [counting.reviewId, window.key.key]));
  const opened = plan.opened;
  return {
    ...writeSql(first, 'count'),
    parameters: [
      ...ownParameters,
      ...linkParameters,
      opened?.id ?? null, opened?.reason ?? null, input.categoryKey, input.serviceId, opened?.basis ?? null, opened?.rule.threshold ?? null, opened?.rule.windowDays ?? null,
      opened ? timestamp(new Date(input.now.getTime() + opened.rule.reviewDueDays * dayMs)) : null,
      tokenArray(pairs.map((pair) => pair.reviewId)), tokenArray(pairs.map((pair) => pair.key)), tokenArray(pairs.map((pair) => pair.member.nearMissId)),
      pairs.map((pair) => timestamp(pair.member.occurredAt)),
      tokenArray(newKeys.map(([review]) => review)), tokenArray(newKeys.map(([, key]) => key)),
    ],
  };
}

/** Step 3's text for parameters numbered from `first`: the report's own rows; and links; and a new or extended review. */
const writeSql = (first: number, shape: 'own' | 'join' | 'count') =>
  textOnce(`write ${first} ${shape}`, (): { ctes: string; query: string } => {
    const at = (offset: number) => `$${first + offset}`;
    const [tenant, nearMiss, now] = [at(0), at(1), at(5)];
    const own = `own_keys AS (
        INSERT INTO near_miss_similarity (tenant_id, similarity_key, occurred_at, near_miss_id, review_id)
        SELECT ${tenant}::text, own.key, ${at(2)}::timestamptz, ${nearMiss}::uuid, own.review_id FROM unnest(${at(3)}::text[], ${at(4)}::uuid[]) AS own (key, review_id)
      )`;
    if (shape === 'own') return { ctes: own, query: 'SELECT NULL::text AS assigned_to' };
    const linked = `linked AS (
        INSERT INTO risk_review_near_miss (tenant_id, review_id, near_miss_id, joined_at)
        SELECT ${tenant}, member.review_id, member.near_miss_id, ${now} FROM unnest(${at(6)}::uuid[], ${at(7)}::uuid[]) AS member (review_id, near_miss_id)
        ON CONFLICT DO NOTHING
      )`;
    if (shape === 'join') return { ctes: `${own}, ${linked}`, query: 'SELECT NULL::text AS assigned_to' };
    return {
      ctes: `${own}, ${linked}, review AS (
        INSERT INTO risk_review (id, tenant_id, reason, category, service_id, basis, threshold, window_days, opened_at, opened_by_near_miss_id, due_by, assigned_to)
        SELECT ${at(8)}::uuid, ${tenant}, ${at(9)}, ${at(10)}, ${at(11)}, ${at(12)}, ${at(13)}::integer, ${at(14)}::integer, ${now}, ${nearMiss}, ${at(15)},
               (SELECT staff_id FROM service_manager WHERE tenant_id = ${tenant} AND service_id = ${at(11)})
         WHERE ${at(8)}::uuid IS NOT NULL
        RETURNING assigned_to
      ), counted AS (
        UPDATE near_miss_similarity s SET review_id = pair.review_id
          FROM unnest(${at(16)}::uuid[], ${at(17)}::text[], ${at(18)}::uuid[], ${at(19)}::timestamptz[]) AS pair (review_id, similarity_key, near_miss_id, occurred_at)
         WHERE s.tenant_id = ${tenant} AND s.similarity_key = pair.similarity_key AND s.near_miss_id = pair.near_miss_id
           -- A range, not equality: the occurrence times came back through JavaScript dates (milliseconds).
           AND s.occurred_at BETWEEN pair.occurred_at - interval '1 millisecond' AND pair.occurred_at + interval '1 millisecond'
      ), review_keys AS (
        INSERT INTO risk_review_key (tenant_id, review_id, similarity_key, open)
        SELECT ${tenant}, new_key.review_id, new_key.key, true FROM unnest(${at(20)}::uuid[], ${at(21)}::text[]) AS new_key (review_id, key)
      )`,
      query: 'SELECT (SELECT assigned_to FROM review) AS assigned_to',
    };
  });

/** What the trigger did, once step 3 is written. */
export const repeatOutcome = (plan: RepeatPlan, assignedTo: string | null): RepeatTriggerOutcome => ({
  opened: plan.opened ? [{ reviewId: plan.opened.id, basis: plan.opened.basis, nearMissIds: [...plan.openedMembers], assignedTo }] : [],
  joined: [...plan.joined],
});

/** The report's insert and step 3 as one text, once per insert text and shape of step 3. */
const withReports = new Map<string, Map<string, string>>();
function withReport(insert: string, write: { ctes: string; query: string }): string {
  let byWrite = withReports.get(insert);
  if (!byWrite) withReports.set(insert, (byWrite = new Map()));
  let text = byWrite.get(write.ctes);
  if (text === undefined) byWrite.set(write.ctes, (text = `WITH report AS (${insert}), ${write.ctes} ${write.query}`));
  return text;
}

/**
 * The report's insert (a plain INSERT without RETURNING, parameters $1..$n)
 * and step 3 in one statement: the insert runs as a data-modifying WITH. The
 * new review's assignee comes back. Without a trigger input (the trigger is
 * off) or without keys it is the insert alone.
 */
export async function insertWithRepeatWrites(
  manager: EntityManager,
  insert: { sql: string; parameters: readonly unknown[] },
  input: RepeatTriggerInput | undefined,
  plan: RepeatPlan | undefined,
): Promise<string | null> {
  if (!input?.keys.length || !plan) {
    await preparedQuery(manager, insert.sql, insert.parameters);
    return null;
  }
  const write = repeatWriteStatement(input, plan, insert.parameters.length + 1);
  const text = withReport(insert.sql, write);
  const [row] = await preparedQuery<{ assigned_to: string | null }>(manager, text, [...insert.parameters, ...write.parameters]);
  return row?.assigned_to ?? null;
}

/**
 * The repeat trigger on its own, inside a transaction and after the near
 * miss's insert (before any audit write, which takes the tenant's audit
 * lock): lock, scan, decide and write, each on its own round trip.
 * reportNearMiss rides the steps on its own statements instead.
 */
export async function evaluateRepeatTrigger(manager: EntityManager, input: RepeatTriggerInput): Promise<RepeatTriggerOutcome> {
  if (!input.keys.length) return noRepeat;
  const rule = await lockRepeatKeys(manager, input);
  const plan = planRepeatTrigger(input, await scanRepeatKeys(manager, input, rule));
  const write = repeatWriteStatement(input, plan, 1);
  const [row]: { assigned_to: string | null }[] = await manager.query(`WITH ${write.ctes} ${write.query}`, write.parameters);
  return repeatOutcome(plan, row?.assigned_to ?? null);
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
export function reportRepeatInput(report: {
  tenantId: string;
  nearMissId: string;
  category: Pick<RegisteredCategory, 'definition'>;
  facts: ReportFacts;
  now: Date;
  /** The report's similarity key, if already computed. */
  similarityKey?: string | null;
}): RepeatTriggerInput {
  return {
    tenantId: report.tenantId,
    nearMissId: report.nearMissId,
    categoryKey: report.category.definition.key,
    serviceId: report.facts.serviceId,
    occurredAt: report.facts.occurredAt,
    keys: report.similarityKey === undefined ? repeatKeys(report.category.definition, report.facts) : repeatKeys(report.category.definition, report.facts, report.similarityKey),
    now: report.now,
  };
}

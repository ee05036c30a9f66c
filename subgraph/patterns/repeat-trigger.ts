import { randomUUID } from 'node:crypto';
import type { AuditEntry } from '../audit/audit-log';
import type { OutboxEvent } from '../outbox/outbox';
import type { ReportFacts } from '../../plugins/sdk';
import type { RegisteredCategory } from '../categories/category-registry';
import { repeatKeys, type RepeatKey } from './repeat-trigger-keys';
import {
  decideRepeatTrigger,
  windowMembers,
  type KeyState,
  type Occurrence,
  type OpeningWindow,
  type RepeatTriggerRule,
} from './repeat-trigger-rule';

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

/**
 * The repeat trigger as plain functions; the report's repository runs it on
 * the report's own statements (near-misses/report-near-miss.repository.ts):
 *
 * 1. lock: the report's similarity keys, so that reports sharing a key, on
 *    any replica, are judged one after another; and read the provider's rule;
 * 2. scan: under the locks, each key's open review and the similar
 *    occurrences within the rule's window (repeatWindowOf) that no review
 *    counted yet, gathered by key with scanOf;
 * 3. decide (planRepeatTrigger, over decideRepeatTrigger) and write what the
 *    plan names: the report's similarity rows, counted into the reviews the
 *    decision names, the links of a join, a new or extended review.
 */

/** What step 2 found, by key: the provider's rule and each key's state. */
export interface RepeatScan {
  rule: RepeatTriggerRule;
  states: KeyState[];
}

/** One row step 2 read: an uncounted similar occurrence of a key, or a key's open review. */
export type ScanFinding =
  { kind: 'occurrence'; key: string; occurrence: Occurrence } | { kind: 'open'; key: string; reviewId: string };

/** The span of occurrence times step 2 reads: the rule's window on either side of the report. */
export function repeatWindowOf(input: RepeatTriggerInput, rule: RepeatTriggerRule): { from: Date; to: Date } {
  const width = rule.windowDays * dayMs;
  return { from: new Date(input.occurredAt.getTime() - width), to: new Date(input.occurredAt.getTime() + width) };
}

/** What step 2 read, by key (nothing when the rule is off: the scan is not run). */
export function scanOf(
  input: RepeatTriggerInput,
  rule: RepeatTriggerRule,
  findings: readonly ScanFinding[],
): RepeatScan {
  if (!rule.enabled) return { rule, states: [] };
  const states = input.keys.map((key) => {
    const mine = findings.filter((finding) => finding.key === key.key);
    return {
      key,
      openReviewId: mine.flatMap((finding) => (finding.kind === 'open' ? [finding.reviewId] : []))[0],
      uncounted: mine.flatMap((finding) => (finding.kind === 'occurrence' ? [finding.occurrence] : [])),
    };
  });
  return { rule, states };
}

/** What one report adds to one review: the keys it now stands for, and the occurrences it counted (per key). */
export interface Counting {
  reviewId: string;
  windows: readonly OpeningWindow[];
  joinedKeys: readonly RepeatKey[];
}

export interface NewReview {
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
  const decision =
    rule.enabled && states.length
      ? decideRepeatTrigger(rule, input.categoryKey, input.occurredAt, states)
      : { join: [] };
  const countings: Counting[] = decision.join.map(({ reviewId, keys }) => ({
    reviewId,
    joinedKeys: keys,
    windows: decision.extend?.reviewId === reviewId ? decision.extend.windows : [],
  }));
  const opened = decision.open
    ? { id: randomUUID(), reason: decision.open.reason, basis: decision.open.windows[0].key.basis, rule }
    : undefined;
  if (opened && decision.open) countings.push({ reviewId: opened.id, windows: decision.open.windows, joinedKeys: [] });
  const reviewOfKey = new Map<string, string>();
  for (const counting of countings) {
    for (const key of [...counting.joinedKeys, ...counting.windows.map((window) => window.key)])
      reviewOfKey.set(key.key, counting.reviewId);
  }
  return {
    countings,
    opened,
    openedMembers: opened && decision.open ? [...windowMembers(decision.open.windows), input.nearMissId] : [],
    joined: decision.join.map((join) => join.reviewId),
    keyReviews: input.keys.map((key) => reviewOfKey.get(key.key) ?? null),
  };
}

/** What step 3 writes for a plan, as rows. */
export interface RepeatWrites {
  /** Per key of the report (in input.keys order): the review that counts it, or null. */
  keyReviews: readonly (string | null)[];
  /** Near misses each review gains: the report and the occurrences it counts. */
  links: readonly { reviewId: string; nearMissId: string }[];
  /** The review the plan opens, due after the rule's review days. */
  opened?: NewReview & { dueBy: Date };
  /** Similarity rows of other reports the plan counts into a review. */
  counted: readonly { reviewId: string; key: string; nearMissId: string; occurredAt: Date }[];
  /** Keys a review now stands for. */
  reviewKeys: readonly { reviewId: string; key: string }[];
}

/** The rows a plan writes: 'own' (the report's similarity rows alone), 'join' (and links), 'count' (and a review opened or extended). */
export function repeatWritesOf(
  input: RepeatTriggerInput,
  plan: RepeatPlan,
): RepeatWrites & { shape: 'own' | 'join' | 'count' } {
  const links = plan.countings.flatMap((counting) =>
    [input.nearMissId, ...windowMembers(counting.windows)].map((nearMissId) => ({
      reviewId: counting.reviewId,
      nearMissId,
    })),
  );
  const counted = plan.countings.flatMap((counting) =>
    counting.windows.flatMap((window) =>
      window.members.map((member) => ({ reviewId: counting.reviewId, key: window.key.key, ...member })),
    ),
  );
  const reviewKeys = plan.countings.flatMap((counting) =>
    counting.windows.map((window) => ({ reviewId: counting.reviewId, key: window.key.key })),
  );
  const opened = plan.opened && {
    ...plan.opened,
    dueBy: new Date(input.now.getTime() + plan.opened.rule.reviewDueDays * dayMs),
  };
  const shape = !plan.countings.length ? 'own' : !opened && !counted.length && !reviewKeys.length ? 'join' : 'count';
  return { shape, keyReviews: plan.keyReviews, links, opened, counted, reviewKeys };
}

/** What the trigger did, once step 3 is written. */
export const repeatOutcome = (plan: RepeatPlan, assignedTo: string | null): RepeatTriggerOutcome => ({
  opened: plan.opened
    ? [{ reviewId: plan.opened.id, basis: plan.opened.basis, nearMissIds: [...plan.openedMembers], assignedTo }]
    : [],
  joined: [...plan.joined],
});

/**
 * The audit entries and outbox events for what the trigger did, to write
 * with the report's own (after them, in the same transaction). Events carry
 * ids and codes only: the manager is told through the outbox.
 */
export function repeatTriggerRecords(
  tenantId: string,
  nearMissId: string,
  outcome: RepeatTriggerOutcome,
): { audit: AuditEntry[]; events: OutboxEvent[] } {
  const audit: AuditEntry[] = [];
  const events: OutboxEvent[] = [];
  for (const opened of outcome.opened) {
    audit.push({
      tenantId,
      nearMissId,
      action: 'risk_review.opened',
      detail: { reviewId: opened.reviewId, basis: opened.basis, nearMissIds: opened.nearMissIds },
    });
    events.push({
      tenantId,
      type: 'risk_review.opened',
      aggregateId: opened.reviewId,
      payload: {
        reviewId: opened.reviewId,
        basis: opened.basis,
        nearMissIds: opened.nearMissIds,
        assignedTo: opened.assignedTo,
        notify: ['registered manager'],
      },
    });
  }
  if (outcome.joined.length) {
    // One entry for every review the report joined: a join is frequent.
    audit.push({ tenantId, nearMissId, action: 'risk_review.joined', detail: { reviewIds: outcome.joined } });
    events.push({
      tenantId,
      type: 'risk_review.joined',
      aggregateId: nearMissId,
      payload: { nearMissId, reviewIds: outcome.joined },
    });
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
  /** The report's similarity key (similarity-key.ts). */
  similarityKey: string | null;
}): RepeatTriggerInput {
  return {
    tenantId: report.tenantId,
    nearMissId: report.nearMissId,
    categoryKey: report.category.definition.key,
    serviceId: report.facts.serviceId,
    occurredAt: report.facts.occurredAt,
    keys: repeatKeys(report.category.definition, report.facts, report.similarityKey),
    now: report.now,
  };
}

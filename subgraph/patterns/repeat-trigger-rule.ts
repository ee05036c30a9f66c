import type { RepeatKey } from './repeat-trigger-keys';

/** A provider's rule for one category: how many similar near misses in how many days open a risk review. */
export interface RepeatTriggerRule {
  threshold: number;
  windowDays: number;
  /** Days the manager has to conclude a review. */
  reviewDueDays: number;
  enabled: boolean;
}

/** "Three similar near misses in fourteen days", reviewed within a week. */
export const defaultRepeatTriggerRule: RepeatTriggerRule = {
  threshold: 3,
  windowDays: 14,
  reviewDueDays: 7,
  enabled: true,
};

const dayMs = 24 * 60 * 60 * 1000;

export interface Occurrence {
  nearMissId: string;
  occurredAt: Date;
}

/**
 * The fullest window of `windowDays` (first to last occurrence at most that
 * far apart) that contains `at` and the most other occurrences; the others in
 * it when, with the new one, they reach the threshold. Late reports work the
 * same way: the window may lie on either side of `at`.
 */
export function repeatWindow(
  others: readonly Occurrence[],
  at: Date,
  windowDays: number,
  threshold: number,
): Occurrence[] | null {
  // Most keys of most reports: too few occurrences for any window, whatever their times.
  if (others.length + 1 < threshold) return null;
  const width = windowDays * dayMs;
  const t = at.getTime();
  const near = others.filter((other) => Math.abs(other.occurredAt.getTime() - t) <= width);
  const points = [
    ...near.map((other) => ({ time: other.occurredAt.getTime(), other })),
    { time: t, other: undefined },
  ].sort((a, b) => a.time - b.time);
  let best: { from: number; to: number } | null = null;
  let end = 0;
  for (let start = 0; start < points.length && points[start].time <= t; start += 1) {
    if (points[start].time < t - width) continue;
    end = Math.max(end, start);
    while (end < points.length && points[end].time <= points[start].time + width) end += 1;
    if (!best || end - start > best.to - best.from) best = { from: start, to: end };
  }
  if (!best || best.to - best.from < threshold) return null;
  return points.slice(best.from, best.to).flatMap((point) => (point.other ? [point.other] : []));
}

/** What the trigger knows about one of the report's keys, read under that key's lock. */
export interface KeyState {
  key: RepeatKey;
  /** The open review that already stands for this key, if any. */
  openReviewId?: string;
  /** Similar near misses (not this report) near its time that no review has counted yet. */
  uncounted: readonly Occurrence[];
}

export interface OpeningWindow {
  key: RepeatKey;
  members: Occurrence[];
}

export interface RepeatTriggerDecision {
  /** Open reviews this report joins, with the keys through which it joins them. */
  join: { reviewId: string; keys: RepeatKey[] }[];
  /** A new review, when keys without an open review reach the threshold and the report joins none. */
  open?: { windows: OpeningWindow[]; reason: string };
  /** Keys reaching the threshold while the report joins a review: that review takes them on. */
  extend?: { reviewId: string; windows: OpeningWindow[] };
}

/** "3 medication near misses for one person with the same medication name in 14 days" */
export function repeatReason(categoryKey: string, window: OpeningWindow, windowDays: number): string {
  const count = window.members.length + 1;
  const category = categoryKey.replace(/-/g, ' ');
  return `${count} ${category} near misses ${window.key.phrase} in ${windowDays} days`;
}

/**
 * The repeat trigger: the first time similar near misses reach the threshold
 * within the window a review opens (one, whatever the number of keys that
 * reach it together); while a review is open, similar reports join it
 * instead. Repetition matters more than outcome: harm plays no part.
 */
export function decideRepeatTrigger(
  rule: RepeatTriggerRule,
  categoryKey: string,
  occurredAt: Date,
  states: readonly KeyState[],
): RepeatTriggerDecision {
  if (!rule.enabled) return { join: [] };
  const joined = new Map<string, RepeatKey[]>();
  for (const state of states) {
    if (state.openReviewId) joined.set(state.openReviewId, [...(joined.get(state.openReviewId) ?? []), state.key]);
  }
  const join = [...joined.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([reviewId, keys]) => ({ reviewId, keys }));
  const windows: OpeningWindow[] = [];
  for (const state of states) {
    if (state.openReviewId) continue;
    const members = repeatWindow(state.uncounted, occurredAt, rule.windowDays, rule.threshold);
    if (members) windows.push({ key: state.key, members });
  }
  if (!windows.length) return { join };
  if (join.length) return { join, extend: { reviewId: join[0].reviewId, windows } };
  return { join, open: { windows, reason: repeatReason(categoryKey, windows[0], rule.windowDays) } };
}

/** Near misses a decision counts into a review (besides the report itself), without duplicates. */
export const windowMembers = (windows: readonly OpeningWindow[]) => [
  ...new Set(windows.flatMap((window) => window.members.map((member) => member.nearMissId))),
];

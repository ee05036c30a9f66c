import type { RepeatKey } from '../../subgraph/patterns/repeat-trigger-keys';
import {
  decideRepeatTrigger,
  defaultRepeatTriggerRule,
  repeatWindow,
  type KeyState,
  type Occurrence,
} from '../../subgraph/patterns/repeat-trigger-rule';

const day = 24 * 60 * 60 * 1000;
const at = (days: number) => new Date(Date.UTC(2026, 0, 1) + days * day);
const occurrences = (...days: number[]): Occurrence[] =>
  days.map((offset, index) => ({ nearMissId: `nm-${index}-${offset}`, occurredAt: at(offset) }));
const key = (name: string, basis: RepeatKey['basis'] = 'CATEGORY_SIMILARITY'): RepeatKey => ({
  key: name,
  basis,
  phrase: `for ${name}`,
});

describe('repeatWindow', () => {
  it.each([
    ['two earlier ones within 14 days', [0, 7], 13, 2],
    ['the window spanning exactly 14 days', [0], 14, 1],
    ['a late report between two others', [0, 13], 5, 2],
    ['a late report before two others', [3, 10], 0, 2],
  ])('finds %s', (_, others, offset, members) => {
    expect(repeatWindow(occurrences(...others), at(offset), 14, members + 1)).toHaveLength(members);
  });

  it.each([
    ['one other only', [0], 3],
    ['others too far apart to share a 14-day window with the new one', [0, 20], 10],
    ['others more than 14 days before', [-30, -16], 0],
  ])('finds nothing with %s', (_, others, offset) => {
    expect(repeatWindow(occurrences(...others), at(offset), 14, 3)).toBeNull();
  });

  it('returns the fullest window, so a burst counts as one pattern', () => {
    const members = repeatWindow(occurrences(0, 1, 2, 20, 21), at(10), 14, 3);
    expect(members?.map((member) => member.occurredAt.getTime())).toEqual(
      [at(0), at(1), at(2)].map((date) => date.getTime()),
    );
  });
});

describe('decideRepeatTrigger', () => {
  const state = (name: string, others: number[], openReviewId?: string, basis?: RepeatKey['basis']): KeyState => ({
    key: key(name, basis),
    openReviewId,
    uncounted: occurrences(...others),
  });

  it('opens nothing below the threshold', () => {
    expect(decideRepeatTrigger(defaultRepeatTriggerRule, 'medication', at(10), [state('a', [5])])).toEqual({
      join: [],
    });
  });

  it('opens one review for every key that reaches the threshold, named after the first (strongest) key', () => {
    const decision = decideRepeatTrigger(defaultRepeatTriggerRule, 'medication', at(10), [
      state('person', [5, 8]),
      state('stage', [6, 9], undefined, 'WORKFLOW_STAGE'),
    ]);
    expect(decision.join).toEqual([]);
    expect(decision.open?.windows.map((window) => window.key.key)).toEqual(['person', 'stage']);
    expect(decision.open?.reason).toBe('3 medication near misses for person in 14 days');
  });

  it('counts the whole window in the reason', () => {
    const decision = decideRepeatTrigger(defaultRepeatTriggerRule, 'rota', at(10), [state('visit', [1, 3, 5, 8])]);
    expect(decision.open?.reason).toBe('5 rota near misses for visit in 14 days');
  });

  it('joins an open review instead of opening another, and hands it keys that reach the threshold alongside', () => {
    const decision = decideRepeatTrigger(defaultRepeatTriggerRule, 'medication', at(10), [
      state('person', [], 'review-1'),
      state('stage', [6, 9]),
    ]);
    expect(decision.open).toBeUndefined();
    expect(decision.join).toEqual([{ reviewId: 'review-1', keys: [key('person')] }]);
    expect(decision.extend?.reviewId).toBe('review-1');
    expect(decision.extend?.windows.map((window) => window.members.length)).toEqual([2]);
  });

  it('joins every open review the report repeats', () => {
    const decision = decideRepeatTrigger(defaultRepeatTriggerRule, 'medication', at(10), [
      state('b', [], 'review-b'),
      state('a', [], 'review-a'),
      state('c', [], 'review-a'),
    ]);
    expect(decision.join).toEqual([
      { reviewId: 'review-a', keys: [key('a'), key('c')] },
      { reviewId: 'review-b', keys: [key('b')] },
    ]);
  });

  it('follows the provider rule, and does nothing when it is off', () => {
    const rule = { threshold: 2, windowDays: 7, reviewDueDays: 3, enabled: true };
    expect(decideRepeatTrigger(rule, 'medication', at(10), [state('a', [4])]).open?.reason).toBe(
      '2 medication near misses for a in 7 days',
    );
    expect(decideRepeatTrigger(rule, 'medication', at(10), [state('a', [2])]).open).toBeUndefined();
    expect(
      decideRepeatTrigger({ ...rule, enabled: false }, 'medication', at(10), [state('a', [9], 'review-1')]),
    ).toEqual({ join: [] });
  });
});

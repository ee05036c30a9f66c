import type { RepeatKey } from '../../subgraph/patterns/repeat-trigger-keys';
import { defaultRepeatTriggerRule, type Occurrence } from '../../subgraph/patterns/repeat-trigger-rule';
import { planRepeatTrigger, readRule, readScan, repeatOutcome, repeatScanStatement, tokenArray, type RepeatTriggerInput } from '../../subgraph/patterns/repeat-trigger';

const day = 24 * 60 * 60 * 1000;
const at = (days: number) => new Date(Date.UTC(2026, 0, 1) + days * day);
const key = (name: string, basis: RepeatKey['basis'] = 'CATEGORY_SIMILARITY'): RepeatKey => ({ key: name, basis, phrase: `for ${name}` });
const occurrences = (...days: number[]): Occurrence[] => days.map((offset) => ({ nearMissId: `nm-${offset}`, occurredAt: at(offset) }));

const input = (keys: RepeatKey[]): RepeatTriggerInput => ({
  tenantId: 't',
  nearMissId: 'report',
  categoryKey: 'medication',
  serviceId: 'north',
  occurredAt: at(10),
  keys,
  now: at(11),
});

describe('planRepeatTrigger', () => {
  it('counts each of the report\'s keys into the review that takes it, and leaves the others uncounted', () => {
    const keys = [key('joins'), key('opens', 'WORKFLOW_STAGE'), key('quiet', 'CONTRIBUTING_FACTOR')];
    const plan = planRepeatTrigger(input(keys), {
      rule: defaultRepeatTriggerRule,
      states: [
        { key: keys[0], openReviewId: 'review-open', uncounted: [] },
        { key: keys[1], uncounted: occurrences(4, 8) },
        { key: keys[2], uncounted: occurrences(9) },
      ],
    });
    // The report joins the open review, so the key reaching the threshold extends that review instead of opening one.
    expect(plan.opened).toBeUndefined();
    expect(plan.joined).toEqual(['review-open']);
    expect(plan.keyReviews).toEqual(['review-open', 'review-open', null]);
    expect(plan.countings).toHaveLength(1);
    expect(plan.countings[0].windows.flatMap((window) => window.members.map((member) => member.nearMissId))).toEqual(['nm-4', 'nm-8']);
    expect(repeatOutcome(plan, null)).toEqual({ opened: [], joined: ['review-open'] });
  });

  it('opens one review with the report and the occurrences of its window, assigned as the write says', () => {
    const keys = [key('person'), key('stage', 'WORKFLOW_STAGE')];
    const plan = planRepeatTrigger(input(keys), {
      rule: defaultRepeatTriggerRule,
      states: [
        { key: keys[0], uncounted: occurrences(2, 6) },
        { key: keys[1], uncounted: occurrences(30) },
      ],
    });
    expect(plan.opened).toMatchObject({ basis: 'CATEGORY_SIMILARITY', reason: '3 medication near misses for person in 14 days' });
    expect(plan.keyReviews).toEqual([plan.opened!.id, null]);
    expect(repeatOutcome(plan, 'staff-m')).toEqual({
      opened: [{ reviewId: plan.opened!.id, basis: 'CATEGORY_SIMILARITY', nearMissIds: ['nm-2', 'nm-6', 'report'], assignedTo: 'staff-m' }],
      joined: [],
    });
  });

  it('writes nothing but the report\'s keys when the rule is off', () => {
    const keys = [key('person')];
    const plan = planRepeatTrigger(input(keys), { rule: { ...defaultRepeatTriggerRule, enabled: false }, states: [{ key: keys[0], openReviewId: 'review-open', uncounted: occurrences(2, 6) }] });
    expect(plan).toMatchObject({ countings: [], joined: [], keyReviews: [null] });
    expect(plan.opened).toBeUndefined();
  });
});

describe('tokenArray', () => {
  it('joins hex keys, uuids, integers and nulls into one array literal', () => {
    expect(tokenArray(['0a1b', '3fa85f64-5717-4562-b3fc-2c963f66afa6', '-9223372036854775808', null])).toBe('{0a1b,3fa85f64-5717-4562-b3fc-2c963f66afa6,-9223372036854775808,NULL}');
    expect(tokenArray([])).toBe('{}');
  });

  it.each([['a comma', 'a,b'], ['a quote', 'a"b'], ['a brace', '{a}'], ['a space', 'a b'], ['the word null', 'NULL'], ['an empty string', '']])(
    'leaves an element with %s to the driver, as an array',
    (_, value) => {
      expect(tokenArray(['ok', value])).toEqual(['ok', value]);
    },
  );
});

describe('readRule', () => {
  it('reads a stored rule from its integer array, and the default when the provider has none', () => {
    expect(readRule([4, 21, 10, 1])).toEqual({ threshold: 4, windowDays: 21, reviewDueDays: 10, enabled: true });
    expect(readRule([3, 14, 7, 0])).toEqual({ threshold: 3, windowDays: 14, reviewDueDays: 7, enabled: false });
    expect(readRule(null)).toBe(defaultRepeatTriggerRule);
  });
});

describe('repeatScanStatement and readScan', () => {
  const rule = { ...defaultRepeatTriggerRule, windowDays: 21 };
  it("bounds the scan by the rule's window either side of the report's occurrence", () => {
    const { parameters } = repeatScanStatement(input([key('k1'), key('k2', 'WORKFLOW_STAGE')]), rule, 3);
    expect(parameters).toEqual(['t', 'report', '{k1,k2}', at(10 - 21).toISOString(), at(10 + 21).toISOString()]);
  });

  it('groups what it read by key, and reads nothing for a rule that is off', () => {
    const keys = [key('k1'), key('k2', 'WORKFLOW_STAGE')];
    const rows = [
      { row_kind: 'occurrence' as const, key_hash: 'k1', member_id: 'nm-1', member_occurred_at: at(1), open_review_id: null },
      { row_kind: 'open' as const, key_hash: 'k2', member_id: null, member_occurred_at: null, open_review_id: 'review-1' },
      { row_kind: 'occurrence' as const, key_hash: 'k1', member_id: 'nm-2', member_occurred_at: at(2), open_review_id: null },
    ];
    expect(readScan(input(keys), rule, rows).states).toEqual([
      { key: keys[0], openReviewId: undefined, uncounted: occurrences(1, 2) },
      { key: keys[1], openReviewId: 'review-1', uncounted: [] },
    ]);
    expect(readScan(input(keys), { ...rule, enabled: false }, rows)).toEqual({ rule: { ...rule, enabled: false }, states: [] });
  });
});

import type { RepeatKey } from '../../subgraph/patterns/repeat-trigger-keys';
import { defaultRepeatTriggerRule, type Occurrence } from '../../subgraph/patterns/repeat-trigger-rule';
import {
  planRepeatTrigger,
  repeatOutcome,
  repeatWindowOf,
  repeatWritesOf,
  scanOf,
  type RepeatTriggerInput,
  type ScanFinding,
} from '../../subgraph/patterns/repeat-trigger';
import { ruleOf, tokenArray } from '../../subgraph/near-misses/report-near-miss.repository';

const day = 24 * 60 * 60 * 1000;
const at = (days: number) => new Date(Date.UTC(2026, 0, 1) + days * day);
const key = (name: string, basis: RepeatKey['basis'] = 'CATEGORY_SIMILARITY'): RepeatKey => ({
  key: name,
  basis,
  phrase: `for ${name}`,
});
const occurrences = (...days: number[]): Occurrence[] =>
  days.map((offset) => ({ nearMissId: `nm-${offset}`, occurredAt: at(offset) }));

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
  it("counts each of the report's keys into the review that takes it, and leaves the others uncounted", () => {
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
    expect(plan.countings[0].windows.flatMap((window) => window.members.map((member) => member.nearMissId))).toEqual([
      'nm-4',
      'nm-8',
    ]);
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
    expect(plan.opened).toMatchObject({
      basis: 'CATEGORY_SIMILARITY',
      reason: '3 medication near misses for person in 14 days',
    });
    expect(plan.keyReviews).toEqual([plan.opened!.id, null]);
    expect(repeatOutcome(plan, 'staff-m')).toEqual({
      opened: [
        {
          reviewId: plan.opened!.id,
          basis: 'CATEGORY_SIMILARITY',
          nearMissIds: ['nm-2', 'nm-6', 'report'],
          assignedTo: 'staff-m',
        },
      ],
      joined: [],
    });
  });

  it("writes nothing but the report's keys when the rule is off", () => {
    const keys = [key('person')];
    const plan = planRepeatTrigger(input(keys), {
      rule: { ...defaultRepeatTriggerRule, enabled: false },
      states: [{ key: keys[0], openReviewId: 'review-open', uncounted: occurrences(2, 6) }],
    });
    expect(plan).toMatchObject({ countings: [], joined: [], keyReviews: [null] });
    expect(plan.opened).toBeUndefined();
  });
});

describe('tokenArray', () => {
  it('joins hex keys, uuids, integers and nulls into one array literal', () => {
    expect(tokenArray(['0a1b', '3fa85f64-5717-4562-b3fc-2c963f66afa6', '-9223372036854775808', null])).toBe(
      '{0a1b,3fa85f64-5717-4562-b3fc-2c963f66afa6,-9223372036854775808,NULL}',
    );
    expect(tokenArray([])).toBe('{}');
  });

  it.each([
    ['a comma', 'a,b'],
    ['a quote', 'a"b'],
    ['a brace', '{a}'],
    ['a space', 'a b'],
    ['the word null', 'NULL'],
    ['an empty string', ''],
  ])('leaves an element with %s to the driver, as an array', (_, value) => {
    expect(tokenArray(['ok', value])).toEqual(['ok', value]);
  });
});

describe('ruleOf', () => {
  it('reads a stored rule from its integer array, and the default when the provider has none', () => {
    expect(ruleOf([4, 21, 10, 1])).toEqual({ threshold: 4, windowDays: 21, reviewDueDays: 10, enabled: true });
    expect(ruleOf([3, 14, 7, 0])).toEqual({ threshold: 3, windowDays: 14, reviewDueDays: 7, enabled: false });
    expect(ruleOf(null)).toBe(defaultRepeatTriggerRule);
  });
});

describe('repeatWindowOf and scanOf', () => {
  const rule = { ...defaultRepeatTriggerRule, windowDays: 21 };
  it("bounds the scan by the rule's window either side of the report's occurrence", () => {
    expect(repeatWindowOf(input([key('k1')]), rule)).toEqual({ from: at(10 - 21), to: at(10 + 21) });
  });

  it('groups what it read by key, and reads nothing for a rule that is off', () => {
    const keys = [key('k1'), key('k2', 'WORKFLOW_STAGE')];
    const findings: ScanFinding[] = [
      { kind: 'occurrence', key: 'k1', occurrence: { nearMissId: 'nm-1', occurredAt: at(1) } },
      { kind: 'open', key: 'k2', reviewId: 'review-1' },
      { kind: 'occurrence', key: 'k1', occurrence: { nearMissId: 'nm-2', occurredAt: at(2) } },
    ];
    expect(scanOf(input(keys), rule, findings).states).toEqual([
      { key: keys[0], openReviewId: undefined, uncounted: occurrences(1, 2) },
      { key: keys[1], openReviewId: 'review-1', uncounted: [] },
    ]);
    expect(scanOf(input(keys), { ...rule, enabled: false }, findings)).toEqual({
      rule: { ...rule, enabled: false },
      states: [],
    });
  });
});

describe('repeatWritesOf', () => {
  it("writes only the report's own rows when nothing is counted, and links alone for a join", () => {
    const keys = [key('joins'), key('quiet')];
    const own = planRepeatTrigger(input(keys), {
      rule: defaultRepeatTriggerRule,
      states: [{ key: keys[1], uncounted: [] }],
    });
    expect(repeatWritesOf(input(keys), own)).toMatchObject({
      shape: 'own',
      keyReviews: [null, null],
      links: [],
      counted: [],
    });
    const join = planRepeatTrigger(input(keys), {
      rule: defaultRepeatTriggerRule,
      states: [
        { key: keys[0], openReviewId: 'review-open', uncounted: [] },
        { key: keys[1], uncounted: [] },
      ],
    });
    expect(repeatWritesOf(input(keys), join)).toEqual({
      shape: 'join',
      keyReviews: ['review-open', null],
      links: [{ reviewId: 'review-open', nearMissId: 'report' }],
      opened: undefined,
      counted: [],
      reviewKeys: [],
    });
  });

  it("opens a review due after the rule's review days, counting the occurrences of its window", () => {
    const keys = [key('person')];
    const plan = planRepeatTrigger(input(keys), {
      rule: defaultRepeatTriggerRule,
      states: [{ key: keys[0], uncounted: occurrences(2, 6) }],
    });
    const writes = repeatWritesOf(input(keys), plan);
    expect(writes.shape).toBe('count');
    expect(writes.opened).toMatchObject({
      id: plan.opened!.id,
      dueBy: at(11 + defaultRepeatTriggerRule.reviewDueDays),
    });
    expect(writes.counted).toEqual(
      occurrences(2, 6).map((occurrence) => ({ reviewId: plan.opened!.id, key: 'person', ...occurrence })),
    );
    expect(writes.reviewKeys).toEqual([{ reviewId: plan.opened!.id, key: 'person' }]);
    expect(writes.links.map((link) => link.nearMissId)).toEqual(['report', 'nm-2', 'nm-6']);
  });
});

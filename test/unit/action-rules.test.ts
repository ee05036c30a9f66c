import {
  isWeakOnly,
  missingEvidence,
  resolveStrength,
  strengthOfType,
} from '../../subgraph/corrective-actions/action-rules';
import { effectivenessOf, seriesDueDates } from '../../subgraph/verification/verification-rules';

describe('action strength', () => {
  it.each(Object.entries(strengthOfType))('%s is %s', (type, strength) => {
    expect(resolveStrength(type as keyof typeof strengthOfType, undefined)).toEqual({ strength, problems: [] });
  });

  it('refuses a strength that contradicts the action type, and needs one of the two', () => {
    expect(resolveStrength('REMINDER', 'STRONGER').problems[0]).toMatchObject({ path: 'strength' });
    expect(resolveStrength(undefined, undefined).problems[0]).toMatchObject({ path: 'strength' });
    expect(resolveStrength(undefined, 'INTERMEDIATE')).toEqual({ strength: 'INTERMEDIATE', problems: [] });
  });

  it.each([
    [[{ strength: 'WEAKER', status: 'OPEN' }], true],
    [
      [
        { strength: 'WEAKER', status: 'DONE' },
        { strength: 'WEAKER', status: 'OPEN' },
      ],
      true,
    ],
    [
      [
        { strength: 'WEAKER', status: 'DONE' },
        { strength: 'STRONGER', status: 'OPEN' },
      ],
      false,
    ],
    [
      [
        { strength: 'WEAKER', status: 'DONE' },
        { strength: 'STRONGER', status: 'CANCELLED' },
      ],
      true,
    ],
    [[], false],
  ] as const)('weak-only plan %#', (actions, expected) => {
    expect(isWeakOnly(actions)).toBe(expected);
  });
});

describe('evidence coverage', () => {
  const required = ['MAR audit', 'staff briefing record'];
  it.each([
    [['MAR audit: AUD-42', 'Staff briefing record 2026-11-20'], []],
    [['AUD-42', 'BRIEF-7'], []],
    [['AUD-42'], ['staff briefing record']],
    [['MAR audit AUD-42'], ['staff briefing record']],
    [[], required],
    [['   ', ''], required],
  ])('evidence %j leaves %j missing', (evidence, missing) => {
    expect(missingEvidence(required, evidence)).toEqual(missing);
  });
});

describe('verification', () => {
  it('schedules a weekly series of six', () => {
    const dates = seriesDueDates(new Date('2026-01-05T09:00:00Z'), 7, 6).map((date) => date.toISOString().slice(0, 10));
    expect(dates).toEqual(['2026-01-05', '2026-01-12', '2026-01-19', '2026-01-26', '2026-02-02', '2026-02-09']);
  });

  it.each([
    [[null, null], false, null],
    [['PASS', null], false, null],
    [['PASS', 'PASS'], false, true],
    [['PASS', 'FAIL', null], false, false],
    [['PASS', 'PARTIAL'], false, false],
    [['PASS', 'PASS'], true, false],
    [[], false, null],
  ] as const)('checks %j with recurrence %s: effective %s', (results, recurred, effective) => {
    expect(
      effectivenessOf(
        results.map((result) => ({ result })),
        recurred,
      ).effective,
    ).toBe(effective);
  });
});

import { closureBlocker, readyForVerification } from '../../subgraph/corrective-actions/closure-conditions';

describe('closure conditions after gates', () => {
  const action = (status: 'OPEN' | 'DONE' | 'CANCELLED', effective: boolean | null = null) => ({
    status,
    effective,
    title: `action ${status}`,
  });
  it.each([
    [
      'no actions on a review route',
      { route: 'MEDICATION_SAFETY_REVIEW', actions: [], noActionReason: null, mayCloseBeforeVerification: false },
      null,
    ],
    [
      'an open action',
      { route: 'OPERATIONAL_FIX', actions: [action('OPEN')], noActionReason: null, mayCloseBeforeVerification: true },
      /still open/,
    ],
    [
      'an operational fix with no action',
      { route: 'OPERATIONAL_FIX', actions: [], noActionReason: null, mayCloseBeforeVerification: true },
      /at least one/,
    ],
    [
      'an operational fix with a recorded reason',
      {
        route: 'OPERATIONAL_FIX',
        actions: [],
        noActionReason: 'Already fixed by estates',
        mayCloseBeforeVerification: false,
      },
      null,
    ],
    [
      'verification running, lead closing',
      { route: 'OPERATIONAL_FIX', actions: [action('DONE')], noActionReason: null, mayCloseBeforeVerification: false },
      /not concluded/,
    ],
    [
      'verification running, manager closing',
      { route: 'OPERATIONAL_FIX', actions: [action('DONE')], noActionReason: null, mayCloseBeforeVerification: true },
      null,
    ],
    [
      'effective action',
      {
        route: 'OPERATIONAL_FIX',
        actions: [action('DONE', true), action('CANCELLED')],
        noActionReason: null,
        mayCloseBeforeVerification: false,
      },
      null,
    ],
    [
      'ineffective action',
      {
        route: 'OPERATIONAL_FIX',
        actions: [action('DONE', false)],
        noActionReason: null,
        mayCloseBeforeVerification: false,
      },
      /not effective/,
    ],
  ] as const)('%s', (_case, facts, expected) => {
    const blocker = closureBlocker(facts);
    if (expected === null) expect(blocker).toBeNull();
    else expect(blocker).toMatch(expected);
  });

  it('moves to verification only when every action is done or cancelled, one is done, and gates are done', () => {
    expect(readyForVerification([{ status: 'DONE' }, { status: 'CANCELLED' }], true)).toBe(true);
    expect(readyForVerification([{ status: 'DONE' }, { status: 'OPEN' }], true)).toBe(false);
    expect(readyForVerification([{ status: 'CANCELLED' }], true)).toBe(false);
    expect(readyForVerification([{ status: 'DONE' }], false)).toBe(false);
    expect(readyForVerification([], true)).toBe(false);
  });
});

import { planEffectiveness } from '../../subgraph/corrective-actions/action-rules';

describe('plan effectiveness', () => {
  it.each([
    [[], null],
    [[{ status: 'DONE', effective: true }], true],
    [
      [
        { status: 'DONE', effective: true },
        { status: 'OPEN', effective: null },
      ],
      null,
    ],
    [[{ status: 'OPEN', effective: false }], false],
    [[{ status: 'DONE', effective: null }], null],
    [
      [
        { status: 'DONE', effective: true },
        { status: 'CANCELLED', effective: null },
      ],
      true,
    ],
  ] as const)('%j is %s', (actions, expected) => {
    expect(planEffectiveness(actions)).toBe(expected);
  });
});

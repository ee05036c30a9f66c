import { targetMet, targetWindows } from '../../subgraph/corrective-actions/action-target';

const day = 24 * 60 * 60 * 1000;
const completedAt = new Date('2026-03-01T00:00:00Z');
const action = { completedAt, monitoringDays: 42, targetMaxRecurrences: 1 };

describe('a measurable target', () => {
  it('is measured over the monitoring window before completion and since, up to now', () => {
    const now = new Date(completedAt.getTime() + 10 * day);
    expect(targetWindows(action, now)).toEqual({
      before: { from: new Date(completedAt.getTime() - 42 * day), to: completedAt },
      after: { from: completedAt, to: now },
    });
    expect(targetWindows({ monitoringDays: 7 }, now)).toEqual({
      before: { from: new Date(now.getTime() - 7 * day), to: now },
    });
  });

  it.each([
    ['not completed', { ...action, completedAt: undefined }, 0, 50, null],
    ['within the limit while the window runs', action, 1, 10, null],
    ['over the limit, as soon as it is', action, 2, 10, false],
    ['within the limit once the window has passed', action, 1, 42, true],
  ])('is %s', (_case, facts, after, days, met) => {
    expect(targetMet(facts, after, new Date(completedAt.getTime() + days * day))).toBe(met);
  });
});

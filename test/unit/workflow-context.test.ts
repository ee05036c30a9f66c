import {
  carePlanReviewIntervalDays,
  nearShiftTransition,
  shiftPhase,
  workflowFigures,
} from '../../subgraph/near-misses/workflow-context';

const at = (time: string) => new Date(`2026-03-02T${time}:00Z`);
const day = 24 * 60 * 60 * 1000;

describe('workflowFigures', () => {
  it('derives minutes into and before the end of the shift, lateness against the schedule, agency staff', () => {
    const figures = workflowFigures(
      at('14:40'),
      { shiftStartsAt: at('07:00'), shiftEndsAt: at('15:00'), scheduledAt: at('14:00'), staffEmployment: 'AGENCY' },
      {},
    );
    expect(figures).toEqual({
      minutesAfterShiftStart: 460,
      minutesBeforeShiftEnd: 20,
      minutesAfterScheduled: 40,
      timeCriticalMedicine: false,
      carePlanReviewOverdue: null,
      staffEmployment: 'AGENCY',
    });
  });

  it("takes a time-critical medicine from the MAR snapshot, else from the category's own flag", () => {
    expect(
      workflowFigures(at('08:00'), { timeCriticalMedicine: false }, { timeCritical: true }).timeCriticalMedicine,
    ).toBe(false);
    expect(workflowFigures(at('08:00'), undefined, { timeCritical: true }).timeCriticalMedicine).toBe(true);
    expect(workflowFigures(at('08:00'), undefined, { timeCritical: 'yes' }).timeCriticalMedicine).toBe(false);
  });

  it('judges the care plan overdue by its due date when given, else by the review interval', () => {
    const occurred = at('08:00');
    expect(
      workflowFigures(occurred, { carePlanReviewDueAt: new Date(occurred.getTime() - day) }, {}).carePlanReviewOverdue,
    ).toBe(true);
    expect(
      workflowFigures(
        occurred,
        { carePlanReviewDueAt: new Date(occurred.getTime() + day), carePlanLastReviewedAt: new Date(0) },
        {},
      ).carePlanReviewOverdue,
    ).toBe(false);
    expect(
      workflowFigures(
        occurred,
        { carePlanLastReviewedAt: new Date(occurred.getTime() - (carePlanReviewIntervalDays + 1) * day) },
        {},
      ).carePlanReviewOverdue,
    ).toBe(true);
    expect(
      workflowFigures(occurred, { carePlanLastReviewedAt: new Date(occurred.getTime() - 30 * day) }, {})
        .carePlanReviewOverdue,
    ).toBe(false);
  });
});

describe('shiftPhase', () => {
  it.each([
    [null, null, 60, 'UNKNOWN'],
    [10, 470, 60, 'START_OF_SHIFT'],
    [-30, 510, 60, 'START_OF_SHIFT'],
    [450, 30, 60, 'END_OF_SHIFT'],
    [500, -20, 60, 'END_OF_SHIFT'],
    [240, 240, 60, 'MID_SHIFT'],
    [-200, 680, 60, 'OUTSIDE_SHIFT'],
    [90, 390, 60, 'MID_SHIFT'],
    [90, 390, 120, 'START_OF_SHIFT'],
  ])('after start %p, before end %p, window %p: %s', (after, before, window, phase) => {
    expect(shiftPhase(after, before, window)).toBe(phase);
    expect(nearShiftTransition(after, before, window)).toBe(phase === 'START_OF_SHIFT' || phase === 'END_OF_SHIFT');
  });
});

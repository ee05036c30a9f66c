/** Who the member of staff involved was employed as, per the host's rota. */
export const staffEmployments = ['PERMANENT', 'AGENCY', 'BANK'] as const;
export type StaffEmploymentValue = (typeof staffEmployments)[number];

/** Where in the shift the near miss happened, relative to the shift transitions. */
export const shiftPhases = ['START_OF_SHIFT', 'END_OF_SHIFT', 'MID_SHIFT', 'OUTSIDE_SHIFT', 'UNKNOWN'] as const;
export type ShiftPhaseValue = (typeof shiftPhases)[number];

/** Minutes either side of a shift start or end that count as the transition (handover). */
export const defaultShiftTransitionMinutes = 60;

/** A care plan not reviewed for this long counts as overdue when the host gives no review due date. */
export const carePlanReviewIntervalDays = 182;

/**
 * A snapshot of the host's context when the near miss occurred, filled by the
 * host app from its rota, MAR and care plan, and stored with the report so
 * analysis reflects what was known then.
 */
export interface WorkflowContextSnapshot {
  shiftStartsAt?: Date;
  shiftEndsAt?: Date;
  /** When the dose or visit was scheduled. */
  scheduledAt?: Date;
  timeCriticalMedicine?: boolean;
  carePlanLastReviewedAt?: Date;
  carePlanReviewDueAt?: Date;
  staffEmployment?: StaffEmploymentValue;
}

/** What analytics read, derived once at report time. */
export interface WorkflowFigures {
  minutesAfterShiftStart: number | null;
  minutesBeforeShiftEnd: number | null;
  minutesAfterScheduled: number | null;
  timeCriticalMedicine: boolean;
  carePlanReviewOverdue: boolean | null;
  staffEmployment: StaffEmploymentValue | null;
}

const minutes = (ms: number) => Math.round(ms / 60_000);
const dayMs = 24 * 60 * 60 * 1000;

/**
 * The figures of a snapshot. A time-critical medicine is taken from the
 * snapshot (the MAR knows), else from a category's own `timeCritical` flag.
 */
export function workflowFigures(
  occurredAt: Date,
  context: WorkflowContextSnapshot | undefined,
  details: Record<string, unknown>,
): WorkflowFigures {
  const at = occurredAt.getTime();
  const overdue = context?.carePlanReviewDueAt
    ? at > context.carePlanReviewDueAt.getTime()
    : context?.carePlanLastReviewedAt
      ? at - context.carePlanLastReviewedAt.getTime() > carePlanReviewIntervalDays * dayMs
      : null;
  return {
    minutesAfterShiftStart: context?.shiftStartsAt ? minutes(at - context.shiftStartsAt.getTime()) : null,
    minutesBeforeShiftEnd: context?.shiftEndsAt ? minutes(context.shiftEndsAt.getTime() - at) : null,
    minutesAfterScheduled: context?.scheduledAt ? minutes(at - context.scheduledAt.getTime()) : null,
    timeCriticalMedicine: context?.timeCriticalMedicine ?? details.timeCritical === true,
    carePlanReviewOverdue: overdue,
    staffEmployment: context?.staffEmployment ?? null,
  };
}

/** Within `windowMinutes` of the shift's start or end: where handovers happen. */
export function shiftPhase(
  minutesAfterStart: number | null,
  minutesBeforeEnd: number | null,
  windowMinutes = defaultShiftTransitionMinutes,
): ShiftPhaseValue {
  if (minutesAfterStart === null || minutesBeforeEnd === null) return 'UNKNOWN';
  if (Math.abs(minutesAfterStart) <= windowMinutes) return 'START_OF_SHIFT';
  if (Math.abs(minutesBeforeEnd) <= windowMinutes) return 'END_OF_SHIFT';
  if (minutesAfterStart > 0 && minutesBeforeEnd > 0) return 'MID_SHIFT';
  return 'OUTSIDE_SHIFT';
}

export const nearShiftTransition = (
  minutesAfterStart: number | null,
  minutesBeforeEnd: number | null,
  windowMinutes = defaultShiftTransitionMinutes,
) => ['START_OF_SHIFT', 'END_OF_SHIFT'].includes(shiftPhase(minutesAfterStart, minutesBeforeEnd, windowMinutes));

/** The stored snapshot and figures as the API shows them (null when the report carried no context). */
export interface StoredWorkflowContext extends Omit<WorkflowContextSnapshot, 'timeCriticalMedicine'> {
  timeCriticalMedicine: boolean;
  minutesAfterShiftStart?: number;
  minutesBeforeShiftEnd?: number;
  minutesAfterScheduled?: number;
  shiftPhase: ShiftPhaseValue;
  carePlanReviewOverdue?: boolean;
}

const dateOf = (value: unknown) => (typeof value === 'string' ? new Date(value) : undefined);
const numberOf = (value: unknown) => (typeof value === 'number' ? value : undefined);

export function storedWorkflowContext(row: {
  workflow_context: unknown;
  minutes_after_shift_start: unknown;
  minutes_before_shift_end: unknown;
  minutes_after_scheduled: unknown;
  time_critical_medicine: unknown;
  care_plan_review_overdue: unknown;
  staff_employment: unknown;
}): StoredWorkflowContext | undefined {
  if (!row.workflow_context || typeof row.workflow_context !== 'object') return undefined;
  const snapshot = row.workflow_context as Record<string, unknown>;
  const after = numberOf(row.minutes_after_shift_start);
  const before = numberOf(row.minutes_before_shift_end);
  return {
    shiftStartsAt: dateOf(snapshot.shiftStartsAt),
    shiftEndsAt: dateOf(snapshot.shiftEndsAt),
    scheduledAt: dateOf(snapshot.scheduledAt),
    timeCriticalMedicine: row.time_critical_medicine === true,
    carePlanLastReviewedAt: dateOf(snapshot.carePlanLastReviewedAt),
    carePlanReviewDueAt: dateOf(snapshot.carePlanReviewDueAt),
    staffEmployment: (row.staff_employment as StaffEmploymentValue | null) ?? undefined,
    minutesAfterShiftStart: after,
    minutesBeforeShiftEnd: before,
    minutesAfterScheduled: numberOf(row.minutes_after_scheduled),
    shiftPhase: shiftPhase(after ?? null, before ?? null),
    carePlanReviewOverdue: typeof row.care_plan_review_overdue === 'boolean' ? row.care_plan_review_overdue : undefined,
  };
}

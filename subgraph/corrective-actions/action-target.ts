const dayMs = 24 * 60 * 60 * 1000;

/** The windows a target is measured over: the monitoring window before the reference time, and after completion. */
export interface TargetWindows {
  before: { from: Date; to: Date };
  /** Undefined until the action is completed. */
  after?: { from: Date; to: Date };
}

/** Before: the monitoring window up to completion (or now); after: from completion, as far as now within the window. */
export function targetWindows(action: { completedAt?: Date; monitoringDays: number }, now: Date): TargetWindows {
  const width = action.monitoringDays * dayMs;
  const reference = action.completedAt ?? now;
  const before = { from: new Date(reference.getTime() - width), to: reference };
  if (!action.completedAt) return { before };
  const end = new Date(Math.min(now.getTime(), action.completedAt.getTime() + width));
  return { before, after: { from: action.completedAt, to: end } };
}

/**
 * Whether the target holds: null while it cannot be known yet (not completed,
 * or the window still running within the limit), false as soon as the count
 * after completion exceeds it, true once the window has passed within it.
 */
export function targetMet(
  action: { completedAt?: Date; monitoringDays: number; targetMaxRecurrences: number },
  after: number | null,
  now: Date,
): boolean | null {
  if (!action.completedAt || after === null) return null;
  if (after > action.targetMaxRecurrences) return false;
  const windowEnd = action.completedAt.getTime() + action.monitoringDays * dayMs;
  return now.getTime() >= windowEnd ? true : null;
}

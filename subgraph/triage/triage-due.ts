const hour = 60 * 60 * 1000;

/** Default triage windows: every report within 24 hours, same-day ones within 4. */
export const triageWindows = { standardHours: 24, sameDayHours: 4 };

export function triageDueAt(reportedAt: Date, sameDay: boolean, windows = triageWindows): Date {
  return new Date(reportedAt.getTime() + (sameDay ? windows.sameDayHours : windows.standardHours) * hour);
}

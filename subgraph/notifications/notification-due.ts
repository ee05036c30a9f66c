/*
 * Who must be told, and by when. A near miss's rules suggest people to notify
 * (`notify`: the on-call nurse, the pharmacist, the safeguarding lead...), and
 * triage decides the list; each becomes a Notification record with a due time
 * by recipient. The duty runs from when the service became aware of the near
 * miss (detected, or else occurred), not from when it was reported: a report
 * filed two days late is already late to tell anyone.
 */

const hour = 60 * 60 * 1000;

/** Hours to notify when a provider has set nothing for a recipient. */
export const defaultNotificationHours = 24;

/** The key a recipient is configured and matched by: case and spacing do not matter. */
export const recipientKey = (recipient: string) => recipient.trim().toLowerCase().replace(/\s+/g, ' ');

/** A provider's notification windows: by recipient, and `*` for everyone else. */
export type NotificationWindows = ReadonlyMap<string, number>;

/**
 * When `recipient` must have been told: the provider's window for that
 * recipient; otherwise, for a same-day near miss, the same-day triage window
 * (it cannot wait longer than its triage); otherwise the provider's `*`
 * window, or 24 hours.
 */
export function notificationDueAt(
  awareAt: Date,
  recipient: string,
  urgency: { sameDay: boolean; sameDayHours: number },
  windows: NotificationWindows,
): Date {
  const hours =
    windows.get(recipientKey(recipient)) ??
    (urgency.sameDay ? urgency.sameDayHours : (windows.get('*') ?? defaultNotificationHours));
  return new Date(awareAt.getTime() + hours * hour);
}

/** A notification as the rules see it. */
export interface NotificationState {
  id: string;
  recipient: string;
  notifiedAt: Date | null;
}

/**
 * Triage's decided list against the records a near miss has: recipients to
 * add, and records to drop (not yet notified, and no longer on the list).
 * Recorded notifications are never dropped: they happened.
 */
export function reconcileNotifications(
  existing: readonly NotificationState[],
  decided: readonly string[],
): { add: string[]; drop: string[] } {
  const wanted = new Map<string, string>();
  for (const recipient of decided)
    if (!wanted.has(recipientKey(recipient))) wanted.set(recipientKey(recipient), recipient.trim());
  const held = new Set(existing.map((notification) => recipientKey(notification.recipient)));
  return {
    add: [...wanted].filter(([key]) => !held.has(key)).map(([, recipient]) => recipient),
    drop: existing
      .filter((notification) => !notification.notifiedAt && !wanted.has(recipientKey(notification.recipient)))
      .map((notification) => notification.id),
  };
}

export const isOverdue = (notification: { notifiedAt: Date | null; dueBy: Date }, now: Date) =>
  notification.notifiedAt === null && notification.dueBy.getTime() < now.getTime();

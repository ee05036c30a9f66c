import {
  isOverdue,
  notificationDueAt,
  reconcileNotifications,
  recipientKey,
} from '../../subgraph/notifications/notification-due';

const hour = 60 * 60 * 1000;
const aware = new Date('2026-11-02T08:00:00Z');
const standard = { sameDay: false, sameDayHours: 4 };
const sameDay = { sameDay: true, sameDayHours: 4 };

describe('notificationDueAt', () => {
  it("runs from when the service knew: the recipient's own window first, however it is typed", () => {
    const windows = new Map([['on-call nurse', 1]]);
    expect(notificationDueAt(aware, '  On-call   NURSE ', sameDay, windows)).toEqual(new Date(aware.getTime() + hour));
    expect(notificationDueAt(aware, 'on-call nurse', standard, windows)).toEqual(new Date(aware.getTime() + hour));
  });

  it('gives a same-day near miss the same-day triage window, anyone else the provider default or 24 hours', () => {
    expect(notificationDueAt(aware, 'pharmacist', sameDay, new Map())).toEqual(new Date(aware.getTime() + 4 * hour));
    expect(notificationDueAt(aware, 'pharmacist', standard, new Map())).toEqual(new Date(aware.getTime() + 24 * hour));
    expect(notificationDueAt(aware, 'pharmacist', standard, new Map([['*', 48]]))).toEqual(
      new Date(aware.getTime() + 48 * hour),
    );
  });
});

describe('reconcileNotifications', () => {
  const existing = [
    { id: 'a', recipient: 'On-call nurse', notifiedAt: null },
    { id: 'b', recipient: 'pharmacist', notifiedAt: new Date() },
    { id: 'c', recipient: 'medication lead', notifiedAt: null },
  ];

  it("adds triage's new recipients and drops the unrecorded ones it took off; made notifications stay", () => {
    expect(reconcileNotifications(existing, ['on-call nurse', 'GP'])).toEqual({ add: ['GP'], drop: ['c'] });
    expect(reconcileNotifications(existing, [])).toEqual({ add: [], drop: ['a', 'c'] });
    expect(reconcileNotifications([], ['GP', ' gp '])).toEqual({ add: ['GP'], drop: [] });
  });

  it('keys recipients by case and spacing', () => {
    expect(recipientKey('  Local  Authority ')).toBe('local authority');
  });
});

describe('isOverdue', () => {
  it('is past due and not made', () => {
    const now = new Date(aware.getTime() + 5 * hour);
    expect(isOverdue({ notifiedAt: null, dueBy: new Date(aware.getTime() + 4 * hour) }, now)).toBe(true);
    expect(isOverdue({ notifiedAt: now, dueBy: new Date(aware.getTime() + 4 * hour) }, now)).toBe(false);
    expect(isOverdue({ notifiedAt: null, dueBy: new Date(aware.getTime() + 6 * hour) }, now)).toBe(false);
  });
});

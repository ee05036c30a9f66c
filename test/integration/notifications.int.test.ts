import { acknowledgeMutation, triageMutation } from '../support/lifecycle-operations';
import { medicationReport, newKey } from '../support/reports';
import { callersOf, dataOf, startTestApp, uniqueTenant, type Caller, type TestApp } from '../support/test-app';

// Who must be told: the rules' suggestion becomes Notification records at report, triage's decision
// reconciles them, and recordNotification records each one once. Due times run from when the service knew.

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

const hour = 60 * 60 * 1000;
const ok = async (query: string, variables: Record<string, unknown>, as: Caller) =>
  dataOf(await t.graphql(query, variables, as));

const world = () => {
  const tenant = uniqueTenant('notify');
  const caller = callersOf(tenant);
  return {
    tenant,
    reporter: caller('staff-reporter', ['REPORTER']),
    supervisor: caller('staff-supervisor', ['SUPERVISOR']),
    lead: caller('staff-lead', ['MEDICATION_LEAD']),
    manager: caller('staff-manager', ['MANAGER'], ['*']),
    analyst: caller('staff-analyst', ['ANALYST'], ['*']),
    elsewhere: caller('staff-south', ['SUPERVISOR'], ['south']),
  };
};

const notificationFields = 'id recipient dueBy notifiedAt notifiedBy { id } method externalReference overdue';
const report = `mutation($input: ReportNearMissInput!, $key: String!) {
  reportNearMiss(input: $input, idempotencyKey: $key) { nearMiss { id version notifications { ${notificationFields} } } }
}`;
const recordMutation = `mutation($id: ID!, $method: NotificationMethod!, $at: DateTime!, $ref: String) {
  recordNotification(id: $id, method: $method, notifiedAt: $at, externalReference: $ref) { ${notificationFields} }
}`;
const notificationsOf = `query($id: ID!) { nearMiss(id: $id) { notifications { ${notificationFields} } timeline { action } } }`;

type Notification = {
  id: string;
  recipient: string;
  dueBy: string;
  overdue: boolean;
  notifiedAt: string | null;
  notifiedBy: { id: string } | null;
};
const byRecipient = (notifications: Notification[]) =>
  Object.fromEntries(notifications.map((notification) => [notification.recipient, notification]));

describe('notifications', () => {
  it("turns the rules' suggestion into records due from when the service knew, overdue when that is long past", async () => {
    const w = world();
    // Time-critical and MAR wrong time: a same-day near miss for the on-call nurse, medication lead and pharmacist.
    const detectedAt = new Date(Date.now() - 30 * hour);
    const { nearMiss } = await ok(
      report,
      {
        input: medicationReport({
          occurredAt: new Date(detectedAt.getTime() - hour).toISOString(),
          detectedAt: detectedAt.toISOString(),
        }),
        key: newKey(),
      },
      w.reporter,
    );
    const notifications = byRecipient(nearMiss.notifications);
    expect(Object.keys(notifications).sort()).toEqual(['medication lead', 'on-call nurse', 'pharmacist']);
    for (const notification of Object.values(notifications)) {
      expect(Date.parse(notification.dueBy)).toBe(detectedAt.getTime() + 4 * hour);
      expect(notification).toMatchObject({ overdue: true, notifiedAt: null });
    }

    // On the triage queue, in overdueNotifications and in the governance summary.
    const queue = await ok(`{ triageQueue { id notifications { overdue } } }`, {}, w.supervisor);
    expect(queue.find((item: { id: string }) => item.id === nearMiss.id).notifications).toEqual([
      { overdue: true },
      { overdue: true },
      { overdue: true },
    ]);
    const overdue = await ok(`{ overdueNotifications { id recipient overdue } }`, {}, w.supervisor);
    expect(overdue.map((item: { id: string }) => item.id).sort()).toEqual(
      Object.values(notifications)
        .map((notification) => notification.id)
        .sort(),
    );
    expect(await ok(`{ overdueNotifications { id } }`, {}, w.elsewhere)).toEqual([]);
    const summary = await ok(
      `query($from: DateTime!, $to: DateTime!) { governanceSummary(from: $from, to: $to) { notificationsOverdue } }`,
      { from: new Date(Date.now() - 30 * 24 * hour).toISOString(), to: new Date(Date.now() + hour).toISOString() },
      w.manager,
    );
    expect(summary.notificationsOverdue).toBe(3);
  });

  it('records a notification once, with how and a reference; a late one is no longer overdue but counted late', async () => {
    const w = world();
    const { nearMiss } = await ok(
      report,
      { input: medicationReport({ occurredAt: new Date(Date.now() - 10 * hour).toISOString() }), key: newKey() },
      w.reporter,
    );
    const nurse = byRecipient(nearMiss.notifications)['on-call nurse'];
    const at = new Date(Date.now() - hour).toISOString();
    const recorded = await ok(
      recordMutation,
      { id: nurse.id, method: 'PHONE', at, ref: 'ON-CALL-LOG-88' },
      w.supervisor,
    );
    expect(recorded).toMatchObject({
      id: nurse.id,
      notifiedAt: at,
      notifiedBy: { id: 'staff-supervisor' },
      method: 'PHONE',
      externalReference: 'ON-CALL-LOG-88',
      overdue: false,
    });

    const again = await t.graphql(recordMutation, { id: nurse.id, method: 'EMAIL', at }, w.lead);
    expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');
    const future = await t.graphql(
      recordMutation,
      { id: byRecipient(nearMiss.notifications).pharmacist.id, method: 'EMAIL', at: new Date(Date.now() + 2 * hour) },
      w.lead,
    );
    expect(future.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'notifiedAt' }] });
    for (const [as, code] of [
      [w.reporter, 'FORBIDDEN'],
      [w.elsewhere, 'NOT_FOUND'],
      [{ ...w.supervisor, tenant: uniqueTenant('other') }, 'NOT_FOUND'],
    ] as const) {
      const refused = await t.graphql(
        recordMutation,
        { id: byRecipient(nearMiss.notifications).pharmacist.id, method: 'PHONE', at },
        as,
      );
      expect(refused.errors?.[0].extensions?.code).toBe(code);
    }

    const after = await ok(notificationsOf, { id: nearMiss.id }, w.lead);
    expect(byRecipient(after.notifications)['on-call nurse']).toMatchObject({ notifiedAt: at, overdue: false });
    expect(after.timeline.map((event: { action: string }) => event.action)).toContain('notification.recorded');
    const [event] = await t.app.database.dataSource.query(
      `SELECT payload FROM outbox_event WHERE tenant_id = $1 AND event_type = 'notification.recorded'`,
      [w.tenant],
    );
    expect(event.payload).toMatchObject({ notificationId: nurse.id, method: 'PHONE', late: true });
    // ANALYST sees who notified only as a pseudonym.
    const analystView = await ok(notificationsOf, { id: nearMiss.id }, w.analyst);
    expect(byRecipient(analystView.notifications)['on-call nurse'].notifiedBy?.id).toMatch(/^stf_/);
  });

  it("follows triage's decision: new recipients added, unrecorded ones taken off dropped, recorded ones kept", async () => {
    const w = world();
    const { nearMiss } = await ok(report, { input: medicationReport(), key: newKey() }, w.reporter);
    const pharmacist = byRecipient(nearMiss.notifications).pharmacist;
    await ok(recordMutation, { id: pharmacist.id, method: 'SECURE_MESSAGE', at: new Date().toISOString() }, w.lead);
    const acknowledged = await ok(acknowledgeMutation, { id: nearMiss.id, v: nearMiss.version }, w.supervisor);
    await ok(
      triageMutation,
      {
        input: {
          nearMissId: nearMiss.id,
          expectedVersion: acknowledged.version,
          route: 'MEDICATION_SAFETY_REVIEW',
          justCulture: 'SYSTEM_ISSUE',
          rationale: 'MAR layout',
          notify: ['on-call nurse', 'GP surgery'],
        },
      },
      w.lead,
    );
    const after = byRecipient((await ok(notificationsOf, { id: nearMiss.id }, w.lead)).notifications);
    expect(Object.keys(after).sort()).toEqual(['GP surgery', 'on-call nurse', 'pharmacist']);
    expect(after.pharmacist.notifiedAt).not.toBeNull();
  });

  it("takes the provider's window for a recipient, set by a manager and audited", async () => {
    const w = world();
    const set = await ok(
      `mutation { setNotificationWindow(recipient: "  On-call   Nurse ", hours: 1) { recipient hours } }`,
      {},
      w.manager,
    );
    expect(set).toEqual({ recipient: 'on-call nurse', hours: 1 });
    const refused = await t.graphql(
      `mutation { setNotificationWindow(recipient: "GP", hours: 0) { hours } }`,
      {},
      w.manager,
    );
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'hours' }] });
    const occurredAt = new Date(Date.now() - 30 * 60 * 1000);
    const { nearMiss } = await ok(
      report,
      { input: medicationReport({ occurredAt: occurredAt.toISOString() }), key: newKey() },
      w.reporter,
    );
    const notifications = byRecipient(nearMiss.notifications);
    expect(Date.parse(notifications['on-call nurse'].dueBy)).toBe(occurredAt.getTime() + hour);
    expect(Date.parse(notifications.pharmacist.dueBy)).toBe(occurredAt.getTime() + 4 * hour);
    expect(await ok(`{ notificationWindows { recipient hours } }`, {}, w.supervisor)).toEqual([
      { recipient: 'on-call nurse', hours: 1 },
    ]);
  });
});

import { medicationReport, newKey, reportMutation } from '../support/reports';
import {
  acknowledgeMutation,
  closeMutation,
  feedbackMutation,
  gateMutation,
  nearMissQuery,
  reopenMutation,
  triageMutation,
} from '../support/lifecycle-operations';
import { startTestApp, uniqueTenant, type Caller, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

interface World {
  tenant: string;
  reporter: Caller;
  supervisor: Caller;
  lead: Caller;
  manager: Caller;
}

const world = (): World => {
  const tenant = uniqueTenant('loop');
  return {
    tenant,
    reporter: { tenant, sub: 'staff-reporter', roles: ['REPORTER'], services: ['north'] },
    supervisor: { tenant, sub: 'staff-supervisor', roles: ['SUPERVISOR'], services: ['north'] },
    lead: { tenant, sub: 'staff-medication-lead', roles: ['MEDICATION_LEAD'], services: ['north'] },
    manager: { tenant, sub: 'staff-manager', roles: ['MANAGER'], services: ['*'] },
  };
};

async function report(w: World, overrides: Record<string, unknown> = {}, details: Record<string, unknown> = {}) {
  const result = await t.graphql(
    reportMutation,
    { input: medicationReport(overrides, details), key: newKey() },
    w.reporter,
  );
  expect(result.errors).toBeUndefined();
  return result.data!.reportNearMiss.nearMiss as { id: string; version: number };
}

async function ok(query: string, variables: Record<string, unknown>, caller: Caller) {
  const result = await t.graphql(query, variables, caller);
  expect(result.errors).toBeUndefined();
  return Object.values(result.data!)[0] as Record<string, any>;
}

const triageInput = (id: string, version: number, extra: Record<string, unknown> = {}) => ({
  nearMissId: id,
  expectedVersion: version,
  route: 'MEDICATION_SAFETY_REVIEW',
  justCulture: 'SYSTEM_ISSUE',
  rationale: 'MAR layout invites the slip; redesign the chart.',
  ...extra,
});

describe('the learning loop', () => {
  it('runs report → acknowledge → triage → gates → close, telling the reporter at each step', async () => {
    const w = world();
    const reported = await report(w);
    let nearMiss = await ok(acknowledgeMutation, { id: reported.id, v: reported.version }, w.supervisor);
    expect(nearMiss).toMatchObject({ status: 'ACKNOWLEDGED', version: 2 });

    const withoutReason = await t.graphql(
      triageMutation,
      { input: triageInput(nearMiss.id, nearMiss.version, { route: 'TREND_MONITORING' }) },
      w.lead,
    );
    expect(withoutReason.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'overrideReason' }],
    });

    nearMiss = await ok(
      triageMutation,
      { input: triageInput(nearMiss.id, nearMiss.version, { notify: ['on-call nurse', 'pharmacist'] }) },
      w.lead,
    );
    expect(nearMiss.status).toBe('TRIAGED');
    expect(nearMiss.triage).toMatchObject({
      route: 'MEDICATION_SAFETY_REVIEW',
      suggestedRoute: 'MEDICATION_SAFETY_REVIEW',
      sameDay: true,
      withinDue: true,
      justCulture: 'SYSTEM_ISSUE',
      notify: ['on-call nurse', 'pharmacist'],
      triagedBy: { id: 'staff-medication-lead' },
    });
    expect(nearMiss.triage.justCultureResponse).toMatch(/redesign/i);

    const blocked = await t.graphql(
      closeMutation,
      { id: nearMiss.id, v: nearMiss.version, outcome: 'MAR rows relabelled' },
      w.manager,
    );
    expect(blocked.errors?.[0].extensions?.code).toBe('GATE_BLOCKED');
    expect(blocked.errors?.[0].extensions?.missing).toEqual([
      'record-reconciled',
      'dose-schedule-confirmed',
      'staff-briefed',
      'supervisor-signed-record',
    ]);

    for (const key of ['record-reconciled', 'dose-schedule-confirmed', 'staff-briefed', 'supervisor-signed-record']) {
      nearMiss = await ok(
        gateMutation,
        { id: nearMiss.id, key, v: nearMiss.version, note: 'done on shift' },
        w.supervisor,
      );
    }
    expect(
      nearMiss.gates.every(
        (gate: { done: boolean; doneBy: { id: string } }) => gate.done && gate.doneBy.id === 'staff-supervisor',
      ),
    ).toBe(true);

    const vague = await t.graphql(
      closeMutation,
      { id: nearMiss.id, v: nearMiss.version, outcome: 'No further action' },
      w.manager,
    );
    expect(vague.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'outcome' }] });

    nearMiss = await ok(
      closeMutation,
      { id: nearMiss.id, v: nearMiss.version, outcome: 'The MAR template now labels and shades each time slot.' },
      w.manager,
    );
    expect(nearMiss).toMatchObject({
      status: 'CLOSED',
      outcome: 'The MAR template now labels and shades each time slot.',
    });

    // The reporter sees three messages and never the classification.
    const seenByReporter = await t.graphql(nearMissQuery, { id: reported.id }, w.reporter);
    expect(seenByReporter.errors).toBeUndefined();
    const mine = seenByReporter.data!.nearMiss;
    expect(mine.feedback).toHaveLength(3);
    expect(mine.feedback[0].message).toMatch(/acknowledged/);
    expect(mine.feedback[1].message).toMatch(/medication safety review/);
    expect(mine.feedback[2].message).toMatch(/What changed: The MAR template/);
    expect(mine.triage.justCulture).toBeNull();
    expect(mine.triage.justCultureResponse).toBeNull();
    expect(JSON.stringify(mine)).not.toMatch(/SYSTEM_ISSUE/);
    expect(mine.timeline.map((event: { action: string }) => event.action)).toEqual([
      'near_miss.reported',
      'near_miss.acknowledged',
      'near_miss.triaged',
      'gate_item.completed',
      'gate_item.completed',
      'gate_item.completed',
      'gate_item.completed',
      'near_miss.closed',
    ]);

    const reopened = await ok(
      reopenMutation,
      { id: reported.id, reason: 'A similar slip happened on the new template' },
      w.manager,
    );
    expect(reopened).toMatchObject({ status: 'REOPENED', reopenCount: 1 });
    const again = await ok(
      triageMutation,
      {
        input: triageInput(reported.id, reopened.version, {
          route: 'OPERATIONAL_FIX',
          overrideReason: 'The template itself needs changing',
        }),
      },
      w.lead,
    );
    expect(again.triage).toMatchObject({
      route: 'OPERATIONAL_FIX',
      overrideReason: 'The template itself needs changing',
    });
  });

  it('lets exactly one of two concurrent triage attempts on one version win', async () => {
    const w = world();
    const reported = await report(w);
    const acknowledged = await ok(acknowledgeMutation, { id: reported.id, v: reported.version }, w.supervisor);
    const attempts = await Promise.all(
      [w.lead, { ...w.manager, sub: 'staff-other-lead' }].map((caller) =>
        t.graphql(triageMutation, { input: triageInput(reported.id, acknowledged.version) }, caller),
      ),
    );
    const winners = attempts.filter((attempt) => !attempt.errors);
    const losers = attempts.filter((attempt) => attempt.errors);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(losers[0].errors![0].extensions?.code).toBe('CONFLICT');
    const [{ count }] = await t.app.database.dataSource.query(
      `SELECT count(*)::int AS count FROM near_miss_triage WHERE near_miss_id = $1`,
      [reported.id],
    );
    expect(count).toBe(1);
  });

  it('refuses a stale version and an illegal transition with CONFLICT naming the current status, and other roles with FORBIDDEN', async () => {
    const w = world();
    const reported = await report(w);
    const stale = await t.graphql(acknowledgeMutation, { id: reported.id, v: reported.version + 5 }, w.supervisor);
    expect(stale.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 1 });

    const early = await t.graphql(triageMutation, { input: triageInput(reported.id, reported.version) }, w.lead);
    expect(early.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(early.errors?.[0].message).toContain('REPORTED');

    const byReporter = await t.graphql(acknowledgeMutation, { id: reported.id, v: reported.version }, w.reporter);
    expect(byReporter.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const bySupervisor = await t.graphql(
      triageMutation,
      { input: triageInput(reported.id, reported.version) },
      w.supervisor,
    );
    expect(bySupervisor.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const otherTenant = await t.graphql(
      acknowledgeMutation,
      { id: reported.id, v: reported.version },
      { ...w.supervisor, tenant: uniqueTenant() },
    );
    expect(otherTenant.errors?.[0].extensions?.code).toBe('NOT_FOUND');

    const unknownGate = await t.graphql(
      gateMutation,
      { id: reported.id, key: 'not-a-gate', v: reported.version },
      w.supervisor,
    );
    expect(unknownGate.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'key' }] });
  });

  it('closes a triaged report with open gate items as GATE_BLOCKED before any other closure condition', async () => {
    const w = world();
    const reported = await report(w);
    const acknowledged = await ok(acknowledgeMutation, { id: reported.id, v: reported.version }, w.supervisor);
    const triaged = await ok(triageMutation, { input: triageInput(reported.id, acknowledged.version) }, w.lead);
    const blocked = await t.graphql(closeMutation, { id: reported.id, v: triaged.version, outcome: '' }, w.manager);
    expect(blocked.errors?.[0].extensions?.code).toBe('GATE_BLOCKED');
    expect(blocked.errors?.[0].extensions?.missing).toContain('record-reconciled');
  });

  it('queues reports for triage by due time with overdue ones first, and sends manual feedback', async () => {
    const w = world();
    const sameDay = await report(w);
    const standard = await report(
      w,
      { potentialHarm: 'LOW' },
      { discrepancyType: 'STOCK_OR_SUPPLY', timeCritical: false },
    );
    const overdue = await report(w, { potentialHarm: 'LOW' }, { discrepancyType: 'OTHER', timeCritical: false });
    await t.app.database.dataSource.query(
      `UPDATE near_miss SET triage_due_at = now() - interval '1 hour' WHERE id = $1`,
      [overdue.id],
    );

    const queue = await t.graphql(`{ triageQueue { id sameDay triageDueBy } }`, {}, w.lead);
    expect(queue.errors).toBeUndefined();
    expect(queue.data!.triageQueue.map((item: { id: string }) => item.id)).toEqual([
      overdue.id,
      sameDay.id,
      standard.id,
    ]);
    const overdueOnly = await t.graphql(`{ triageQueue(overdueOnly: true) { id } }`, {}, w.lead);
    expect(overdueOnly.data!.triageQueue).toEqual([{ id: overdue.id }]);
    expect((await t.graphql(`{ triageQueue { id } }`, {}, w.reporter)).errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const withMessage = await ok(
      feedbackMutation,
      { id: standard.id, message: 'Thanks — the pharmacy is changing the delivery day.' },
      w.supervisor,
    );
    expect(withMessage.feedback.map((item: { message: string }) => item.message)).toEqual([
      'Thanks — the pharmacy is changing the delivery day.',
    ]);
  });

  it("uses the provider's own triage windows", async () => {
    const w = world();
    const admin: Caller = { tenant: w.tenant, roles: ['ADMIN'] };
    const updated = await t.graphql(
      `mutation { updateTenantSettings(input: { sameDayTriageHours: 2, standardTriageHours: 12 }) { sameDayTriageHours standardTriageHours } }`,
      {},
      admin,
    );
    expect(updated.data!.updateTenantSettings).toEqual({ sameDayTriageHours: 2, standardTriageHours: 12 });
    const before = Date.now();
    const result = await t.graphql(
      reportMutation.replace('serviceId', 'serviceId triageDueBy'),
      { input: medicationReport(), key: newKey() },
      w.reporter,
    );
    const due = Date.parse(result.data!.reportNearMiss.nearMiss.triageDueBy);
    expect(due - before).toBeGreaterThan(1.9 * 3600_000);
    expect(due - before).toBeLessThan(2.1 * 3600_000);
    const refused = await t.graphql(
      `mutation { updateTenantSettings(input: { sameDayTriageHours: 48 }) { sameDayTriageHours } }`,
      {},
      admin,
    );
    expect(refused.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'sameDayTriageHours' }],
    });
  });
});

describe('hostile text in any mutation', () => {
  it('answers BAD_USER_INPUT naming the field for NUL characters, instead of failing in the database', async () => {
    const w = world();
    const reported = await report(w);
    const result = await t.graphql(feedbackMutation, { id: reported.id, message: 'hello\u0000world' }, w.supervisor);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'message' }] });
  });
});

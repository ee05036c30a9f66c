import {
  actionPlanQuery,
  addActionMutation,
  cancelActionMutation,
  completeActionMutation,
  recordResultMutation,
  scheduleMutation,
} from '../support/action-operations';
import { acknowledgeMutation, closeMutation, gateMutation, triageMutation } from '../support/lifecycle-operations';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { dataOf, startTestApp, uniqueTenant, type Caller, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

const day = 24 * 60 * 60 * 1000;

const ok = async (query: string, variables: Record<string, unknown>, caller: Caller) =>
  dataOf(await t.graphql(query, variables, caller));

const world = () => {
  const tenant = uniqueTenant('actions');
  return {
    tenant,
    reporter: { tenant, sub: 'staff-reporter', roles: ['REPORTER'], services: ['north'] } as Caller,
    supervisor: { tenant, sub: 'staff-supervisor', roles: ['SUPERVISOR'], services: ['north'] } as Caller,
    owner: { tenant, sub: 'staff-owner', roles: ['SUPERVISOR'], services: ['north'] } as Caller,
    lead: { tenant, sub: 'staff-lead', roles: ['MEDICATION_LEAD'], services: ['north'] } as Caller,
    manager: { tenant, sub: 'staff-manager', roles: ['MANAGER'], services: ['*'] } as Caller,
  };
};
type World = ReturnType<typeof world>;

/** A report taken to TRIAGED with its gates done. */
async function triaged(w: World, overrides: Record<string, unknown> = {}) {
  const reported = (await ok(reportMutation, { input: medicationReport(overrides), key: newKey() }, w.reporter))
    .nearMiss;
  let nearMiss = await ok(acknowledgeMutation, { id: reported.id, v: reported.version }, w.supervisor);
  nearMiss = await ok(
    triageMutation,
    {
      input: {
        nearMissId: reported.id,
        expectedVersion: nearMiss.version,
        route: 'MEDICATION_SAFETY_REVIEW',
        justCulture: 'SYSTEM_ISSUE',
        rationale: 'System issue: MAR layout',
      },
    },
    w.lead,
  );
  for (const gate of nearMiss.gates)
    nearMiss = await ok(gateMutation, { id: reported.id, key: gate.key, v: nearMiss.version }, w.supervisor);
  return nearMiss as { id: string; version: number; status: string };
}

const actionInput = (nearMissIds: string[], extra: Record<string, unknown> = {}) => ({
  nearMissIds,
  title: 'Redesign the MAR so time-critical doses have their own shaded row',
  ownerId: 'staff-owner',
  dueBy: new Date(Date.now() + 14 * day).toISOString(),
  strength: 'STRONGER',
  actionType: 'REDESIGN',
  evidenceRequired: ['MAR template', 'staff briefing record'],
  target: 'No repeat time-critical medicine near misses over six weeks',
  ...extra,
});

describe('corrective actions and verification', () => {
  it('runs action → evidence → verification; a failed check reopens the action and the near miss and notifies the owner', async () => {
    const w = world();
    const nearMiss = await triaged(w);
    const action = await ok(addActionMutation, { input: actionInput([nearMiss.id]) }, w.manager);
    expect(action).toMatchObject({
      status: 'OPEN',
      strength: 'STRONGER',
      owner: { id: 'staff-owner' },
      serviceIds: ['north'],
      effective: null,
      nearMisses: [{ id: nearMiss.id, status: 'ACTIONS_IN_PROGRESS' }],
    });

    const thin = await t.graphql(completeActionMutation, { id: action.id, evidence: ['MAR template v2'] }, w.owner);
    expect(thin.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'evidence' }] });
    expect(thin.errors?.[0].extensions?.fields[0].message).toContain('staff briefing record');
    const notOwner = await t.graphql(
      completeActionMutation,
      { id: action.id, evidence: ['a', 'b'] },
      { ...w.owner, sub: 'someone-else' },
    );
    expect(notOwner.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const done = await ok(
      completeActionMutation,
      { id: action.id, evidence: ['MAR template: v2 issued 2026-11-20', 'Staff briefing record: BRF-118'] },
      w.owner,
    );
    expect(done).toMatchObject({ status: 'DONE', nearMisses: [{ status: 'VERIFYING' }] });

    const checks = await ok(
      scheduleMutation,
      {
        input: {
          actionId: action.id,
          method: 'AUDIT',
          firstDueAt: new Date(Date.now() + 7 * day).toISOString(),
          everyDays: 7,
          count: 6,
        },
      },
      w.owner,
    );
    expect(checks.map((check: { sequence: number }) => check.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Date.parse(checks[5].dueAt) - Date.parse(checks[0].dueAt)).toBe(35 * day);

    const noEvidence = await t.graphql(
      recordResultMutation,
      { id: checks[0].id, result: 'PASS', evidence: [] },
      w.supervisor,
    );
    expect(noEvidence.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'evidence' }] });
    const byReporter = await t.graphql(
      recordResultMutation,
      { id: checks[0].id, result: 'PASS', evidence: ['MAR audit AUD-1'] },
      w.reporter,
    );
    expect(byReporter.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    for (const check of checks.slice(0, 5)) {
      const recorded = await ok(
        recordResultMutation,
        { id: check.id, result: 'PASS', evidence: [`MAR audit AUD-${check.sequence}`] },
        w.supervisor,
      );
      expect(recorded.action).toMatchObject({ status: 'DONE', effective: null });
    }
    const twice = await t.graphql(
      recordResultMutation,
      { id: checks[0].id, result: 'FAIL', evidence: ['x'] },
      w.supervisor,
    );
    expect(twice.errors?.[0].extensions?.code).toBe('CONFLICT');

    const failed = await ok(
      recordResultMutation,
      { id: checks[5].id, result: 'FAIL', evidence: ['MAR audit AUD-6: 08:00 dose signed at 12:00'] },
      w.supervisor,
    );
    expect(failed.action).toMatchObject({ status: 'OPEN', effective: false });
    const plan = await ok(actionPlanQuery, { id: nearMiss.id }, w.manager);
    expect(plan.status).toBe('REOPENED');
    expect(plan.actionPlan).toMatchObject({
      checksScheduled: 6,
      checksPassed: 5,
      checksFailed: 1,
      effective: false,
      weakOnly: false,
    });
    expect(plan.timeline.map((event: { action: string }) => event.action)).toContain('near_miss.reopened');

    const [event] = await t.app.database.dataSource.query(
      `SELECT payload FROM outbox_event WHERE tenant_id = $1 AND event_type = 'corrective_action.reopened'`,
      [w.tenant],
    );
    expect(event.payload).toMatchObject({
      actionId: action.id,
      ownerId: 'staff-owner',
      reopenedNearMissIds: [nearMiss.id],
      notify: ['action owner', 'registered manager'],
    });
  });

  it('concludes effective when every check passes, and lets a lead close only then', async () => {
    const w = world();
    const nearMiss = await triaged(w);
    const action = await ok(addActionMutation, { input: actionInput([nearMiss.id]) }, w.lead);
    await ok(completeActionMutation, { id: action.id, evidence: ['MAR template v2', 'BRF-1'] }, w.owner);
    const checks = await ok(
      scheduleMutation,
      {
        input: {
          actionId: action.id,
          method: 'SPOT_CHECK',
          firstDueAt: new Date(Date.now() + day).toISOString(),
          everyDays: 14,
          count: 2,
        },
      },
      w.lead,
    );
    let plan = await ok(actionPlanQuery, { id: nearMiss.id }, w.lead);
    const early = await t.graphql(
      closeMutation,
      { id: nearMiss.id, v: plan.version, outcome: 'MAR redesigned and verified' },
      w.lead,
    );
    expect(early.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(early.errors?.[0].message).toMatch(/Verification has not concluded/);

    for (const check of checks)
      await ok(
        recordResultMutation,
        { id: check.id, result: 'PASS', evidence: [`Spot check ${check.sequence}`] },
        w.supervisor,
      );
    plan = await ok(actionPlanQuery, { id: nearMiss.id }, w.lead);
    expect(plan.actionPlan.effective).toBe(true);
    expect(plan.correctiveActions[0].effective).toBe(true);
    const closed = await ok(
      closeMutation,
      {
        id: nearMiss.id,
        v: plan.version,
        outcome: 'The MAR now gives time-critical doses their own row; six weeks of audits clean.',
      },
      w.lead,
    );
    expect(closed.status).toBe('CLOSED');
  });

  it('holds at most 20 checks per action: scheduling more is refused on count, and the list shows them all', async () => {
    const w = world();
    const nearMiss = await triaged(w);
    const action = await ok(addActionMutation, { input: actionInput([nearMiss.id]) }, w.lead);
    const schedule = (count: number) =>
      t.graphql(
        scheduleMutation,
        {
          input: {
            actionId: action.id,
            method: 'SPOT_CHECK',
            firstDueAt: new Date(Date.now() + day).toISOString(),
            everyDays: 7,
            count,
          },
        },
        w.lead,
      );
    for (const count of [14, 6]) expect((await schedule(count)).errors).toBeUndefined();
    const refused = await schedule(1);
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'count' }] });
    expect(refused.errors?.[0].message).toMatch(/at most 20 verification checks; it has 20/);
    const listed = await ok(
      `query($id: ID!) { correctiveAction(id: $id) { verificationChecks { sequence } } }`,
      { id: action.id },
      w.lead,
    );
    expect(listed.verificationChecks).toHaveLength(20);
  });

  it('flags a plan with only a "remind staff" training action as weak-only', async () => {
    const w = world();
    const nearMiss = await triaged(w);
    await ok(
      addActionMutation,
      {
        input: actionInput([nearMiss.id], {
          title: 'Remind staff to check the MAR time',
          actionType: 'REMINDER',
          strength: 'WEAKER',
          evidenceRequired: ['briefing sign-off'],
        }),
      },
      w.lead,
    );
    let plan = await ok(actionPlanQuery, { id: nearMiss.id }, w.lead);
    expect(plan.weakOnly).toBe(true);
    expect(plan.actionPlan.strengthMix).toEqual({ stronger: 0, intermediate: 0, weaker: 1 });
    const summary = `query($from: DateTime!, $to: DateTime!) { governanceSummary(from: $from, to: $to) { weakOnlyActionPlans actionsIssued } }`;
    const period = {
      from: new Date(Date.now() - 7 * day).toISOString(),
      to: new Date(Date.now() + 60_000).toISOString(),
    };
    const board: Caller = { tenant: w.tenant, sub: 'board', roles: ['GOVERNANCE'] };
    expect(await ok(summary, period, board)).toEqual({ weakOnlyActionPlans: 1, actionsIssued: 1 });

    await ok(
      addActionMutation,
      {
        input: actionInput([nearMiss.id], {
          title: 'Add a checklist step to the round',
          actionType: 'CHECKLIST',
          strength: 'INTERMEDIATE',
        }),
      },
      w.lead,
    );
    plan = await ok(actionPlanQuery, { id: nearMiss.id }, w.lead);
    expect(plan.weakOnly).toBe(false);
    expect(await ok(summary, period, board)).toEqual({ weakOnlyActionPlans: 0, actionsIssued: 2 });
  });

  it('refuses a strength that contradicts the action type, actions before triage, and reporters', async () => {
    const w = world();
    const nearMiss = await triaged(w);
    const contradiction = await t.graphql(
      addActionMutation,
      { input: actionInput([nearMiss.id], { actionType: 'TRAINING', strength: 'STRONGER' }) },
      w.lead,
    );
    expect(contradiction.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'strength' }],
    });

    const fresh = (await ok(reportMutation, { input: medicationReport(), key: newKey() }, w.reporter)).nearMiss;
    const early = await t.graphql(addActionMutation, { input: actionInput([fresh.id]) }, w.lead);
    expect(early.errors?.[0].extensions?.code).toBe('CONFLICT');
    const byReporter = await t.graphql(addActionMutation, { input: actionInput([nearMiss.id]) }, w.reporter);
    expect(byReporter.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const [{ count }] = await t.app.database.dataSource.query(
      `SELECT count(*)::int AS count FROM corrective_action WHERE tenant_id = $1`,
      [w.tenant],
    );
    expect(count).toBe(0);
  });

  it('shares learning across services and lists what each owner has, and what is overdue', async () => {
    const w = world();
    const nearMiss = await triaged(w);
    const shared = await ok(
      addActionMutation,
      { input: actionInput([nearMiss.id], { serviceIds: ['north', 'south', 'east'] }) },
      w.manager,
    );
    expect(shared.serviceIds).toEqual(['north', 'south', 'east']);
    const outside = await t.graphql(
      addActionMutation,
      { input: actionInput([nearMiss.id], { serviceIds: ['north', 'west'] }) },
      w.lead,
    );
    expect(outside.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const southManager: Caller = { tenant: w.tenant, sub: 'south-manager', roles: ['MANAGER'], services: ['south'] };
    const owned = await ok(
      `{ staff(id: "staff-owner") { id } }`.replace(
        'staff(id: "staff-owner") { id }',
        '_entities(representations: [{__typename: "Staff", id: "staff-owner"}]) { ... on Staff { correctiveActionsOwned(status: [OPEN]) { id serviceIds } } }',
      ),
      {},
      southManager,
    );
    expect(owned[0].correctiveActionsOwned.map((action: { id: string }) => action.id)).toEqual([shared.id]);

    await t.app.database.dataSource.query(
      `UPDATE corrective_action SET due_by = now() - interval '1 day' WHERE id = $1`,
      [shared.id],
    );
    const overdue = await ok(`{ overdueCorrectiveActions(serviceIds: ["east"]) { id overdue } }`, {}, w.manager);
    expect(overdue).toEqual([{ id: shared.id, overdue: true }]);

    const cancelled = await ok(
      cancelActionMutation,
      { id: shared.id, reason: 'Replaced by the regional MAR redesign' },
      w.manager,
    );
    expect(cancelled.status).toBe('CANCELLED');
  });
});

describe('closing on weaker actions alone', () => {
  it('is refused for severe potential harm; a manager may override with a reason, counted in governance', async () => {
    const w = world();
    const nearMiss = await triaged(w, { potentialHarm: 'SEVERE' });
    const action = await ok(
      addActionMutation,
      {
        input: actionInput([nearMiss.id], {
          title: 'Remind staff to check the MAR time',
          actionType: 'REMINDER',
          strength: 'WEAKER',
          evidenceRequired: ['briefing sign-off'],
        }),
      },
      w.lead,
    );
    await ok(completeActionMutation, { id: action.id, evidence: ['BRF-7'] }, w.owner);
    const current = await ok(actionPlanQuery, { id: nearMiss.id }, w.manager);
    const close = (caller: Caller, weakOnlyOverrideReason?: string) =>
      t.graphql(
        `mutation($id: ID!, $v: Int!, $reason: String) { closeNearMiss(id: $id, expectedVersion: $v, outcome: "Staff reminded.", weakOnlyOverrideReason: $reason) { status } }`,
        { id: nearMiss.id, v: current.version, reason: weakOnlyOverrideReason },
        caller,
      );
    const refused = await close(w.manager);
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', weakOnly: true });
    expect(refused.errors?.[0].message).toMatch(/its potential harm is severe/);
    // A lead cannot override.
    expect((await close(w.lead, 'Short of time')).errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(dataOf(await close(w.manager, 'Pharmacy redesign is funded next quarter; interim reminder only.'))).toEqual({
      status: 'CLOSED',
    });
    const board: Caller = { tenant: w.tenant, sub: 'board', roles: ['GOVERNANCE'] };
    expect(
      await ok(
        `query($from: DateTime!, $to: DateTime!) { governanceSummary(from: $from, to: $to) { weakOnlyOverrides } }`,
        { from: new Date(Date.now() - 7 * day).toISOString(), to: new Date(Date.now() + 60_000).toISOString() },
        board,
      ),
    ).toEqual({ weakOnlyOverrides: 1 });
  });
});

describe('automatic reopening on recurrence', () => {
  async function verifiedAction(w: World) {
    const nearMiss = await triaged(w);
    const action = await ok(addActionMutation, { input: actionInput([nearMiss.id]) }, w.lead);
    await ok(completeActionMutation, { id: action.id, evidence: ['MAR template v2', 'BRF-1'] }, w.owner);
    const checks = await ok(
      scheduleMutation,
      {
        input: {
          actionId: action.id,
          method: 'AUDIT',
          firstDueAt: new Date(Date.now() + 7 * day).toISOString(),
          everyDays: 7,
          count: 6,
        },
      },
      w.owner,
    );
    return { nearMiss, action, checks };
  }

  it('reopens the action and its near miss when a similar near miss recurs after five passed checks, and notifies the owner', async () => {
    const w = world();
    const { nearMiss, action, checks } = await verifiedAction(w);
    for (const check of checks.slice(0, 5))
      await ok(
        recordResultMutation,
        { id: check.id, result: 'PASS', evidence: [`AUD-${check.sequence}`] },
        w.supervisor,
      );

    // Not similar: another person.
    await ok(
      reportMutation,
      { input: medicationReport({ personId: 'person-2', occurredAt: new Date().toISOString() }), key: newKey() },
      w.reporter,
    );
    expect((await ok(actionPlanQuery, { id: nearMiss.id }, w.lead)).status).toBe('VERIFYING');

    const recurrence = (
      await ok(
        reportMutation,
        { input: medicationReport({ occurredAt: new Date().toISOString() }), key: newKey() },
        w.reporter,
      )
    ).nearMiss;
    const plan = await ok(actionPlanQuery, { id: nearMiss.id }, w.lead);
    expect(plan.status).toBe('REOPENED');
    expect(plan.correctiveActions).toEqual([{ id: action.id, status: 'OPEN', effective: false }]);
    const [event] = await t.app.database.dataSource.query(
      `SELECT payload FROM outbox_event WHERE tenant_id = $1 AND event_type = 'corrective_action.reopened'`,
      [w.tenant],
    );
    expect(event.payload).toMatchObject({
      ownerId: 'staff-owner',
      cause: { kind: 'recurrence', nearMissId: recurrence.id },
      notify: ['action owner', 'registered manager'],
    });
  });

  it('reopens whichever way a closure and a similar report race (two concurrent transactions)', async () => {
    for (let round = 0; round < 3; round += 1) {
      const w = world();
      const { nearMiss, checks } = await verifiedAction(w);
      for (const check of checks)
        await ok(
          recordResultMutation,
          { id: check.id, result: 'PASS', evidence: [`AUD-${check.sequence}`] },
          w.supervisor,
        );
      const before = await ok(actionPlanQuery, { id: nearMiss.id }, w.lead);
      expect(before.actionPlan.effective).toBe(true);

      const [closing, reporting] = await Promise.all([
        t.graphql(
          closeMutation,
          { id: nearMiss.id, v: before.version, outcome: 'MAR redesigned; six audits clean.' },
          w.lead,
        ),
        t.graphql(
          reportMutation,
          { input: medicationReport({ occurredAt: new Date().toISOString() }), key: newKey() },
          w.reporter,
        ),
      ]);
      expect(reporting.errors).toBeUndefined();
      if (closing.errors) expect(closing.errors[0].extensions?.code).toBe('CONFLICT');
      const after = await ok(actionPlanQuery, { id: nearMiss.id }, w.lead);
      expect(after.status).toBe('REOPENED');
      expect(after.correctiveActions[0]).toMatchObject({ status: 'OPEN', effective: false });
    }
  });

  it('never deadlocks a verification result against a closure of the same near miss', async () => {
    const w = world();
    const { nearMiss, checks } = await verifiedAction(w);
    for (const check of checks.slice(0, 5))
      await ok(
        recordResultMutation,
        { id: check.id, result: 'PASS', evidence: [`AUD-${check.sequence}`] },
        w.supervisor,
      );
    const before = await ok(actionPlanQuery, { id: nearMiss.id }, w.manager);
    const [closing, failing] = await Promise.all([
      t.graphql(
        closeMutation,
        { id: nearMiss.id, v: before.version, outcome: 'Closed early by the manager: audits clean so far.' },
        w.manager,
      ),
      t.graphql(recordResultMutation, { id: checks[5].id, result: 'FAIL', evidence: ['AUD-6'] }, w.supervisor),
    ]);
    expect(failing.errors).toBeUndefined();
    if (closing.errors) expect(closing.errors[0].extensions?.code).toBe('CONFLICT');
    expect((await ok(actionPlanQuery, { id: nearMiss.id }, w.manager)).status).toBe('REOPENED');
  });

  it('reopens a service-wide control on the same kind of near miss to another person in its services, not on another kind', async () => {
    const w = world();
    const nearMiss = await triaged(w);
    const action = await ok(
      addActionMutation,
      { input: actionInput([nearMiss.id], { recurrenceScope: 'SAME_KIND_IN_SERVICES', serviceIds: ['north'] }) },
      w.lead,
    );
    await ok(completeActionMutation, { id: action.id, evidence: ['MAR template v2', 'BRF-1'] }, w.owner);
    const [stored] = await t.app.database.dataSource.query(
      `SELECT recurrence_scope FROM corrective_action WHERE id = $1`,
      [action.id],
    );
    expect(stored.recurrence_scope).toBe('SAME_KIND_IN_SERVICES');

    // Another kind (a label mismatch) to another person: the MAR control does not answer for it.
    await ok(
      reportMutation,
      {
        input: medicationReport(
          { personId: 'person-5', occurredAt: new Date().toISOString() },
          { medicationName: 'Insulin glargine', discrepancyType: 'LABEL_MISMATCH' },
        ),
        key: newKey(),
      },
      w.reporter,
    );
    expect((await ok(actionPlanQuery, { id: nearMiss.id }, w.lead)).correctiveActions).toEqual([
      { id: action.id, status: 'DONE', effective: null },
    ]);
    // Its measurable target: none of its kind in its services since completion (the other kind does not count).
    const target = `query($id: ID!) { correctiveAction(id: $id) { targetMaxRecurrences targetEvaluation { windowDays before after maxAfter met } } }`;
    expect(await ok(target, { id: action.id }, w.lead)).toEqual({
      targetMaxRecurrences: 0,
      targetEvaluation: { windowDays: 42, before: 0, after: 0, maxAfter: 0, met: null },
    });

    // The same kind (a MAR entry signed for the wrong time) to another person, another medicine.
    const recurrence = (
      await ok(
        reportMutation,
        {
          input: medicationReport(
            { personId: 'person-6', occurredAt: new Date().toISOString() },
            { medicationName: 'Metformin 500mg' },
          ),
          key: newKey(),
        },
        w.reporter,
      )
    ).nearMiss;
    const plan = await ok(actionPlanQuery, { id: nearMiss.id }, w.lead);
    expect(plan.status).toBe('REOPENED');
    expect(plan.correctiveActions).toEqual([{ id: action.id, status: 'OPEN', effective: false }]);
    const [event] = await t.app.database.dataSource.query(
      `SELECT payload FROM outbox_event WHERE tenant_id = $1 AND event_type = 'corrective_action.reopened'`,
      [w.tenant],
    );
    expect(event.payload).toMatchObject({ cause: { kind: 'recurrence', nearMissId: recurrence.id } });
    // Reopened, it counts again from now: the recurrence is in the window before.
    expect((await ok(target, { id: action.id }, w.lead)).targetEvaluation).toEqual({
      windowDays: 42,
      before: 1,
      after: null,
      maxAfter: 0,
      met: null,
    });
  });

  it('takes the recurrence scope its category suggests when none is given', async () => {
    const w = world();
    const nearMiss = await triaged(w);
    const action = await ok(
      `mutation($input: CorrectiveActionInput!) { addCorrectiveAction(input: $input) { recurrenceScope } }`,
      { input: actionInput([nearMiss.id]) },
      w.lead,
    );
    // Medication suggests none: the person (and medicine), as before.
    expect(action.recurrenceScope).toBe('SAME_PERSON');
  });

  it("does not reopen for a report outside the action's services", async () => {
    const w = world();
    const { nearMiss } = await verifiedAction(w);
    const south: Caller = { tenant: w.tenant, sub: 'south-reporter', roles: ['REPORTER'], services: ['south'] };
    await ok(
      reportMutation,
      { input: medicationReport({ serviceId: 'south', occurredAt: new Date().toISOString() }), key: newKey() },
      south,
    );
    expect((await ok(actionPlanQuery, { id: nearMiss.id }, w.lead)).status).toBe('VERIFYING');
  });
});

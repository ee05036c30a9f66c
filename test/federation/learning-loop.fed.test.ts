import {
  actionPlanQuery,
  addActionMutation,
  completeActionMutation,
  recordResultMutation,
  scheduleMutation,
} from '../support/action-operations';
import { dataOf, startFederatedWorld, type FederatedWorld } from '../support/federated-world';
import { acknowledgeMutation, closeMutation, gateMutation, triageMutation } from '../support/lifecycle-operations';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { uniqueTenant, type Caller } from '../support/test-app';

let world: FederatedWorld;
beforeAll(async () => {
  world = await startFederatedWorld();
});
afterAll(async () => world?.stop());

const day = 24 * 60 * 60 * 1000;

const viaGateway = async (query: string, variables: Record<string, unknown>, caller: Caller) =>
  dataOf(await world.viaGateway(query, variables, caller));

const people = () => {
  const tenant = uniqueTenant('gw-loop');
  return {
    tenant,
    reporter: { tenant, sub: 'staff-7', roles: ['REPORTER'], services: ['north'] } as Caller,
    supervisor: { tenant, sub: 'staff-8', roles: ['SUPERVISOR'], services: ['north'] } as Caller,
    medicationLead: { tenant, sub: 'staff-20', roles: ['MEDICATION_LEAD'], services: ['north'] } as Caller,
    manager: { tenant, sub: 'staff-30', roles: ['MANAGER'], services: ['*'] } as Caller,
  };
};

describe('the learning loop through the gateway', () => {
  it('takes the seed\'s "MAR signed for the wrong time" from report to closure; the reporter sees three messages and never the classification', async () => {
    const p = people();
    const reported = await viaGateway(reportMutation, { input: medicationReport(), key: newKey() }, p.reporter);
    expect(reported).toMatchObject({ sameDay: true, suggestedRoute: 'MEDICATION_SAFETY_REVIEW' });
    let nearMiss = await viaGateway(
      acknowledgeMutation,
      { id: reported.nearMiss.id, v: reported.nearMiss.version },
      p.supervisor,
    );

    const overrideWithoutReason = await world.viaGateway(
      triageMutation,
      {
        input: {
          nearMissId: nearMiss.id,
          expectedVersion: nearMiss.version,
          route: 'OPERATIONAL_FIX',
          justCulture: 'HUMAN_ERROR',
          rationale: 'Slip at a busy round',
        },
      },
      p.medicationLead,
    );
    expect(overrideWithoutReason.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');

    nearMiss = await viaGateway(
      triageMutation,
      {
        input: {
          nearMissId: nearMiss.id,
          expectedVersion: nearMiss.version,
          route: 'MEDICATION_SAFETY_REVIEW',
          justCulture: 'HUMAN_ERROR',
          rationale: 'Slip at a busy round; the MAR layout invites it',
        },
      },
      p.medicationLead,
    );
    expect(nearMiss.triage).toMatchObject({
      sameDay: true,
      route: 'MEDICATION_SAFETY_REVIEW',
      justCulture: 'HUMAN_ERROR',
    });
    for (const gate of nearMiss.gates)
      nearMiss = await viaGateway(gateMutation, { id: nearMiss.id, key: gate.key, v: nearMiss.version }, p.supervisor);
    nearMiss = await viaGateway(
      closeMutation,
      {
        id: nearMiss.id,
        v: nearMiss.version,
        outcome: 'MAR rows for 08:00 and 12:00 are now labelled and shaded; staff briefed.',
      },
      p.manager,
    );
    expect(nearMiss.status).toBe('CLOSED');

    const mine = await viaGateway(
      `{ staff(id: "staff-7") { name nearMissesReported { totalCount edges { node { reference status outcome feedback { message } triage { route justCulture justCultureResponse } } } } } }`,
      {},
      p.reporter,
    );
    expect(mine.name).toBe('Sam Carer');
    const node = mine.nearMissesReported.edges[0].node;
    expect(node.feedback.map((item: { message: string }) => item.message)).toHaveLength(3);
    expect(node.outcome).toMatch(/labelled and shaded/);
    expect(node.triage).toEqual({ route: 'MEDICATION_SAFETY_REVIEW', justCulture: null, justCultureResponse: null });
    expect(JSON.stringify(mine)).not.toMatch(/HUMAN_ERROR|coach/i);
  });

  it("runs the seed's time-critical medicine example: action with a six-week target, six weekly checks, five pass, then a recurrence reopens it", async () => {
    const p = people();
    const first = await viaGateway(
      reportMutation,
      { input: medicationReport({}, { discrepancyType: 'TIME_CRITICAL_TIMING' }), key: newKey() },
      p.reporter,
    );
    let nearMiss = await viaGateway(
      acknowledgeMutation,
      { id: first.nearMiss.id, v: first.nearMiss.version },
      p.supervisor,
    );
    nearMiss = await viaGateway(
      triageMutation,
      {
        input: {
          nearMissId: nearMiss.id,
          expectedVersion: nearMiss.version,
          route: 'MEDICATION_SAFETY_REVIEW',
          justCulture: 'SYSTEM_ISSUE',
          rationale: 'Round order puts time-critical doses last',
        },
      },
      p.medicationLead,
    );
    for (const gate of nearMiss.gates)
      nearMiss = await viaGateway(gateMutation, { id: nearMiss.id, key: gate.key, v: nearMiss.version }, p.supervisor);

    const action = await viaGateway(
      addActionMutation,
      {
        input: {
          nearMissIds: [nearMiss.id],
          title: 'Time-critical doses first on every round, with an alarm on the MAR app',
          ownerId: 'staff-8',
          dueBy: new Date(Date.now() + 7 * day).toISOString(),
          strength: 'INTERMEDIATE',
          actionType: 'SOFTWARE_PROMPT',
          evidenceRequired: ['round order', 'app alarm configuration'],
          target: 'No repeat time-critical medicine near misses over six weeks',
        },
      },
      p.medicationLead,
    );
    await viaGateway(
      completeActionMutation,
      { id: action.id, evidence: ['Round order: time-critical first (v3)', 'App alarm configuration: ticket OPS-55'] },
      p.supervisor,
    );
    const checks = await viaGateway(
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
      p.supervisor,
    );
    expect(checks).toHaveLength(6);
    for (const check of checks.slice(0, 5))
      await viaGateway(
        recordResultMutation,
        { id: check.id, result: 'PASS', evidence: [`Weekly MAR audit AUD-${check.sequence}`] },
        p.supervisor,
      );

    await viaGateway(
      reportMutation,
      {
        input: medicationReport({ occurredAt: new Date().toISOString() }, { discrepancyType: 'TIME_CRITICAL_TIMING' }),
        key: newKey(),
      },
      p.reporter,
    );

    const plan = await viaGateway(actionPlanQuery, { id: nearMiss.id }, p.manager);
    expect(plan.status).toBe('REOPENED');
    expect(plan.correctiveActions).toEqual([{ id: action.id, status: 'OPEN', effective: false }]);
    const owned = await viaGateway(
      `{ staff(id: "staff-8") { correctiveActionsOwned(status: [OPEN]) { id reopenCount effectivenessReason } } }`,
      {},
      p.manager,
    );
    expect(owned.correctiveActionsOwned).toEqual([
      { id: action.id, reopenCount: 1, effectivenessReason: expect.stringMatching(/recurred/) },
    ]);
    const [notification] = await world.subgraph.app.database.dataSource.query(
      `SELECT payload FROM outbox_event WHERE tenant_id = $1 AND event_type = 'corrective_action.reopened'`,
      [p.tenant],
    );
    expect(notification.payload).toMatchObject({ ownerId: 'staff-8', notify: ['action owner', 'registered manager'] });
  });
});

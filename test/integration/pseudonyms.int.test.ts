import { pseudonymOf, withheld, type PseudonymKind } from '../../subgraph/near-misses/field-protection';
import { addActionMutation, recordResultMutation, scheduleMutation } from '../support/action-operations';
import { triageThroughGates } from '../support/lifecycle-operations';
import { daysAgo, report } from '../support/patterns';
import { dataOf, startTestApp, uniqueTenant, type Caller, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

const day = 24 * 60 * 60 * 1000;

const ok = async (query: string, variables: Record<string, unknown>, caller: Caller) =>
  dataOf(await t.graphql(query, variables, caller));

/** Every string in a response, keys included. */
function stringsOf(value: unknown, found: string[] = []): string[] {
  if (typeof value === 'string') found.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsOf(item, found);
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) {
      found.push(key);
      stringsOf(item, found);
    }
  return found;
}

/** The real ids of one world: every member of staff and every host record the fixtures use. */
const realIds = {
  reporter: 'staff-reporter-ps1',
  supervisor: 'staff-supervisor-ps1',
  lead: 'staff-lead-ps1',
  manager: 'staff-manager-ps1',
  owner: 'staff-owner-ps1',
  involved: 'staff-involved-ps1',
  person: 'person-ps1',
  visit: 'visit-ps1',
  medicationRecord: 'mar-ps1',
  shift: 'shift-ps1',
  carePlan: 'plan-ps1',
};

/**
 * A tenant where one person's three medication near misses (same medicine)
 * open a risk review assigned to the service manager; the first is
 * acknowledged, triaged, its gates done, given an action with a check, and the
 * review concluded: every kind of staff id and host link is stored somewhere.
 */
async function buildWorld() {
  const tenant = uniqueTenant('pseudonyms');
  const as = (sub: string, roles: Caller['roles']): Caller => ({ tenant, sub, roles, services: ['north'] });
  const reporter = as(realIds.reporter, ['REPORTER']);
  const supervisor = as(realIds.supervisor, ['SUPERVISOR']);
  const lead = as(realIds.lead, ['MEDICATION_LEAD']);
  const manager: Caller = { tenant, sub: realIds.manager, roles: ['MANAGER'], services: ['*'] };
  const owner = as(realIds.owner, ['SUPERVISOR']);
  await ok(
    `mutation($staff: ID!) { assignServiceManager(serviceId: "north", staffId: $staff) { staffId } }`,
    { staff: realIds.manager },
    manager,
  );
  const links = {
    personId: realIds.person,
    visitId: realIds.visit,
    medicationRecordId: realIds.medicationRecord,
    shiftId: realIds.shift,
    carePlanId: realIds.carePlan,
    staffInvolvedIds: [realIds.involved, realIds.reporter],
  };
  const reported = [];
  for (let index = 0; index < 3; index += 1)
    reported.push(await report(t, reporter, { ...links, occurredAt: daysAgo(3 - index) }));
  const reviewId = reported[2].riskReviewsOpened[0].id as string;
  const first = reported[0].nearMiss.id;

  await triageThroughGates(ok, first, { supervisor, lead }, 'System issue: MAR layout');
  const action = await ok(
    addActionMutation,
    {
      input: {
        nearMissIds: [first],
        title: 'Redesign the MAR row for the morning levodopa dose',
        ownerId: realIds.owner,
        dueBy: new Date(Date.now() + 14 * day).toISOString(),
        strength: 'STRONGER',
        actionType: 'REDESIGN',
        evidenceRequired: ['MAR template'],
        target: 'No repeat for this person over six weeks',
      },
    },
    manager,
  );
  const [check] = await ok(
    scheduleMutation,
    {
      input: { actionId: action.id, method: 'AUDIT', firstDueAt: new Date().toISOString(), everyDays: 7, count: 1 },
    },
    owner,
  );
  await ok(
    recordResultMutation,
    { id: check.id, result: 'PASS', evidence: [`MAR ${realIds.medicationRecord}`], notes: 'Checked the MAR' },
    lead,
  );
  await ok(
    `mutation($id: ID!) { concludeRiskReview(id: $id, conclusion: "Handover lost the change", causes: [HANDOVER]) { id } }`,
    { id: reviewId },
    manager,
  );
  return { tenant, reporter, manager, nearMissIds: reported.map((item) => item.nearMiss.id), actionId: action.id };
}

/** Everything that returns a member of staff or a host link, across near misses, lifecycle, actions and reviews. */
const everywhere = /* GraphQL */ `
  query Everywhere($action: ID!) {
    nearMisses(first: 10) {
      edges {
        node {
          id
          reportedBy {
            id
          }
          staffInvolved {
            id
          }
          person {
            id
          }
          visit {
            id
          }
          medicationRecord {
            id
          }
          shift {
            id
          }
          carePlan {
            id
          }
          triage {
            triagedBy {
              id
            }
            rationale
          }
          gates {
            key
            doneBy {
              id
            }
          }
          timeline {
            action
            actor {
              id
            }
            detail
          }
          correctiveActions {
            id
            owner {
              id
            }
            verificationChecks {
              performedBy {
                id
              }
            }
          }
          actionPlan {
            actions {
              owner {
                id
              }
            }
          }
          riskReviews {
            id
            assignedTo {
              id
            }
            concludedBy {
              id
            }
          }
        }
      }
    }
    riskReviews {
      id
      assignedTo {
        id
      }
      concludedBy {
        id
      }
      nearMisses {
        reportedBy {
          id
        }
        person {
          id
        }
      }
    }
    correctiveAction(id: $action) {
      owner {
        id
      }
      verificationChecks {
        performedBy {
          id
        }
      }
    }
  }
`;

describe('pseudonyms for ANALYST', () => {
  let world: Awaited<ReturnType<typeof buildWorld>>;
  let analyst: Caller;
  const pseudonym = (kind: PseudonymKind, id: string) =>
    pseudonymOf(t.app.services.config.pseudonymisationSecret, world.tenant, kind, id);

  beforeAll(async () => {
    world = await buildWorld();
    analyst = { tenant: world.tenant, sub: 'analyst-ps1', roles: ['ANALYST'] };
  });

  it('shows no real staff or host id anywhere in near misses, triage, gates, timeline, actions and reviews', async () => {
    const result = await t.graphql(everywhere, { action: world.actionId }, analyst);
    expect(result.errors).toBeUndefined();
    const strings = stringsOf(result.data);
    const leaks = strings.filter((value) => Object.values(realIds).some((id) => value.includes(id)));
    expect(leaks).toEqual([]);

    // Every field that names someone is filled, with a pseudonym of its kind.
    const nodes = result.data!.nearMisses.edges.map((edge: { node: Record<string, any> }) => edge.node);
    expect(nodes).toHaveLength(3);
    const triaged = nodes.find((node: Record<string, any>) => node.triage !== null);
    expect(triaged).toMatchObject({
      person: { id: pseudonym('person', realIds.person) },
      visit: { id: pseudonym('visit', realIds.visit) },
      medicationRecord: { id: pseudonym('medicationRecord', realIds.medicationRecord) },
      shift: { id: pseudonym('shift', realIds.shift) },
      carePlan: { id: pseudonym('carePlan', realIds.carePlan) },
      reportedBy: { id: pseudonym('staff', realIds.reporter) },
      staffInvolved: [{ id: pseudonym('staff', realIds.involved) }, { id: pseudonym('staff', realIds.reporter) }],
      triage: { triagedBy: { id: pseudonym('staff', realIds.lead) }, rationale: withheld },
      correctiveActions: [
        {
          owner: { id: pseudonym('staff', realIds.owner) },
          verificationChecks: [{ performedBy: { id: pseudonym('staff', realIds.lead) } }],
        },
      ],
      riskReviews: [
        {
          assignedTo: { id: pseudonym('staff', realIds.manager) },
          concludedBy: { id: pseudonym('staff', realIds.manager) },
        },
      ],
    });
    expect(triaged.gates.length).toBeGreaterThan(0);
    for (const gate of triaged.gates) expect(gate.doneBy).toEqual({ id: pseudonym('staff', realIds.supervisor) });
    const events = triaged.timeline as { action: string; actor: { id: string } | null; detail: any }[];
    expect(events.find((event) => event.action === 'near_miss.reported')!.actor).toEqual({
      id: pseudonym('staff', realIds.reporter),
    });
    const added = events.find((event) => event.action === 'corrective_action.added')!;
    expect(added.actor).toEqual({ id: pseudonym('staff', realIds.manager) });
    expect(added.detail.ownerId).toBe(pseudonym('staff', realIds.owner));
    expect(result.data!.correctiveAction.owner.id).toBe(pseudonym('staff', realIds.owner));
  });

  it('gives the same pseudonyms in every request, so analysis joins across near misses and queries', async () => {
    const first = await t.graphql(everywhere, { action: world.actionId }, analyst);
    const second = await t.graphql(everywhere, { action: world.actionId }, { ...analyst, sub: 'analyst-ps2' });
    expect(second.data).toEqual(first.data);

    const nodes = first.data!.nearMisses.edges.map((edge: { node: Record<string, any> }) => edge.node);
    // One reporter, one person, one visit: one pseudonym each across the three near misses.
    expect(new Set(nodes.map((node: Record<string, any>) => node.reportedBy.id)).size).toBe(1);
    expect(new Set(nodes.map((node: Record<string, any>) => node.person.id)).size).toBe(1);
    expect(new Set(nodes.map((node: Record<string, any>) => node.visit.id)).size).toBe(1);
    // The same member of staff is the same pseudonym wherever they appear (reporter and involved).
    expect(nodes[0].staffInvolved[1].id).toBe(nodes[0].reportedBy.id);
    // Reviews listed on their own join the near misses' reviews.
    expect(first.data!.riskReviews[0].assignedTo.id).toBe(pseudonym('staff', realIds.manager));
    expect(first.data!.riskReviews[0].nearMisses.map((node: { person: { id: string } }) => node.person.id)).toEqual(
      Array(3).fill(pseudonym('person', realIds.person)),
    );
    // Kinds never share a pseudonym, even for the same string.
    expect(pseudonym('staff', realIds.person)).not.toBe(pseudonym('person', realIds.person));
  });

  it('shows the real ids to the other roles', async () => {
    const result = await t.graphql(everywhere, { action: world.actionId }, world.manager);
    expect(result.errors).toBeUndefined();
    const node = result.data!.nearMisses.edges.find(
      (edge: { node: Record<string, any> }) => edge.node.triage !== null,
    ).node;
    expect(node).toMatchObject({
      reportedBy: { id: realIds.reporter },
      staffInvolved: [{ id: realIds.involved }, { id: realIds.reporter }],
      person: { id: realIds.person },
      visit: { id: realIds.visit },
      medicationRecord: { id: realIds.medicationRecord },
      shift: { id: realIds.shift },
      carePlan: { id: realIds.carePlan },
      triage: { triagedBy: { id: realIds.lead } },
      correctiveActions: [
        { owner: { id: realIds.owner }, verificationChecks: [{ performedBy: { id: realIds.lead } }] },
      ],
      riskReviews: [{ assignedTo: { id: realIds.manager }, concludedBy: { id: realIds.manager } }],
    });
    const added = node.timeline.find((event: { action: string }) => event.action === 'corrective_action.added');
    expect(added).toMatchObject({ actor: { id: realIds.manager }, detail: { ownerId: realIds.owner } });
    const reporterView = await t.graphql(
      `{ nearMisses(first: 1) { edges { node { reportedBy { id } visit { id } } } } }`,
      {},
      world.reporter,
    );
    expect(reporterView.data!.nearMisses.edges[0].node).toEqual({
      reportedBy: { id: realIds.reporter },
      visit: { id: realIds.visit },
    });
  });

  it('refuses ANALYST lookups by member of staff or host record, by real id or pseudonym', async () => {
    const lookups = [
      ['Staff', realIds.reporter, 'nearMissesReported { totalCount }'],
      ['Staff', pseudonym('staff', realIds.reporter), 'nearMissesReported { totalCount }'],
      ['Staff', realIds.owner, 'correctiveActionsOwned { id }'],
      ['Visit', realIds.visit, 'nearMisses { id }'],
      ['Visit', pseudonym('visit', realIds.visit), 'nearMisses { id }'],
      ['MedicationRecord', realIds.medicationRecord, 'nearMisses { id }'],
      ['Shift', realIds.shift, 'nearMisses { id }'],
      ['CarePlan', realIds.carePlan, 'nearMisses { id }'],
      ['Person', pseudonym('person', realIds.person), 'nearMisses { totalCount }'],
    ];
    for (const [type, id, fields] of lookups) {
      const query = `{ _entities(representations: [{ __typename: "${type}", id: "${id}" }]) { ... on ${type} { ${fields} } } }`;
      const result = await t.graphql(query, {}, analyst);
      expect({ query, code: result.errors?.[0]?.extensions?.code }).toEqual({ query, code: 'FORBIDDEN' });
      expect(result.errors![0].message).toMatch(/pseudonym/);
    }
    // Identified roles still look up by staff and host record.
    const byManager = await t.graphql(
      `{ _entities(representations: [{ __typename: "Visit", id: "${realIds.visit}" }]) { ... on Visit { nearMisses { id } } } }`,
      {},
      world.manager,
    );
    expect(byManager.data!._entities[0].nearMisses).toHaveLength(3);
  });
});

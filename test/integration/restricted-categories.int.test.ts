import { addActionMutation } from '../support/action-operations';
import { acknowledgeMutation, feedbackMutation, triageMutation } from '../support/lifecycle-operations';
import { outsideFolder, writePlugin } from '../support/plugin-fixtures';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { callersOf, dataOf, startTestApp, uniqueTenant, type Caller, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

// Safeguarding declares restrictedTo: [SAFEGUARDING_LEAD, MANAGER]. A SUPERVISOR of the same service must
// not find its reports by any route; the lead, the manager, ADMIN and the reporter can; aggregates still count them.

const folder = outsideFolder('restricted');
let t: TestApp;
beforeAll(async () => {
  // An outside category restricted to the safeguarding lead alone: managers do not read it.
  const leadOnly = writePlugin(folder.path, 'lead-only', `{ restrictedTo: ['SAFEGUARDING_LEAD'] }`);
  t = await startTestApp({ plugins: [leadOnly] });
});
afterAll(async () => {
  await t?.stop();
  folder.remove();
});

const day = 24 * 60 * 60 * 1000;

function safeguardingReport(overrides: Record<string, unknown> = {}) {
  return {
    ...medicationReport({ workflowStage: 'TRANSPORT', contributingFactors: [], ...overrides }),
    category: 'safeguarding',
    whatHappened: 'An unknown adult approached the person twice on the way to the day centre.',
    details: {
      cueObserved: 'APPROACHED_BY_UNKNOWN_PERSON',
      cueSeenBefore: true,
      safetyPlanInPlace: true,
      safetyPlanStepUsed: 'Followed the safety script and moved to a safer location',
      safeguardingLeadInformed: true,
    },
  };
}

const world = () => {
  const tenant = uniqueTenant('restricted');
  const caller = callersOf(tenant);
  return {
    tenant,
    reporter: caller('staff-reporter', ['REPORTER']),
    otherReporter: caller('staff-other', ['REPORTER']),
    supervisor: caller('staff-supervisor', ['SUPERVISOR']),
    medicationLead: caller('staff-med-lead', ['MEDICATION_LEAD']),
    analyst: caller('staff-analyst', ['ANALYST'], ['*']),
    integration: caller('host-app', ['INTEGRATION'], ['*']),
    lead: caller('staff-sg-lead', ['SAFEGUARDING_LEAD']),
    manager: caller('staff-manager', ['MANAGER'], ['*']),
    admin: caller('staff-admin', ['ADMIN'], ['*']),
  };
};
type World = ReturnType<typeof world>;

const ok = async (query: string, variables: Record<string, unknown>, caller: Caller) =>
  dataOf(await t.graphql(query, variables, caller));

async function reportAs(caller: Caller, input: Record<string, unknown>) {
  return (await ok(reportMutation, { input, key: newKey() }, caller)).nearMiss as { id: string; version: number };
}

async function triageAs(caller: Caller, nearMiss: { id: string; version: number }, route: string) {
  const acknowledged = await ok(acknowledgeMutation, { id: nearMiss.id, v: nearMiss.version }, caller);
  return ok(
    triageMutation,
    {
      input: {
        nearMissId: nearMiss.id,
        expectedVersion: acknowledged.version,
        route,
        justCulture: 'SYSTEM_ISSUE',
        rationale: 'Reviewed',
      },
    },
    caller,
  );
}

const idsOf = (nodes: { id: string }[]) => nodes.map((node) => node.id).sort();

/** Every read route to near misses, as `caller`: what ids each one gives back. */
async function everyRoute(w: World, caller: Caller, ids: { actionId: string; reviewId: string; id: string }) {
  const list = await ok(`{ nearMisses(first: 100) { totalCount edges { node { id } } } }`, {}, caller);
  const queue = await t.graphql(`{ triageQueue { id } }`, {}, caller);
  const byId = await ok(`query($id: ID!) { nearMiss(id: $id) { id } }`, { id: ids.id }, caller);
  const entities = await ok(
    `query($id: ID!) { _entities(representations: [
        { __typename: "NearMiss", id: $id },
        { __typename: "Person", id: "person-s" },
        { __typename: "Visit", id: "visit-s" },
        { __typename: "Staff", id: "staff-reporter" }
      ]) {
        ... on NearMiss { id }
        ... on Person { nearMisses(first: 50) { totalCount edges { node { id } } } }
        ... on Visit { visitNearMisses: nearMisses { id } }
        ... on Staff { nearMissesReported(first: 50) { totalCount edges { node { id } } } }
    } }`,
    { id: ids.id },
    caller,
  );
  const action = await t.graphql(
    `query($id: ID!) { correctiveAction(id: $id) { nearMisses { id } } }`,
    { id: ids.actionId },
    caller,
  );
  const review = await t.graphql(
    `query($id: ID!) { riskReview(id: $id) { nearMissCount nearMisses { id } } }`,
    { id: ids.reviewId },
    caller,
  );
  const [nearMiss, person, visit, staff] = entities;
  return {
    list: idsOf(list.edges.map((edge: { node: { id: string } }) => edge.node)),
    listCount: list.totalCount as number,
    queue: queue.data ? idsOf(queue.data.triageQueue) : queue.errors?.[0].extensions?.code,
    byId: byId?.id ?? null,
    entity: nearMiss?.id ?? null,
    person: idsOf(person.nearMisses.edges.map((edge: { node: { id: string } }) => edge.node)),
    personCount: person.nearMisses.totalCount as number,
    visit: idsOf(visit.visitNearMisses),
    staff: idsOf(staff.nearMissesReported.edges.map((edge: { node: { id: string } }) => edge.node)),
    action: action.data ? idsOf(action.data.correctiveAction.nearMisses) : action.errors?.[0].extensions?.code,
    review: review.data
      ? review.data.riskReview && idsOf(review.data.riskReview.nearMisses)
      : review.errors?.[0].extensions?.code,
    reviewListed: review.data
      ? ((await ok(`{ riskReviews { id } }`, {}, caller)) as { id: string }[]).some(
          (listed) => listed.id === ids.reviewId,
        )
      : review.errors?.[0].extensions?.code,
  };
}

describe('restricted categories (safeguarding)', () => {
  const w = world();
  const link = { personId: 'person-s', visitId: 'visit-s' };
  let safeguarding: { id: string; version: number }[];
  let medication: { id: string; version: number };
  let actionId: string;
  let reviewId: string;

  beforeAll(async () => {
    // Three similar safeguarding reports (same person and cue) open a risk review; one medication report
    // about the same person and visit is the unrestricted control.
    safeguarding = [];
    for (let index = 0; index < 3; index += 1) {
      safeguarding.push(
        await reportAs(
          w.reporter,
          safeguardingReport({
            ...link,
            occurredAt: new Date(Date.now() - (index + 1) * 60 * 60 * 1000).toISOString(),
          }),
        ),
      );
    }
    medication = await reportAs(w.reporter, medicationReport(link));
    const reviews: { id: string; categoryKey: string }[] = await ok(
      `{ riskReviews { id categoryKey } }`,
      {},
      w.manager,
    );
    reviewId = reviews.find((review) => review.categoryKey === 'safeguarding')!.id;

    // One corrective action on a safeguarding report and the medication report.
    await triageAs(w.manager, safeguarding[0], 'SAFEGUARDING_REVIEW');
    await triageAs(w.manager, medication, 'MEDICATION_SAFETY_REVIEW');
    const action = await ok(
      addActionMutation,
      {
        input: {
          nearMissIds: [safeguarding[0].id, medication.id],
          title: 'Agree a safer route to the day centre',
          ownerId: 'staff-owner',
          dueBy: new Date(Date.now() + 14 * day).toISOString(),
          strength: 'INTERMEDIATE',
          actionType: 'CHECKLIST',
          evidenceRequired: ['route plan'],
          target: 'No repeat approaches on outings over six weeks',
        },
      },
      w.manager,
    );
    actionId = action.id;
  });

  const restrictedIds = () => idsOf(safeguarding);
  const all = () => idsOf([...safeguarding, medication]);

  it('hides them from a SUPERVISOR of the service by every route, leaving the unrestricted report as it was', async () => {
    for (const caller of [w.supervisor, w.medicationLead]) {
      expect(await everyRoute(w, caller, { id: safeguarding[0].id, actionId, reviewId })).toEqual({
        list: [medication.id],
        listCount: 1,
        queue: [],
        byId: null,
        entity: null,
        person: [medication.id],
        personCount: 1,
        visit: [medication.id],
        staff: [medication.id],
        action: [medication.id],
        review: null,
        reviewListed: false,
      });
    }
  });

  it('hides them from ANALYST and INTEGRATION callers too', async () => {
    for (const caller of [w.analyst, w.integration]) {
      const seen = await ok(`{ nearMisses(first: 100) { totalCount edges { node { id } } } }`, {}, caller);
      expect(seen.totalCount).toBe(1);
      expect(await ok(`query($id: ID!) { nearMiss(id: $id) { id } }`, { id: safeguarding[1].id }, caller)).toBeNull();
    }
  });

  it('shows them to the SAFEGUARDING_LEAD, the MANAGER and ADMIN, marked restricted', async () => {
    for (const caller of [w.lead, w.manager, w.admin]) {
      const routes = await everyRoute(w, caller, { id: safeguarding[0].id, actionId, reviewId });
      expect(routes).toMatchObject({
        list: all(),
        listCount: 4,
        byId: safeguarding[0].id,
        entity: safeguarding[0].id,
        person: all(),
        visit: all(),
        staff: all(),
        action: idsOf([safeguarding[0], medication]),
        review: restrictedIds(),
        reviewListed: true,
      });
      const flags = await ok(
        `{ nearMisses(first: 100) { edges { node { id restricted category { key } } } } }`,
        {},
        caller,
      );
      for (const { node } of flags.edges) expect(node.restricted).toBe(node.category.key === 'safeguarding');
    }
    const queue = await ok(`{ triageQueue { id } }`, {}, w.lead);
    expect(idsOf(queue)).toEqual(idsOf(safeguarding.slice(1)));
  });

  it('shows the reporter their own restricted reports, and other reporters nothing of them', async () => {
    const own = await ok(`{ nearMisses(first: 100) { edges { node { id restricted } } } }`, {}, w.reporter);
    expect(idsOf(own.edges.map((edge: { node: { id: string } }) => edge.node))).toEqual(all());
    const byId = await ok(
      `query($id: ID!) { nearMiss(id: $id) { id restricted } }`,
      { id: safeguarding[0].id },
      w.reporter,
    );
    expect(byId).toEqual({ id: safeguarding[0].id, restricted: true });
    const other = await ok(`{ nearMisses(first: 100) { totalCount } }`, {}, w.otherReporter);
    expect(other.totalCount).toBe(0);
  });

  it('answers NOT_FOUND to mutations by callers who cannot read the report, as for an unknown id', async () => {
    const target = safeguarding[1];
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const id of [target.id, unknown]) {
      const acknowledged = await t.graphql(acknowledgeMutation, { id, v: target.version }, w.supervisor);
      expect(acknowledged.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      const feedback = await t.graphql(feedbackMutation, { id, message: 'Thank you' }, w.supervisor);
      expect(feedback.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    }
    const action = await t.graphql(
      addActionMutation,
      {
        input: {
          nearMissIds: [safeguarding[0].id],
          title: 'Brief the team',
          ownerId: 'staff-owner',
          dueBy: new Date(Date.now() + 14 * day).toISOString(),
          strength: 'WEAKER',
          evidenceRequired: ['briefing record'],
          target: 'Team briefed',
        },
      },
      w.medicationLead,
    );
    expect(action.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    // Untouched: the lead can still acknowledge it at the version it had.
    const byLead = await ok(acknowledgeMutation, { id: target.id, v: target.version }, w.lead);
    expect(byLead.status).toBe('ACKNOWLEDGED');
  });

  it('keeps restricted events out of the nearMissEvents feed of callers without the role', async () => {
    const eventsOf = async (caller: Caller) => {
      const page = await ok(`{ nearMissEvents(first: 200) { edges { node { aggregateId type } } } }`, {}, caller);
      return page.edges.map((edge: { node: { aggregateId: string } }) => edge.node.aggregateId) as string[];
    };
    // The feed shows an event once older transactions have ended: wait until the manager sees them all.
    await waitFor('the manager to see every report event', async () => {
      const seen = await eventsOf(w.manager);
      return seen.includes(medication.id) && seen.filter((id) => restrictedIds().includes(id)).length >= 3;
    });
    const integration = await eventsOf(w.integration);
    expect(integration).toContain(medication.id);
    expect(integration.filter((id) => restrictedIds().includes(id))).toEqual([]);
    const admin = await eventsOf(w.admin);
    expect(admin.filter((id) => restrictedIds().includes(id)).length).toBeGreaterThanOrEqual(3);
  });

  it('still counts them in aggregates for callers who cannot read them', async () => {
    const buckets: { key: string; count: number }[] = await ok(
      `{ nearMissTrends(dimension: CATEGORY, interval: MONTH) { key count } }`,
      {},
      w.supervisor,
    );
    const total = (key: string) =>
      buckets.filter((bucket) => bucket.key === key).reduce((sum, bucket) => sum + bucket.count, 0);
    expect(total('safeguarding')).toBe(3);
    expect(total('medication')).toBe(1);
    // Their risk review describes them (reason, conclusion): it is not listed for those callers, nor concluded by them.
    expect(
      await ok(`query($id: ID!) { riskReview(id: $id) { nearMissCount } }`, { id: reviewId }, w.supervisor),
    ).toBeNull();
    expect(
      (await ok(`query($id: ID!) { riskReview(id: $id) { nearMissCount } }`, { id: reviewId }, w.lead)).nearMissCount,
    ).toBe(3);
  });
});

describe('a restricted category that does not name MANAGER', () => {
  it("is left out of a manager's person-data export, and stays in the lead's view", async () => {
    const w = world();
    const restricted = await reportAs(w.reporter, {
      ...medicationReport({ personId: 'person-x', workflowStage: undefined, contributingFactors: [] }),
      category: 'infection-prevention',
      details: { control: 'HAND_HYGIENE' },
    });
    const open = await reportAs(w.reporter, medicationReport({ personId: 'person-x' }));
    const exportOf = async (caller: Caller) =>
      (await ok(`query($p: ID!) { personDataExport(personId: $p) }`, { p: 'person-x' }, caller)).nearMisses.map(
        (row: { id: string }) => row.id,
      ) as string[];
    expect(await exportOf(w.manager)).toEqual([open.id]);
    expect((await exportOf(w.admin)).sort()).toEqual(idsOf([restricted, open]));
    expect(await ok(`query($id: ID!) { nearMiss(id: $id) { id } }`, { id: restricted.id }, w.manager)).toBeNull();
    expect(await ok(`query($id: ID!) { nearMiss(id: $id) { id restricted } }`, { id: restricted.id }, w.lead)).toEqual({
      id: restricted.id,
      restricted: true,
    });
  });
});

import { addActionMutation } from '../support/action-operations';
import { closeMutation, triageThroughGates } from '../support/lifecycle-operations';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { callersOf, dataOf, startTestApp, uniqueTenant, type Caller, type TestApp } from '../support/test-app';

// What governance reviewed and decided (recordGovernanceReview, which may reopen near misses) and what the
// organisation learned (recordLearningResponse), listed by period.

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

const day = 24 * 60 * 60 * 1000;
const ok = async (query: string, variables: Record<string, unknown>, as: Caller) =>
  dataOf(await t.graphql(query, variables, as));

const world = () => {
  const tenant = uniqueTenant('governance');
  const caller = callersOf(tenant);
  return {
    tenant,
    reporter: caller('staff-reporter', ['REPORTER']),
    supervisor: caller('staff-supervisor', ['SUPERVISOR']),
    lead: caller('staff-lead', ['MEDICATION_LEAD']),
    manager: caller('staff-manager', ['MANAGER'], ['*']),
    governance: caller('staff-board', ['GOVERNANCE'], ['*']),
    analyst: caller('staff-analyst', ['ANALYST'], ['*']),
  };
};
type World = ReturnType<typeof world>;

const recordReview = `mutation($input: GovernanceReviewInput!) {
  recordGovernanceReview(input: $input) { id from to serviceIds heldAt attendees decisions emergingRisk reopenedNearMisses { id status } }
}`;
const listReviews = `query($from: DateTime, $to: DateTime) {
  governanceReviews(from: $from, to: $to) { id decisions emergingRisk reopenedNearMisses { id } }
}`;
const recordResponse = `mutation($input: LearningResponseInput!) {
  recordLearningResponse(input: $input) { id method participants findings nearMisses { id } actions { id } riskReviews { id } }
}`;
const listResponses = `query($from: DateTime, $to: DateTime) {
  learningResponses(from: $from, to: $to) { id method findings nearMisses { id } actions { id } }
}`;
const timelineOf = `query($id: ID!) { nearMiss(id: $id) { status timeline { action detail } } }`;

/** A near miss reported, triaged, its gates done, no action needed, and closed. */
async function closed(w: World): Promise<{ id: string }> {
  const reported = (await ok(reportMutation, { input: medicationReport(), key: newKey() }, w.reporter)).nearMiss;
  let nearMiss = await triageThroughGates(ok, reported.id, w, 'MAR layout');
  nearMiss = await ok(
    `mutation($id: ID!, $v: Int!) { recordNoActionNeeded(nearMissId: $id, expectedVersion: $v, reason: "One-off: agency MAR") { version } }`,
    { id: reported.id, v: nearMiss.version },
    w.lead,
  );
  await ok(closeMutation, { id: reported.id, v: nearMiss.version, outcome: 'Agency briefed on our MAR' }, w.lead);
  return reported;
}

const reviewInput = (extra: Record<string, unknown> = {}) => ({
  from: new Date(Date.now() - 90 * day).toISOString(),
  to: new Date().toISOString(),
  heldAt: new Date(Date.now() - 60 * 60 * 1000).toISOString(),
  attendees: ['Registered manager', 'Clinical lead', 'Quality lead'],
  decisions: ['Medication near misses at handover are an emerging risk: reopen the agency MAR case'],
  emergingRisk: true,
  ...extra,
});

describe('governance reviews', () => {
  it('records a review that reopens a closed near miss, in its timeline, and lists it by period', async () => {
    const w = world();
    const nearMiss = await closed(w);
    const review = await ok(recordReview, { input: reviewInput({ reopenNearMissIds: [nearMiss.id] }) }, w.manager);
    expect(review).toMatchObject({
      serviceIds: [],
      emergingRisk: true,
      reopenedNearMisses: [{ id: nearMiss.id, status: 'REOPENED' }],
    });
    const after = await ok(timelineOf, { id: nearMiss.id }, w.lead);
    expect(after.status).toBe('REOPENED');
    expect(after.timeline.at(-1)).toMatchObject({
      action: 'near_miss.reopened',
      detail: { reason: 'governance_review', governanceReviewId: review.id },
    });

    const period = { from: new Date(Date.now() - day).toISOString(), to: new Date().toISOString() };
    expect(await ok(listReviews, period, w.manager)).toEqual([
      {
        id: review.id,
        decisions: reviewInput().decisions,
        emergingRisk: true,
        reopenedNearMisses: [{ id: nearMiss.id }],
      },
    ]);
    // The board reads the record, not the rows.
    expect((await ok(listReviews, period, w.governance))[0]).toMatchObject({ id: review.id, reopenedNearMisses: [] });
    expect(
      await ok(listReviews, { from: new Date(Date.now() - 10 * day).toISOString(), to: period.from }, w.manager),
    ).toEqual([]);
  });

  it('writes nothing when a near miss it names cannot be reopened, and is for managers only', async () => {
    const w = world();
    const open = (await ok(reportMutation, { input: medicationReport(), key: newKey() }, w.reporter)).nearMiss;
    const refused = await t.graphql(recordReview, { input: reviewInput({ reopenNearMissIds: [open.id] }) }, w.manager);
    expect(refused.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(await ok(listReviews, {}, w.manager)).toEqual([]);

    const bad = await t.graphql(
      recordReview,
      {
        input: reviewInput({
          from: new Date().toISOString(),
          to: new Date(Date.now() - day).toISOString(),
          attendees: [],
        }),
      },
      w.manager,
    );
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0].extensions?.fields.map((field: { path: string }) => field.path).sort()).toEqual([
      'attendees',
      'to',
    ]);
    const supervisor = await t.graphql(recordReview, { input: reviewInput() }, w.supervisor);
    expect(supervisor.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('learning responses', () => {
  it('records a response with what it concerned, in the timeline of its near misses, findings withheld from ANALYST', async () => {
    const w = world();
    const nearMiss = await closed(w);
    const other = (await ok(reportMutation, { input: medicationReport(), key: newKey() }, w.reporter)).nearMiss;
    const triaged = await triageThroughGates(ok, other.id, w, 'MAR layout');
    const action = await ok(
      addActionMutation,
      {
        input: {
          nearMissIds: [triaged.id],
          title: 'Shade time-critical rows on the MAR',
          ownerId: 'staff-owner',
          dueBy: new Date(Date.now() + 14 * day).toISOString(),
          strength: 'STRONGER',
          actionType: 'REDESIGN',
          evidenceRequired: ['MAR template'],
          target: 'No repeat over six weeks',
        },
      },
      w.lead,
    );
    const input = {
      method: 'AFTER_ACTION_REVIEW',
      heldAt: new Date(Date.now() - 60 * 60 * 1000).toISOString(),
      participants: ['Medication lead', 'Two carers from the round'],
      findings: 'The 08:00 and 12:00 rows look alike; agency staff were not shown the layout.',
      nearMissIds: [nearMiss.id, triaged.id],
      actionIds: [action.id],
    };
    const response = await ok(recordResponse, { input }, w.lead);
    expect(response).toMatchObject({
      method: 'AFTER_ACTION_REVIEW',
      nearMisses: [{ id: nearMiss.id }, { id: triaged.id }],
      actions: [{ id: action.id }],
      riskReviews: [],
    });
    const timeline = (await ok(timelineOf, { id: nearMiss.id }, w.lead)).timeline;
    expect(timeline.map((event: { action: string }) => event.action)).toContain('learning_response.recorded');

    const period = { from: new Date(Date.now() - day).toISOString(), to: new Date().toISOString() };
    expect(await ok(listResponses, period, w.supervisor)).toEqual([
      {
        id: response.id,
        method: 'AFTER_ACTION_REVIEW',
        findings: input.findings,
        nearMisses: [{ id: nearMiss.id }, { id: triaged.id }],
        actions: [{ id: action.id }],
      },
    ]);
    expect((await ok(listResponses, period, w.analyst))[0].findings).toBe('[withheld]');
    // Someone from another service does not list it.
    expect(await ok(listResponses, period, { ...w.supervisor, services: ['south'] })).toEqual([]);
  });

  it('refuses near misses, reviews and actions the caller cannot see, naming the field', async () => {
    const w = world();
    const unknown = '00000000-0000-4000-8000-000000000000';
    const refused = await t.graphql(
      recordResponse,
      {
        input: {
          method: 'SWARM_HUDDLE',
          heldAt: new Date().toISOString(),
          participants: ['Shift lead'],
          findings: 'Huddle after the near miss',
          nearMissIds: [unknown],
          actionIds: [unknown],
        },
      },
      w.lead,
    );
    expect(refused.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0].extensions?.fields.map((field: { path: string }) => field.path)).toEqual([
      'nearMissIds',
      'actionIds',
    ]);
    expect(await ok(listResponses, {}, w.lead)).toEqual([]);
  });
});

describe('learning brief', () => {
  it('tells every member of staff of the service what a concluded pattern was and what changed, with no report text', async () => {
    const w = world();
    const samePersonAndMedicine = (index: number) => ({
      occurredAt: new Date(Date.now() - (5 - index) * day).toISOString(),
      workflowStage: ['DOCUMENTATION', 'ADMINISTRATION', 'HANDOVER'][index],
      contributingFactors: [],
    });
    for (let index = 0; index < 3; index += 1) {
      await ok(reportMutation, { input: medicationReport(samePersonAndMedicine(index)), key: newKey() }, w.reporter);
    }
    const [review] = await ok(`{ riskReviews { id reason } }`, {}, w.manager);
    await ok(
      `mutation($id: ID!) { concludeRiskReview(id: $id, conclusion: "Mrs P's pharmacy changes were passed on verbally", causes: [HANDOVER, COMMUNICATION]) { status } }`,
      { id: review.id },
      w.manager,
    );

    const brief = `query($from: DateTime!, $to: DateTime!, $services: [ID!]) {
      learningBrief(from: $from, to: $to, serviceIds: $services) { theme whatWeSaw whatChanged services }
    }`;
    const period = { from: new Date(Date.now() - day).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
    const items = await ok(brief, period, w.reporter);
    expect(items).toEqual([
      {
        theme: 'Medication',
        whatWeSaw: '3 medication near misses for one person with the same medication name in 14 days',
        whatChanged: 'We looked into it and found: handover, communication',
        services: ['north'],
      },
    ]);
    const text = JSON.stringify(items);
    expect(text).not.toContain('Mrs P');
    expect(text).not.toContain(medicationReport().whatHappened);
    expect(await ok(brief, period, w.governance)).toEqual(items);
    expect(await ok(brief, { ...period, services: ['south'] }, w.governance)).toEqual([]);
    expect(await ok(brief, period, { ...w.reporter, services: ['south'] })).toEqual([]);
    const backwards = await t.graphql(brief, { from: period.to, to: period.from }, w.reporter);
    expect(backwards.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'to' }] });
  });
});

import { ContributingFactorCodes1763900022000 } from '../../migrations/1763900022000-ContributingFactorCodes';
import { acknowledgeMutation, triageMutation } from '../support/lifecycle-operations';
import { daysAgo, report, reviewsInDatabase } from '../support/patterns';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { dataOf, startTestApp, uniqueTenant, type Caller, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

const callers = (tenant: string) => ({
  reporter: { tenant, sub: 'staff-7', roles: ['REPORTER'], services: ['north'] } as Caller,
  otherReporter: { tenant, sub: 'staff-8', roles: ['REPORTER'], services: ['north'] } as Caller,
  supervisor: { tenant, sub: 'staff-10', roles: ['SUPERVISOR'], services: ['north'] } as Caller,
  lead: { tenant, sub: 'staff-20', roles: ['MEDICATION_LEAD'], services: ['north'] } as Caller,
  manager: { tenant, sub: 'staff-30', roles: ['MANAGER'], services: ['*'] } as Caller,
  analyst: { tenant, sub: 'analyst-1', roles: ['ANALYST'] } as Caller,
});

const amendMutation = /* GraphQL */ `
  mutation Amend($input: AmendNearMissInput!) {
    amendNearMiss(input: $input) {
      id
      version
      workflowStage
      potentialHarm
      contributingFactors
      contributingFactorCodes
      suggestedRoute
      sameDay
      category {
        key
      }
      amendments {
        at
        by {
          id
        }
        reason
        fields
      }
      timeline {
        action
        actor {
          id
        }
        detail
      }
    }
  }
`;

const ok = async (query: string, variables: Record<string, unknown>, caller: Caller) =>
  dataOf(await t.graphql(query, variables, caller));

const triage = (id: string, version: number, caller: Caller) =>
  t.graphql(
    triageMutation,
    {
      input: {
        nearMissId: id,
        expectedVersion: version,
        route: 'MEDICATION_SAFETY_REVIEW',
        justCulture: 'SYSTEM_ISSUE',
        rationale: 'MAR layout needs a redesign.',
      },
    },
    caller,
  );

describe('amendNearMiss', () => {
  it('lets the reporter correct their report before triage, keeps the amendment and shows it on the timeline', async () => {
    const { reporter } = callers(uniqueTenant('amend'));
    const { nearMiss } = await report(t, reporter, { contributingFactors: ['Rushed handover.', 'phone died'] });
    const amended = await ok(
      amendMutation,
      {
        input: {
          id: nearMiss.id,
          expectedVersion: 1,
          reason: 'I picked the wrong stage: the dose was missed at administration.',
          workflowStage: 'ADMINISTRATION',
          potentialHarm: 'SEVERE',
        },
      },
      reporter,
    );
    expect(amended).toMatchObject({
      version: 2,
      workflowStage: 'ADMINISTRATION',
      potentialHarm: 'SEVERE',
      // Free text is coded at report time: "Rushed handover." is the handover factor; the rest is OTHER.
      contributingFactors: ['Rushed handover.', 'phone died'],
      contributingFactorCodes: ['COMMUNICATION.HANDOVER', 'OTHER'],
      amendments: [
        {
          by: { id: 'staff-7' },
          reason: 'I picked the wrong stage: the dose was missed at administration.',
          fields: ['workflowStage', 'potentialHarm'],
        },
      ],
    });
    expect(amended.timeline.map((event: { action: string }) => event.action)).toContain('near_miss.amended');
    expect(amended.timeline.find((event: { action: string }) => event.action === 'near_miss.amended')).toMatchObject({
      actor: { id: 'staff-7' },
      detail: {
        fields: ['workflowStage', 'potentialHarm'],
        changes: {
          workflowStage: { from: 'DOCUMENTATION', to: 'ADMINISTRATION' },
          potentialHarm: { from: 'MODERATE', to: 'SEVERE' },
        },
      },
    });
    const [event] = await t.app.database.dataSource.query(
      `SELECT payload FROM outbox_event WHERE aggregate_id = $1 AND event_type = 'near_miss.amended'`,
      [nearMiss.id],
    );
    expect(event.payload).toMatchObject({ fields: ['workflowStage', 'potentialHarm'], category: 'medication' });
    expect(JSON.stringify(event.payload)).not.toContain('wrong stage');
  });

  it('after triage, refuses the reporter and lets a triage lead amend stage and factors; trends follow', async () => {
    const tenant = uniqueTenant('amend');
    const { reporter, supervisor, lead, analyst } = callers(tenant);
    const { nearMiss } = await report(t, reporter, {
      contributingFactors: ['MAR layout unclear'],
      occurredAt: daysAgo(2),
    });
    const acknowledged = await ok(acknowledgeMutation, { id: nearMiss.id, v: 1 }, supervisor);
    const triaged = dataOf(await triage(nearMiss.id, acknowledged.version, lead));

    const byReporter = await t.graphql(
      amendMutation,
      { input: { id: nearMiss.id, expectedVersion: triaged.version, reason: 'x', workflowStage: 'HANDOVER' } },
      reporter,
    );
    expect(byReporter.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const trends = async (dimension: string) =>
      Object.fromEntries(
        dataOf(
          await t.graphql(
            `query { nearMissTrends(dimension: ${dimension}, interval: MONTH) { key count } }`,
            {},
            analyst,
          ),
        ).map((bucket: { key: string; count: number }) => [bucket.key, bucket.count]),
      );
    expect(await trends('WORKFLOW_STAGE')).toEqual({ DOCUMENTATION: 1 });
    expect(await trends('CONTRIBUTING_FACTOR')).toEqual({ 'COMMUNICATION.RECORDS': 1 });

    const amended = await ok(
      amendMutation,
      {
        input: {
          id: nearMiss.id,
          expectedVersion: triaged.version,
          reason: 'Triage found the handover sheet left out the moved dose.',
          workflowStage: 'HANDOVER',
          contributingFactorCodes: ['COMMUNICATION.HANDOVER', 'COMMUNICATION.RECORDS'],
        },
      },
      lead,
    );
    expect(amended).toMatchObject({
      workflowStage: 'HANDOVER',
      contributingFactorCodes: ['COMMUNICATION.HANDOVER', 'COMMUNICATION.RECORDS'],
      amendments: [{ by: { id: 'staff-20' }, fields: ['workflowStage', 'contributingFactorCodes'] }],
    });
    expect(await trends('WORKFLOW_STAGE')).toEqual({ HANDOVER: 1 });
    const signals = dataOf(
      await t.graphql(
        `query { nearMissSignals(groupBy: [WORKFLOW_STAGE], interval: DAY) { workflowStage points { count } } }`,
        {},
        analyst,
      ),
    );
    expect(
      signals.map((series: { workflowStage: string; points: { count: number }[] }) => [
        series.workflowStage,
        series.points.reduce((sum, point) => sum + point.count, 0),
      ]),
    ).toEqual([['HANDOVER', 1]]);
    expect(await trends('CONTRIBUTING_FACTOR')).toEqual({ 'COMMUNICATION.HANDOVER': 1, 'COMMUNICATION.RECORDS': 1 });

    // ANALYST sees that it was amended and which fields, not why or by whom.
    const seen = await ok(
      `query($id: ID!) { nearMiss(id: $id) { amendments { by { id } reason fields } } }`,
      { id: nearMiss.id },
      analyst,
    );
    expect(seen.amendments).toEqual([
      {
        by: { id: expect.stringMatching(/^stf_/) },
        reason: '[withheld]',
        fields: ['workflowStage', 'contributingFactorCodes'],
      },
    ]);
  });

  it('opens a risk review when the amended stage makes three similar near misses, as a report saying so would have', async () => {
    const tenant = uniqueTenant('amend');
    const { reporter, lead } = callers(tenant);
    // Three people, no factors: only the workflow stage can make them similar.
    const first = await report(t, reporter, {
      personId: 'p-1',
      contributingFactors: [],
      workflowStage: 'HANDOVER',
      occurredAt: daysAgo(3),
    });
    await report(t, reporter, {
      personId: 'p-2',
      contributingFactors: [],
      workflowStage: 'HANDOVER',
      occurredAt: daysAgo(2),
    });
    const third = await report(t, reporter, {
      personId: 'p-3',
      contributingFactors: [],
      workflowStage: 'DOCUMENTATION',
      occurredAt: daysAgo(1),
    });
    expect(first.riskReviewsOpened).toEqual([]);
    expect(third.riskReviewsOpened).toEqual([]);
    expect(await reviewsInDatabase(t, tenant)).toEqual([]);

    await ok(
      amendMutation,
      {
        input: {
          id: third.nearMiss.id,
          expectedVersion: 1,
          reason: 'It happened at handover.',
          workflowStage: 'HANDOVER',
        },
      },
      lead,
    );
    const reviews = await reviewsInDatabase(t, tenant);
    expect(reviews).toHaveLength(1);
    expect(reviews[0]).toMatchObject({ basis: 'WORKFLOW_STAGE', status: 'OPEN' });
    expect(reviews[0].members).toHaveLength(3);
    expect(reviews[0].members).toContain(third.nearMiss.id);
    const timeline = await ok(
      `query($id: ID!) { nearMiss(id: $id) { timeline { action } } }`,
      { id: third.nearMiss.id },
      lead,
    );
    expect(timeline.timeline.map((event: { action: string }) => event.action)).toEqual(
      expect.arrayContaining(['near_miss.amended', 'risk_review.opened']),
    );

    // Moving it away again drops its uncounted key rows but keeps the review's evidence.
    const [{ count }] = await t.app.database.dataSource.query(
      `SELECT count(*)::int AS count FROM near_miss_similarity WHERE near_miss_id = $1 AND review_id IS NOT NULL`,
      [third.nearMiss.id],
    );
    expect(count).toBe(1);
  });

  it('validates: details against the category and its conditions, codes against the taxonomy, versions, no-op changes', async () => {
    const { reporter } = callers(uniqueTenant('amend'));
    const { nearMiss } = await report(t, reporter);
    const attempt = (input: Record<string, unknown>) =>
      t.graphql(
        amendMutation,
        { input: { id: nearMiss.id, expectedVersion: 1, reason: 'Correcting.', ...input } },
        reporter,
      );

    expect((await attempt({ contributingFactorCodes: ['NOT.A.CODE'] })).errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'contributingFactorCodes', message: 'NOT.A.CODE is not in your taxonomy' }],
    });
    expect((await attempt({ category: 'mealtime' })).errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'details' }],
    });
    expect(
      (
        await attempt({
          category: 'mealtime',
          details: {
            issueType: 'WRONG_TEXTURE',
            dietaryRequirement: 'IDDSI level 5',
            preparedBy: 'NEW_STAFF',
            noticedBy: 'SUPERVISOR',
            caughtAt: 'BEFORE_SERVING',
            correction: 'Re-prepared',
            supervisorReviewed: true,
          },
        })
      ).errors?.[0].extensions?.fields,
    ).toEqual([
      { path: 'details.requiredIddsiLevel', message: 'is required for a texture or drink consistency near miss' },
      { path: 'details.preparedIddsiLevel', message: 'is required for a texture or drink consistency near miss' },
    ]);
    expect((await attempt({ workflowStage: 'DOCUMENTATION' })).errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'input', message: 'changes nothing: give at least one new value' }],
    });
    expect((await attempt({ reason: '  ', workflowStage: 'HANDOVER' })).errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'reason' }],
    });
    expect(
      (
        await t.graphql(
          amendMutation,
          { input: { id: nearMiss.id, expectedVersion: 7, reason: 'x', workflowStage: 'HANDOVER' } },
          reporter,
        )
      ).errors?.[0].extensions?.code,
    ).toBe('CONFLICT');
    const { otherReporter } = callers(uniqueTenant('amend'));
    expect(
      (
        await t.graphql(
          amendMutation,
          { input: { id: nearMiss.id, expectedVersion: 1, reason: 'x', workflowStage: 'HANDOVER' } },
          otherReporter,
        )
      ).errors?.[0].extensions?.code,
    ).toBe('NOT_FOUND');
  });

  it('moves a report to another category with its details, and the rules suggest again', async () => {
    const { reporter } = callers(uniqueTenant('amend'));
    const { nearMiss } = await report(t, reporter);
    const amended = await ok(
      amendMutation,
      {
        input: {
          id: nearMiss.id,
          expectedVersion: 1,
          reason: 'It was the meal, not the medicine.',
          category: 'mealtime',
          details: {
            issueType: 'ALLERGEN',
            allergenInvolved: true,
            allergen: 'peanuts',
            dietaryRequirement: 'No peanuts',
            preparedBy: 'AGENCY_STAFF',
            noticedBy: 'SUPERVISOR',
            caughtAt: 'BEFORE_SERVING',
            correction: 'Meal replaced',
            supervisorReviewed: true,
          },
        },
      },
      reporter,
    );
    expect(amended).toMatchObject({
      category: { key: 'mealtime' },
      suggestedRoute: 'OPERATIONAL_FIX',
      sameDay: true,
      amendments: [{ fields: ['category', 'details'] }],
    });
  });
});

describe('amendments and personal data', () => {
  it('exports an amendment with the person’s data and erases its reason with the rest of their free text', async () => {
    const tenant = uniqueTenant('amend');
    const { reporter } = callers(tenant);
    const admin: Caller = { tenant, sub: 'staff-a', roles: ['ADMIN'] };
    const { nearMiss } = await report(t, reporter, { personId: 'person-amend-1' });
    await ok(
      amendMutation,
      {
        input: { id: nearMiss.id, expectedVersion: 1, reason: 'Mrs Amend was moved rooms.', workflowStage: 'HANDOVER' },
      },
      reporter,
    );
    const exported = await ok(`query { personDataExport(personId: "person-amend-1") }`, {}, admin);
    expect(exported.amendments).toEqual([expect.objectContaining({ reason: 'Mrs Amend was moved rooms.' })]);
    await ok(`mutation { erasePersonData(personId: "person-amend-1", reason: "Erasure request 7") }`, {}, admin);
    const after = await ok(
      `query($id: ID!) { nearMiss(id: $id) { amendments { reason fields } } }`,
      { id: nearMiss.id },
      admin,
    );
    expect(after.amendments).toEqual([{ reason: '[erased]', fields: ['workflowStage'] }]);
  });
});

describe('a workflow stage before triage completes', () => {
  it('is required by default, names the field, and is satisfied by an amendment', async () => {
    const { reporter, supervisor, lead } = callers(uniqueTenant('stage'));
    const { nearMiss } = await report(t, reporter, { workflowStage: null });
    const acknowledged = await ok(acknowledgeMutation, { id: nearMiss.id, v: 1 }, supervisor);
    const refused = await triage(nearMiss.id, acknowledged.version, lead);
    expect(refused.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'workflowStage', message: expect.stringContaining('amendNearMiss') }],
    });
    const amended = await ok(
      amendMutation,
      {
        input: {
          id: nearMiss.id,
          expectedVersion: acknowledged.version,
          reason: 'Stage found at triage.',
          workflowStage: 'HANDOVER',
        },
      },
      lead,
    );
    expect(dataOf(await triage(nearMiss.id, amended.version, lead)).status).toBe('TRIAGED');
  });

  it('is not required when the provider turns the setting off', async () => {
    const { reporter, supervisor, lead, manager } = callers(uniqueTenant('stage'));
    expect(
      await ok(
        `mutation { updateTenantSettings(input: { requireWorkflowStageForTriage: false }) { requireWorkflowStageForTriage } }`,
        {},
        manager,
      ),
    ).toEqual({ requireWorkflowStageForTriage: false });
    const { nearMiss } = await report(t, reporter, { workflowStage: null });
    const acknowledged = await ok(acknowledgeMutation, { id: nearMiss.id, v: 1 }, supervisor);
    expect(dataOf(await triage(nearMiss.id, acknowledged.version, lead)).status).toBe('TRIAGED');
  });
});

describe('the contributing-factor taxonomy', () => {
  it('ships the groups, lets a manager add a factor that reports then carry, and refuses others and duplicates', async () => {
    const { reporter, manager, lead } = callers(uniqueTenant('factors'));
    const factors = await ok(`{ contributingFactors { code label parent { code } children { code } } }`, {}, reporter);
    const communication = factors.find((factor: { code: string }) => factor.code === 'COMMUNICATION');
    expect(communication).toMatchObject({ parent: null, label: 'Communication' });
    expect(communication.children.map((child: { code: string }) => child.code)).toContain('COMMUNICATION.HANDOVER');
    expect(factors.find((factor: { code: string }) => factor.code === 'OTHER')).toBeTruthy();

    const add = (label: string, parentCode: string | null, caller: Caller) =>
      t.graphql(
        `mutation($p: ID, $l: String!) { addContributingFactor(parentCode: $p, label: $l) { code label parent { code } } }`,
        { p: parentCode, l: label },
        caller,
      );
    expect(dataOf(await add('Phone messages', 'COMMUNICATION', manager))).toEqual({
      code: 'COMMUNICATION.PHONE_MESSAGES',
      label: 'Phone messages',
      parent: { code: 'COMMUNICATION' },
    });
    expect((await add('Phone messages', 'COMMUNICATION', manager)).errors?.[0].extensions?.code).toBe('CONFLICT');
    expect((await add('Anything', 'NO_SUCH_GROUP', manager)).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await add('Anything', null, lead)).errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const reported = await t.graphql(
      reportMutation,
      { input: medicationReport({ contributingFactors: ['messages  PHONE', 'handover rushed'] }), key: newKey() },
      reporter,
    );
    const id = dataOf(reported).nearMiss.id;
    const read = await ok(`query($id: ID!) { nearMiss(id: $id) { contributingFactorCodes } }`, { id }, reporter);
    expect(read.contributingFactorCodes).toEqual(['COMMUNICATION.PHONE_MESSAGES', 'COMMUNICATION.HANDOVER']);
  });

  it('codes existing free text by migration where it matches, and keeps the rest as OTHER', async () => {
    const { reporter } = callers(uniqueTenant('factors'));
    const { nearMiss } = await report(t, reporter, { contributingFactors: ['rushed handover', 'the lift was broken'] });
    const dataSource = t.app.database.dataSource;
    await dataSource.query(`UPDATE near_miss SET contributing_factor_codes = '{}' WHERE id = $1`, [nearMiss.id]);
    const runner = dataSource.createQueryRunner();
    try {
      await new ContributingFactorCodes1763900022000().up(runner);
    } finally {
      await runner.release();
    }
    const [row] = await dataSource.query(
      `SELECT contributing_factors, contributing_factor_codes FROM near_miss WHERE id = $1`,
      [nearMiss.id],
    );
    expect(row).toEqual({
      contributing_factors: ['rushed handover', 'the lift was broken'],
      contributing_factor_codes: ['COMMUNICATION.HANDOVER', 'OTHER'],
    });
  });
});

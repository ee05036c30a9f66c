import { bulkLoadTenant } from '../../bench/bulk-load';
import { generateSeries } from '../../bench/synthetic-world';
import { withheld, pseudonymousPersonId } from '../../subgraph/near-misses/field-protection';
import { acknowledgeMutation, triageMutation } from '../support/lifecycle-operations';
import { daysAgo, report } from '../support/patterns';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { startTestApp, uniqueTenant, type Caller, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

const day = 24 * 60 * 60 * 1000;
const at = (iso: string) => new Date(iso).toISOString();

describe('nearMissTrends and workflowStageAnalysis', () => {
  const tenant = uniqueTenant('trends');
  const reporter: Caller = { tenant, sub: 'staff-7', roles: ['REPORTER'], services: ['north', 'south'] };
  const analyst: Caller = { tenant, sub: 'analyst-1', roles: ['ANALYST'] };
  const shift = { shiftStartsAt: at('2026-03-02T07:00:00Z'), shiftEndsAt: at('2026-03-02T15:00:00Z') };

  beforeAll(async () => {
    // New York: 2026-03-02 is a Monday; 14:40 UTC is 09:40 local.
    expect(
      (
        await t.graphql(
          `mutation { updateAnalyticsSettings(timeZone: "America/New_York") { timeZone } }`,
          {},
          { tenant, roles: ['ADMIN'] },
        )
      ).errors,
    ).toBeUndefined();
    const reports = [
      // Three handovers in north near the end of the early shift, one with an agency carer and a time-critical medicine.
      {
        serviceId: 'north',
        occurredAt: at('2026-03-02T14:40:00Z'),
        workflowStage: 'HANDOVER',
        contributingFactors: ['handover rushed'],
        workflowContext: { ...shift, staffEmployment: 'AGENCY', timeCriticalMedicine: true },
      },
      {
        serviceId: 'north',
        occurredAt: at('2026-03-02T14:50:00Z'),
        workflowStage: 'HANDOVER',
        contributingFactors: ['handover rushed', 'MAR layout unclear'],
        workflowContext: shift,
        personId: 'person-2',
      },
      {
        serviceId: 'north',
        occurredAt: at('2026-03-03T07:20:00Z'),
        workflowStage: 'HANDOVER',
        contributingFactors: [],
        workflowContext: { shiftStartsAt: at('2026-03-03T07:00:00Z'), shiftEndsAt: at('2026-03-03T15:00:00Z') },
        personId: 'person-3',
      },
      // Mid-shift administration in south, a Saturday night (local), care plan overdue.
      {
        serviceId: 'south',
        occurredAt: at('2026-03-08T04:30:00Z'),
        workflowStage: 'ADMINISTRATION',
        contributingFactors: [],
        setting: 'RESIDENTIAL',
        potentialHarm: 'LOW',
        workflowContext: {
          shiftStartsAt: at('2026-03-08T00:00:00Z'),
          shiftEndsAt: at('2026-03-08T12:00:00Z'),
          carePlanLastReviewedAt: at('2025-01-01T00:00:00Z'),
        },
      },
      {
        serviceId: 'south',
        occurredAt: at('2026-03-10T16:00:00Z'),
        workflowStage: 'ADMINISTRATION',
        contributingFactors: [],
        personId: 'person-4',
      },
      {
        serviceId: 'south',
        occurredAt: at('2026-03-11T16:00:00Z'),
        workflowStage: 'DOCUMENTATION',
        contributingFactors: [],
        personId: 'person-5',
      },
    ];
    for (const input of reports) {
      const result = await t.graphql(reportMutation, { input: medicationReport(input), key: newKey() }, reporter);
      expect(result.errors).toBeUndefined();
    }
  });

  const trends = (dimension: string, interval = 'WEEK', filter: Record<string, unknown> = {}) =>
    t.graphql(
      `query($f: NearMissFilter) { nearMissTrends(filter: $f, dimension: ${dimension}, interval: ${interval}) { periodStart key count } }`,
      { f: filter },
      analyst,
    );

  it("counts by every dimension, in periods of the provider's time zone", async () => {
    const byCategory = await trends('CATEGORY');
    expect(byCategory.errors).toBeUndefined();
    // Weeks start on Monday 00:00 in New York (05:00 UTC in March before daylight saving).
    expect(byCategory.data!.nearMissTrends).toEqual([
      { periodStart: '2026-03-02T05:00:00.000Z', key: 'medication', count: 4 },
      { periodStart: '2026-03-09T04:00:00.000Z', key: 'medication', count: 2 },
    ]);
    const keys = async (dimension: string) =>
      Object.fromEntries(
        (await trends(dimension, 'MONTH')).data!.nearMissTrends.map((bucket: { key: string; count: number }) => [
          bucket.key,
          bucket.count,
        ]),
      );
    expect(await keys('SERVICE')).toEqual({ north: 3, south: 3 });
    expect(await keys('WORKFLOW_STAGE')).toEqual({ HANDOVER: 3, ADMINISTRATION: 2, DOCUMENTATION: 1 });
    // By taxonomy code: "handover rushed" is COMMUNICATION.HANDOVER, "MAR layout unclear" COMMUNICATION.RECORDS.
    expect(await keys('CONTRIBUTING_FACTOR')).toEqual({
      'COMMUNICATION.HANDOVER': 2,
      'COMMUNICATION.RECORDS': 1,
      '(none given)': 4,
    });
    expect(await keys('SETTING')).toEqual({ HOME_VISIT: 5, RESIDENTIAL: 1 });
    expect(await keys('SHIFT_PHASE')).toEqual({ END_OF_SHIFT: 2, START_OF_SHIFT: 1, MID_SHIFT: 1, UNKNOWN: 2 });
    expect(await keys('HOUR_OF_DAY')).toEqual({ '09': 2, '02': 1, '23': 1, '12': 2 });
    expect(await keys('DAY_OF_WEEK')).toEqual({ MONDAY: 2, TUESDAY: 2, WEDNESDAY: 1, SATURDAY: 1 });
    expect(await keys('POTENTIAL_HARM')).toEqual({ MODERATE: 5, LOW: 1 });
    const daily = await trends('SERVICE', 'DAY', { serviceIds: ['south'], workflowStages: ['ADMINISTRATION'] });
    expect(daily.data!.nearMissTrends.map((bucket: { count: number }) => bucket.count)).toEqual([1, 1]);
  });

  it('shows where near misses cluster: at shift transitions, by stage, against the tenant as a whole', async () => {
    const result = await t.graphql(
      `query($f: NearMissFilter) { workflowStageAnalysis(filter: $f) { stage count nearShiftTransition timeCriticalMedication carePlanOverdue agencyStaff weekend night share tenantCount tenantShare lift clustered } }`,
      { f: { serviceIds: ['north'] } },
      analyst,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.workflowStageAnalysis).toEqual([
      // Three of three against half the tenant is not beyond chance yet (z = 1.73): too few to call a cluster.
      {
        stage: 'HANDOVER',
        count: 3,
        nearShiftTransition: 3,
        timeCriticalMedication: 3,
        carePlanOverdue: 0,
        agencyStaff: 1,
        weekend: 0,
        night: 1,
        share: 1,
        tenantCount: 3,
        tenantShare: 0.5,
        lift: 2,
        clustered: false,
      },
    ]);
    const tenantWide = await t.graphql(
      `{ workflowStageAnalysis { stage count carePlanOverdue weekend night nearShiftTransition } }`,
      {},
      analyst,
    );
    expect(tenantWide.data!.workflowStageAnalysis).toEqual(
      expect.arrayContaining([
        { stage: 'ADMINISTRATION', count: 2, carePlanOverdue: 1, weekend: 1, night: 1, nearShiftTransition: 0 },
      ]),
    );
    const wider = await t.graphql(
      `query($f: NearMissFilter) { workflowStageAnalysis(filter: $f, shiftTransitionMinutes: 5) { stage nearShiftTransition } }`,
      { f: { serviceIds: ['north'] } },
      analyst,
    );
    expect(wider.data!.workflowStageAnalysis).toEqual([{ stage: 'HANDOVER', nearShiftTransition: 0 }]);
  });

  it('gives ANALYST rows without free text and with per-tenant pseudonyms, and no lookups by person', async () => {
    const rows = await t.graphql(
      `{ nearMisses(first: 10) { edges { node { whatHappened howDetected whatPreventedHarm whatMadeThisPossible immediateActions details person { id } workflowContext { shiftPhase staffEmployment } } } } }`,
      {},
      analyst,
    );
    expect(rows.errors).toBeUndefined();
    const nodes = rows.data!.nearMisses.edges.map((edge: { node: Record<string, any> }) => edge.node);
    expect(nodes).toHaveLength(6);
    for (const node of nodes) {
      expect([node.whatHappened, node.howDetected, node.whatPreventedHarm, node.whatMadeThisPossible]).toEqual([
        withheld,
        withheld,
        withheld,
        withheld,
      ]);
      expect(node.immediateActions).toEqual([withheld, withheld]);
      expect(node.details).toMatchObject({
        medicationName: withheld,
        discrepancyType: 'MAR_WRONG_TIME',
        timeCritical: true,
        scheduledTime: '08:00',
      });
      expect(node.person.id).toMatch(/^psn_/);
    }
    const pseudonyms = nodes.map((node: { person: { id: string } }) => node.person.id);
    expect(pseudonyms).toContain(
      pseudonymousPersonId(t.app.services.config.pseudonymisationSecret, tenant, 'person-1'),
    );
    expect(JSON.stringify(rows.data)).not.toMatch(/person-\d|levodopa|Levodopa/);
    const byPerson = await t.graphql(`{ nearMisses(filter: { personId: "person-1" }) { totalCount } }`, {}, analyst);
    expect(byPerson.errors![0].extensions!.code).toBe('FORBIDDEN');
    const trendByPerson = await trends('CATEGORY', 'WEEK', { personId: 'person-1' });
    expect(trendByPerson.errors![0].extensions!.code).toBe('FORBIDDEN');
    const entities = await t.graphql(
      `{ _entities(representations: [{ __typename: "Person", id: "person-1" }]) { ... on Person { nearMisses { totalCount } } } }`,
      {},
      analyst,
    );
    expect(entities.errors![0].extensions!.code).toBe('FORBIDDEN');
  });

  it('refuses analytics to reporters', async () => {
    expect((await t.graphql(`{ signalHealth { reports } }`, {}, reporter)).errors![0].extensions!.code).toBe(
      'FORBIDDEN',
    );
  });
});

describe('signalHealth and governanceSummary', () => {
  const tenant = uniqueTenant('health');
  const reporter: Caller = { tenant, sub: 'staff-7', roles: ['REPORTER'], services: ['north', 'south'] };
  const lead: Caller = { tenant, sub: 'lead-1', roles: ['MEDICATION_LEAD'] };
  const governance: Caller = { tenant, sub: 'board-1', roles: ['GOVERNANCE'] };
  const ids: string[] = [];

  beforeAll(async () => {
    const inputs = [
      {
        serviceId: 'north',
        preventionReliability: 'SYSTEM_CONTROL',
        workflowStage: 'DOCUMENTATION',
        contributingFactors: [],
      },
      {
        serviceId: 'north',
        preventionReliability: 'CHANCE',
        workflowStage: 'HANDOVER',
        contributingFactors: [],
        personId: 'person-2',
      },
      {
        serviceId: 'south',
        preventionReliability: 'INDIVIDUAL_VIGILANCE',
        workflowStage: 'ADMINISTRATION',
        contributingFactors: [],
        personId: 'person-3',
      },
    ];
    for (const [index, input] of inputs.entries()) {
      const result = await t.graphql(
        reportMutation,
        { input: medicationReport({ ...input, occurredAt: daysAgo(20 - index) }), key: newKey() },
        reporter,
      );
      ids.push(result.data!.reportNearMiss.nearMiss.id);
    }
    await t.graphql(
      reportMutation,
      {
        input: {
          ...medicationReport({
            serviceId: 'south',
            occurredAt: daysAgo(16),
            personId: 'person-4',
            contributingFactors: [],
            workflowStage: 'OTHER',
          }),
          category: 'environment',
          details: {
            location: 'Corridor',
            hazard: 'EQUIPMENT_STORAGE',
            equipment: 'Mobile hoist',
            madeSafeBy: 'REPORTER',
            storageConstraint: true,
          },
        },
        key: newKey(),
      },
      reporter,
    );
    // Reported three weeks ago, the first two triaged (one late), the first one answered with an outcome.
    await t.app.database.dataSource.query(
      `UPDATE near_miss SET reported_at = occurred_at + interval '1 hour', triage_due_at = occurred_at + interval '25 hours' WHERE tenant_id = $1`,
      [tenant],
    );
    for (const id of ids.slice(0, 2)) {
      const acknowledged = await t.graphql(acknowledgeMutation, { id, v: 1 }, lead);
      await t.graphql(
        triageMutation,
        {
          input: {
            nearMissId: id,
            expectedVersion: acknowledged.data!.acknowledgeNearMiss.version,
            route: 'MEDICATION_SAFETY_REVIEW',
            justCulture: 'SYSTEM_ISSUE',
            rationale: 'Checked the MAR',
          },
        },
        lead,
      );
    }
    await t.app.database.dataSource.query(
      `UPDATE near_miss_triage t SET triaged_at = n.reported_at + CASE WHEN n.id = $2 THEN interval '6 hours' ELSE interval '30 hours' END, due_by = n.triage_due_at
       FROM near_miss n WHERE n.id = t.near_miss_id AND n.tenant_id = $1`,
      [tenant, ids[0]],
    );
    await t.app.database.dataSource.query(
      `INSERT INTO reporter_feedback (tenant_id, near_miss_id, at, kind, message) SELECT tenant_id, id, reported_at + interval '3 days', 'MANUAL', 'We changed the MAR layout' FROM near_miss WHERE id = $1`,
      [ids[0]],
    );
  });

  const healthQuery = `query($f: NearMissFilter) { signalHealth(filter: $f) {
    reports categorySpread medianHoursToTriage triagedWithinDueRate triaged triageOverdue actions actionCompletionRate overdueActions verificationPassRate
    reopenedAfterClosure notSystemControlShare reporterOutcomeWithin14DaysRate barrierReliability { serviceId reports systemControl individualVigilance chance notSystemControlShare } } }`;

  it('measures volume, spread, time to triage, barrier reliability and reporter feedback', async () => {
    const result = await t.graphql(healthQuery, {}, governance);
    expect(result.errors).toBeUndefined();
    const health = result.data!.signalHealth;
    expect(health).toMatchObject({
      reports: 4,
      triaged: 2,
      triageOverdue: 2,
      medianHoursToTriage: 18,
      triagedWithinDueRate: 0.25,
      actions: 0,
      actionCompletionRate: 0,
      overdueActions: 0,
      verificationPassRate: null,
      reopenedAfterClosure: 0,
    });
    // Two of seven installed categories, 3:1.
    expect(health.categorySpread).toBeCloseTo(-(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25)) / Math.log(7), 5);
    expect(health.notSystemControlShare).toBeCloseTo(0.75);
    expect(health.reporterOutcomeWithin14DaysRate).toBeCloseTo(0.25);
    expect(health.barrierReliability).toEqual([
      {
        serviceId: 'north',
        reports: 2,
        systemControl: 1,
        individualVigilance: 0,
        chance: 1,
        notSystemControlShare: 0.5,
      },
      { serviceId: 'south', reports: 2, systemControl: 0, individualVigilance: 2, chance: 0, notSystemControlShare: 1 },
    ]);
    const north = await t.graphql(healthQuery, { f: { serviceIds: ['north'] } }, governance);
    expect(north.data!.signalHealth).toMatchObject({ reports: 2, triaged: 2 });
  });

  it('gives GOVERNANCE the full governance summary, and FORBIDDEN on every individual near miss, person and staff member', async () => {
    const summary = await t.graphql(
      `query($from: DateTime!, $to: DateTime!) { governanceSummary(from: $from, to: $to) {
        periodStart periodEnd signalHealth { reports } byCategory { periodStart key count } byService { key count } byWorkflowStage { key count } byShiftPhase { key count }
        byHourOfDay { key count } byContributingFactor { key count } repeatPatterns { id reason nearMissCount assignedTo { id } conclusion } riskReviewsOpened riskReviewsConcluded riskReviewsOverdue
        actionsIssued actionsOverdue weakOnlyActionPlans verificationOutcomes { pass partial fail } reopenedItems sharedLearning { id } signals { rule } } }`,
      { from: new Date(Date.now() - 30 * day).toISOString(), to: new Date().toISOString() },
      governance,
    );
    expect(summary.errors).toBeUndefined();
    expect(summary.data!.governanceSummary).toMatchObject({
      signalHealth: { reports: 4 },
      byService: [
        { key: 'north', count: 2 },
        { key: 'south', count: 2 },
      ],
      riskReviewsOpened: 0,
      actionsIssued: 0,
      weakOnlyActionPlans: 0,
      verificationOutcomes: { pass: 0, partial: 0, fail: 0 },
      reopenedItems: 0,
      sharedLearning: [],
    });
    expect(summary.data!.governanceSummary.byCategory).toEqual([
      { periodStart: summary.data!.governanceSummary.periodStart, key: 'environment', count: 1 },
      { periodStart: summary.data!.governanceSummary.periodStart, key: 'medication', count: 3 },
    ]);

    for (const query of [
      `{ nearMiss(id: "${ids[0]}") { id } }`,
      `{ nearMisses { totalCount } }`,
      `{ triageQueue { id } }`,
      `{ _entities(representations: [{ __typename: "NearMiss", id: "${ids[0]}" }]) { ... on NearMiss { id } } }`,
      `{ _entities(representations: [{ __typename: "Person", id: "person-2" }]) { ... on Person { nearMisses { totalCount } } } }`,
      `{ _entities(representations: [{ __typename: "Staff", id: "staff-7" }]) { ... on Staff { nearMissesReported { totalCount } } } }`,
      `{ _entities(representations: [{ __typename: "Shift", id: "shift-1" }]) { ... on Shift { nearMisses { id } } } }`,
    ]) {
      const result = await t.graphql(query, {}, governance);
      expect({ query, code: result.errors?.[0]?.extensions?.code }).toEqual({ query, code: 'FORBIDDEN' });
    }
    expect(
      (await t.graphql(`{ signalHealth(filter: { personId: "person-2" }) { reports } }`, {}, governance)).errors![0]
        .extensions!.code,
    ).toBe('FORBIDDEN');
  });

  it('lets GOVERNANCE see repeat patterns as aggregates, without their near misses or staff', async () => {
    for (let index = 0; index < 3; index += 1)
      await report(t, reporter, {
        occurredAt: daysAgo(3 - index),
        personId: 'person-9',
        workflowStage: 'OTHER',
        contributingFactors: [],
      });
    const reviews = await t.graphql(
      `{ riskReviews { reason nearMissCount assignedTo { id } conclusion } }`,
      {},
      governance,
    );
    expect(reviews.data!.riskReviews).toEqual([
      {
        reason: '3 medication near misses for one person with the same medication name in 14 days',
        nearMissCount: 3,
        assignedTo: null,
        conclusion: null,
      },
    ]);
    const rows = await t.graphql(`{ riskReviews { nearMisses { id } } }`, {}, governance);
    expect(rows.errors![0].extensions!.code).toBe('FORBIDDEN');
  });
});

describe('nearMissSignals on a generated year', () => {
  const tenant = uniqueTenant('spc');
  const analyst: Caller = { tenant, sub: 'analyst-1', roles: ['ANALYST'] };
  // 52 whole weeks (Mondays, UTC) ending at least three weeks ago.
  const lastMonday = new Date(
    Date.UTC(
      new Date().getUTCFullYear(),
      new Date().getUTCMonth(),
      new Date().getUTCDate() - ((new Date().getUTCDay() + 6) % 7) - 21,
    ),
  );
  const firstWeek = new Date(lastMonday.getTime() - 51 * 7 * day);
  const weekStart = (week: number) => new Date(firstWeek.getTime() + week * 7 * day).toISOString();

  beforeAll(async () => {
    await t.graphql(
      `mutation { updateAnalyticsSettings(timeZone: "UTC") { timeZone } }`,
      {},
      { tenant, roles: ['ADMIN'] },
    );
    const world = generateSeries({
      tenantId: tenant,
      seed: 20260301,
      firstWeek,
      weeks: 52,
      registry: t.app.services.registry.list(),
      series: [
        { serviceId: 'control', category: 'medication', weeklyMean: () => 6 },
        { serviceId: 'shifted', category: 'medication', weeklyMean: (week) => (week >= 34 ? 14 : 6) },
        { serviceId: 'spike', category: 'rota', weeklyMean: (week) => (week === 40 ? 30 : 5) },
        { serviceId: 'falling', category: 'mealtime', weeklyMean: (week) => (week >= 36 ? 2 : 10) },
      ],
    });
    await bulkLoadTenant(t.app.database.dataSource, t.app.services.registry, world, {
      now: new Date(),
      lifecycle: false,
      audit: true,
      seed: 1,
      secret: t.app.services.config.pseudonymisationSecret,
    });
  });

  it('finds each seeded special cause when it happens and raises no signal on the stable control series', async () => {
    const result = await t.graphql(
      `query($f: NearMissFilter) { nearMissSignals(filter: $f, chart: C) { serviceId category baseline { from to periods mean upperLimit } points { count }
         signals { rule direction periodStart periodEnd points description baseline { mean } } } }`,
      {
        f: {
          occurredFrom: firstWeek.toISOString(),
          occurredTo: new Date(lastMonday.getTime() + 7 * day).toISOString(),
        },
      },
      analyst,
    );
    expect(result.errors).toBeUndefined();
    const charts = new Map(
      result.data!.nearMissSignals.map((chart: { serviceId: string }) => [chart.serviceId, chart]),
    );
    const signals = (service: string) =>
      (
        charts.get(service) as {
          signals: { rule: string; direction: string; periodStart: string; periodEnd: string }[];
        }
      ).signals;
    for (const chart of charts.values() as Iterable<{
      points: unknown[];
      baseline: { periods: number; from: string };
    }>) {
      expect(chart.points).toHaveLength(52);
      expect(chart.baseline).toMatchObject({ periods: 20, from: weekStart(0) });
    }

    expect(signals('control')).toEqual([]);
    // Each seeded change is found within four weeks of when it starts, in its direction. (Other
    // charts may show an occasional false alarm elsewhere: the rules' known rate on noise.)
    const foundSoon = (service: string, direction: string, week: number) =>
      signals(service).some(
        (signal) =>
          signal.direction === direction &&
          signal.periodStart >= weekStart(week) &&
          signal.periodStart <= weekStart(week + 4),
      );
    expect(foundSoon('shifted', 'UP', 34)).toBe(true);
    expect(foundSoon('falling', 'DOWN', 36)).toBe(true);
    expect(signals('spike')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          rule: 'BEYOND_LIMITS',
          direction: 'UP',
          periodStart: weekStart(40),
          periodEnd: weekStart(40),
        }),
      ]),
    );
    // Nothing on the rising or falling series points the wrong way after its change.
    expect(
      signals('shifted').filter((signal) => signal.direction === 'DOWN' && signal.periodStart >= weekStart(34)),
    ).toEqual([]);
    expect(
      signals('falling').filter((signal) => signal.direction === 'UP' && signal.periodStart >= weekStart(36)),
    ).toEqual([]);
  });

  it('returns only charts with signals when asked, and refuses a baseline too short to mean anything', async () => {
    const filter = {
      occurredFrom: firstWeek.toISOString(),
      occurredTo: new Date(lastMonday.getTime() + 7 * day).toISOString(),
    };
    const only = await t.graphql(
      `query($f: NearMissFilter) { nearMissSignals(filter: $f, chart: C, onlyWithSignals: true) { serviceId } }`,
      { f: filter },
      analyst,
    );
    expect(only.data!.nearMissSignals.map((chart: { serviceId: string }) => chart.serviceId).sort()).toEqual([
      'falling',
      'shifted',
      'spike',
    ]);
    const short = await t.graphql(
      `query($f: NearMissFilter) { nearMissSignals(filter: $f, baselinePeriods: 3) { serviceId } }`,
      { f: filter },
      analyst,
    );
    expect(short.errors![0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'baselinePeriods' }],
    });
  });
});

import { startGateway } from '../support/gateway';
import { startHostSuite } from '../support/host-suite';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { startTestApp, uniqueTenant, type Caller, type TestApp } from '../support/test-app';

// The seed's "medication timing near misses rising over several weeks", end to
// end through a real gateway: reported at shift handover in one service, they
// open one risk review, show as a rise in the trends, and workflow-stage
// analysis shows them clustered at handover compared with the tenant.

let t: TestApp;
let host: Awaited<ReturnType<typeof startHostSuite>>;
let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  t = await startTestApp();
  host = await startHostSuite();
  gateway = await startGateway({ 'care-suite': host.url, 'near-miss': t.url });
});
afterAll(async () => {
  await gateway?.stop();
  await host?.stop();
  await t?.stop();
});

const day = 24 * 60 * 60 * 1000;
const hour = 60 * 60 * 1000;
const viaGateway = (query: string, variables: Record<string, unknown>, caller: Caller) =>
  t.graphql(query, variables, caller, gateway.url);

describe('the seed pattern through the gateway', () => {
  const tenant = uniqueTenant('seed');
  const reporter: Caller = { tenant, sub: 'staff-7', roles: ['REPORTER'], services: ['north', 'south', 'east'] };
  const analyst: Caller = { tenant, sub: 'analyst-1', roles: ['ANALYST'] };
  const governance: Caller = { tenant, sub: 'board-1', roles: ['GOVERNANCE'] };
  // Six whole weeks (Monday 00:00 UTC) ending last Monday.
  const today = new Date();
  const lastMonday = Date.UTC(
    today.getUTCFullYear(),
    today.getUTCMonth(),
    today.getUTCDate() - ((today.getUTCDay() + 6) % 7),
  );
  const firstWeek = lastMonday - 6 * 7 * day;
  const weekly = [1, 1, 2, 2, 3, 4];
  const patternIds: string[] = [];

  beforeAll(async () => {
    const admin: Caller = { tenant, roles: ['ADMIN'] };
    expect(
      (await viaGateway(`mutation { updateAnalyticsSettings(timeZone: "UTC") { timeZone } }`, {}, admin)).errors,
    ).toBeUndefined();
    const report = async (input: Record<string, unknown>) => {
      const result = await viaGateway(reportMutation, { input, key: newKey() }, reporter);
      expect(result.errors).toBeUndefined();
      return result.data!.reportNearMiss.nearMiss.id as string;
    };
    for (const [week, count] of weekly.entries()) {
      for (let item = 0; item < count; item += 1) {
        // 14:45 on a weekday: fifteen minutes before the early shift hands over, each for a different person.
        const dayStart = firstWeek + week * 7 * day + (item + 1) * day;
        const occurredAt = new Date(dayStart + 14 * hour + 45 * 60_000);
        patternIds.push(
          await report(
            medicationReport(
              {
                occurredAt: occurredAt.toISOString(),
                personId: `person-${week}-${item}`,
                workflowStage: 'HANDOVER',
                contributingFactors: ['handover rushed'],
                shiftId: `shift-${week}-${item}`,
                workflowContext: {
                  shiftStartsAt: new Date(dayStart + 7 * hour).toISOString(),
                  shiftEndsAt: new Date(dayStart + 15 * hour).toISOString(),
                  timeCriticalMedicine: true,
                  scheduledAt: new Date(dayStart + 14 * hour).toISOString(),
                },
              },
              { discrepancyType: 'TIME_CRITICAL_TIMING', medicationName: `Medicine ${week}-${item}` },
            ),
          ),
        );
      }
    }
    // Everything else the tenant reported meanwhile: other services, other stages, mid-shift.
    const stages = ['ADMINISTRATION', 'DOCUMENTATION', 'PRESCRIBING_OR_PHARMACY', 'ADMINISTRATION'];
    for (let item = 0; item < 16; item += 1) {
      const dayStart = firstWeek + Math.floor((item * 42) / 16) * day;
      await report(
        medicationReport(
          {
            serviceId: item % 2 ? 'south' : 'east',
            occurredAt: new Date(dayStart + 11 * hour).toISOString(),
            personId: `person-b${item}`,
            workflowStage: item === 5 || item === 11 ? 'HANDOVER' : stages[item % stages.length],
            contributingFactors: [],
            workflowContext: {
              shiftStartsAt: new Date(dayStart + 7 * hour).toISOString(),
              shiftEndsAt: new Date(dayStart + 15 * hour).toISOString(),
            },
          },
          { medicationName: `Background ${item}` },
        ),
      );
    }
  });

  it('opens exactly one risk review for the repeated handover timing near misses, which the later ones join', async () => {
    const result = await viaGateway(
      `{ riskReviews { status reason basis nearMissCount serviceId categoryKey nearMisses { id workflowContext { shiftPhase } } } }`,
      {},
      analyst,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.riskReviews).toHaveLength(1);
    const [review] = result.data!.riskReviews;
    expect(review).toMatchObject({
      status: 'OPEN',
      reason: '3 medication near misses at the handover stage in service north in 14 days',
      basis: 'WORKFLOW_STAGE',
      nearMissCount: 13,
      serviceId: 'north',
    });
    expect(review.nearMisses.map((nearMiss: { id: string }) => nearMiss.id).sort()).toEqual([...patternIds].sort());
    expect(
      new Set(
        review.nearMisses.map(
          (nearMiss: { workflowContext: { shiftPhase: string } }) => nearMiss.workflowContext.shiftPhase,
        ),
      ),
    ).toEqual(new Set(['END_OF_SHIFT']));
  });

  it('shows the rise week by week in the trends', async () => {
    const result = await viaGateway(
      `query($f: NearMissFilter) { nearMissTrends(filter: $f, dimension: WORKFLOW_STAGE, interval: WEEK) { periodStart key count } }`,
      {
        f: {
          serviceIds: ['north'],
          categories: ['medication'],
          occurredFrom: new Date(firstWeek).toISOString(),
          occurredTo: new Date(lastMonday).toISOString(),
        },
      },
      analyst,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.nearMissTrends).toEqual(
      weekly.map((count, week) => ({
        periodStart: new Date(firstWeek + week * 7 * day).toISOString(),
        key: 'HANDOVER',
        count,
      })),
    );
    const phases = await viaGateway(
      `query($f: NearMissFilter) { nearMissTrends(filter: $f, dimension: SHIFT_PHASE, interval: MONTH) { key count } }`,
      { f: { serviceIds: ['north'] } },
      analyst,
    );
    expect(phases.data!.nearMissTrends.every((bucket: { key: string }) => bucket.key === 'END_OF_SHIFT')).toBe(true);
  });

  it('shows the cluster at shift handover in workflow-stage analysis, beyond what the tenant as a whole shows', async () => {
    const result = await viaGateway(
      `query($f: NearMissFilter) { workflowStageAnalysis(filter: $f) { stage count nearShiftTransition timeCriticalMedication share tenantShare lift clustered } }`,
      { f: { serviceIds: ['north'] } },
      analyst,
    );
    expect(result.errors).toBeUndefined();
    const [handover, ...others] = result.data!.workflowStageAnalysis;
    expect(others).toEqual([]);
    expect(handover).toMatchObject({
      stage: 'HANDOVER',
      count: 13,
      nearShiftTransition: 13,
      timeCriticalMedication: 13,
      share: 1,
      clustered: true,
    });
    expect(handover.tenantShare).toBeCloseTo(15 / 29);
    const tenantWide = await viaGateway(
      `{ workflowStageAnalysis { stage count nearShiftTransition clustered } }`,
      {},
      analyst,
    );
    expect(tenantWide.data!.workflowStageAnalysis).toEqual(
      expect.arrayContaining([{ stage: 'HANDOVER', count: 15, nearShiftTransition: 13, clustered: false }]),
    );
  });

  it('links the reports to their shifts both ways through the gateway', async () => {
    const supervisor: Caller = { tenant, sub: 'staff-8', roles: ['SUPERVISOR'], services: ['north'] };
    const result = await viaGateway(
      `{ shift(id: "shift-5-3") { startsAt nearMisses { id workflowContext { shiftPhase timeCriticalMedicine minutesBeforeShiftEnd minutesAfterScheduled } shift { id } } } }`,
      {},
      supervisor,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.shift.nearMisses).toEqual([
      {
        id: patternIds[patternIds.length - 1],
        workflowContext: {
          shiftPhase: 'END_OF_SHIFT',
          timeCriticalMedicine: true,
          minutesBeforeShiftEnd: 15,
          minutesAfterScheduled: 45,
        },
        shift: { id: 'shift-5-3' },
      },
    ]);
  });

  it('gives GOVERNANCE the aggregates and FORBIDDEN on the individual near misses behind them', async () => {
    const summary = await viaGateway(
      `query($from: DateTime!, $to: DateTime!) { governanceSummary(from: $from, to: $to) { signalHealth { reports notSystemControlShare } byWorkflowStage { key count } repeatPatterns { reason nearMissCount } } }`,
      // Up to now: the review opened when the reports came in.
      { from: new Date(firstWeek).toISOString(), to: new Date(Date.now() + 60_000).toISOString() },
      governance,
    );
    expect(summary.errors).toBeUndefined();
    expect(summary.data!.governanceSummary).toMatchObject({
      signalHealth: { reports: 29 },
      repeatPatterns: [
        { reason: '3 medication near misses at the handover stage in service north in 14 days', nearMissCount: 13 },
      ],
    });
    expect(summary.data!.governanceSummary.byWorkflowStage).toEqual(
      expect.arrayContaining([{ key: 'HANDOVER', count: 15 }]),
    );
    const row = await viaGateway(`query($id: ID!) { nearMiss(id: $id) { id } }`, { id: patternIds[0] }, governance);
    expect(row.errors![0].extensions!.code).toBe('FORBIDDEN');
    const person = await viaGateway(`{ person(id: "person-1") { name nearMisses { totalCount } } }`, {}, governance);
    expect(person.errors![0].extensions!.code).toBe('FORBIDDEN');
  });
});

import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import {
  planRepeatTrigger,
  repeatOutcome,
  repeatWindowOf,
  repeatWritesOf,
  scanOf,
  type RepeatTriggerInput,
  type RepeatTriggerOutcome,
} from '../../subgraph/patterns/repeat-trigger';
import type { RepeatKey } from '../../subgraph/patterns/repeat-trigger-keys';
import {
  checkCategory,
  claimReport,
  insertNearMiss,
  type NewNearMiss,
} from '../../subgraph/near-misses/report-near-miss.repository';
import { SimilarityKeyLocks1763900011000 } from '../../migrations/1763900011000-SimilarityKeyLocks';
import { medicationReport, newKey } from '../support/reports';
import { daysAgo, report, reportWithReviews, reviewFields, reviewsInDatabase } from '../support/patterns';
import { startTestApp, uniqueTenant, type Caller, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

const callers = (tenant: string) => ({
  reporter: { tenant, sub: 'staff-7', roles: ['REPORTER'], services: ['north'] } as Caller,
  manager: { tenant, sub: 'staff-m', roles: ['MANAGER'], services: ['north'] } as Caller,
});

// Only the plugin's similarity (same person, same medication) links these: stages differ, no contributing factors.
const stages = ['DOCUMENTATION', 'ADMINISTRATION', 'HANDOVER', 'PRESCRIBING_OR_PHARMACY'];
const samePersonAndMedicine = (index: number, occurredAt: string) => ({
  occurredAt,
  workflowStage: stages[index % stages.length],
  contributingFactors: [],
});

const concludeMutation = /* GraphQL */ `
  mutation Conclude($id: ID!, $conclusion: String!, $causes: [RiskReviewCause!]) {
    concludeRiskReview(id: $id, conclusion: $conclusion, causes: $causes) { ${reviewFields} concludedAt concludedBy { id } }
  }
`;

describe('the repeat trigger', () => {
  it('opens one review on the third similar near miss in 14 days, in plain words, and later similar reports join it', async () => {
    const { reporter, manager } = callers(uniqueTenant('repeat'));
    const first = await report(t, reporter, samePersonAndMedicine(0, daysAgo(10)));
    const second = await report(t, reporter, samePersonAndMedicine(1, daysAgo(6)));
    expect([first.riskReviewsOpened, second.riskReviewsOpened]).toEqual([[], []]);

    const third = await report(t, reporter, samePersonAndMedicine(2, daysAgo(1)));
    expect(third.riskReviewsOpened).toHaveLength(1);
    const review = third.riskReviewsOpened[0];
    expect(review).toMatchObject({
      status: 'OPEN',
      reason: '3 medication near misses for one person with the same medication name in 14 days',
      basis: 'CATEGORY_SIMILARITY',
      threshold: 3,
      windowDays: 14,
      nearMissCount: 3,
      overdue: false,
      serviceId: 'north',
      categoryKey: 'medication',
    });
    expect(review.nearMisses.map((nearMiss: { id: string }) => nearMiss.id)).toEqual([
      first.nearMiss.id,
      second.nearMiss.id,
      third.nearMiss.id,
    ]);
    expect(third.nearMiss.riskReviews).toEqual([{ id: review.id }]);

    const fourth = await report(t, reporter, samePersonAndMedicine(3, daysAgo(0.5)));
    expect(fourth.riskReviewsOpened).toEqual([]);
    expect(fourth.riskReviewsJoined).toEqual([{ id: review.id }]);
    const listed = await t.graphql(`{ riskReviews(status: OPEN) { id nearMissCount } }`, {}, manager);
    expect(listed.data!.riskReviews).toEqual([{ id: review.id, nearMissCount: 4 }]);

    const timeline = await t.graphql(
      `query($id: ID!) { nearMiss(id: $id) { timeline { action detail } } }`,
      { id: third.nearMiss.id },
      manager,
    );
    expect(timeline.data!.nearMiss.timeline.map((event: { action: string }) => event.action)).toEqual([
      'near_miss.reported',
      'risk_review.opened',
    ]);
  });

  it('does not count different people, and counts the same service and workflow stage as similar', async () => {
    const tenant = uniqueTenant('repeat');
    const { reporter } = callers(tenant);
    for (const [index, personId] of ['person-a', 'person-b'].entries()) {
      await report(t, reporter, {
        personId,
        occurredAt: daysAgo(5 - index),
        workflowStage: stages[index],
        contributingFactors: [],
      });
    }
    const third = await report(t, reporter, {
      personId: 'person-c',
      occurredAt: daysAgo(2),
      workflowStage: 'PRESCRIBING_OR_PHARMACY',
      contributingFactors: [],
    });
    expect(third.riskReviewsOpened).toEqual([]);

    // Three handovers in one service, for three people: "which part of the workflow allowed this?"
    for (const personId of ['person-d', 'person-e'])
      await report(t, reporter, {
        personId,
        occurredAt: daysAgo(3),
        workflowStage: 'HANDOVER',
        contributingFactors: [],
      });
    const handover = await report(t, reporter, {
      personId: 'person-f',
      occurredAt: daysAgo(1),
      workflowStage: 'HANDOVER',
      contributingFactors: [],
    });
    expect(handover.riskReviewsOpened).toHaveLength(1);
    expect(handover.riskReviewsOpened[0]).toMatchObject({
      basis: 'WORKFLOW_STAGE',
      reason: '3 medication near misses at the handover stage in service north in 14 days',
    });
    expect(await reviewsInDatabase(t, tenant)).toHaveLength(1);
  });

  it('opens one review, not one per key, when several kinds of similarity reach the threshold together', async () => {
    const tenant = uniqueTenant('repeat');
    const { reporter } = callers(tenant);
    const alike = { workflowStage: 'HANDOVER', contributingFactors: ['handover rushed'] };
    await report(t, reporter, { ...alike, occurredAt: daysAgo(4) });
    await report(t, reporter, { ...alike, occurredAt: daysAgo(3) });
    const third = await report(t, reporter, { ...alike, occurredAt: daysAgo(2) });
    expect(third.riskReviewsOpened).toHaveLength(1);
    expect(third.riskReviewsOpened[0].basis).toBe('CATEGORY_SIMILARITY');
    const fourth = await report(t, reporter, { ...alike, occurredAt: daysAgo(1) });
    expect(fourth.riskReviewsJoined).toEqual([{ id: third.riskReviewsOpened[0].id }]);
    expect(await reviewsInDatabase(t, tenant)).toHaveLength(1);
  });

  it('evaluates late reports by when they occurred: one between two earlier ones opens a review, one too far apart does not', async () => {
    const { reporter } = callers(uniqueTenant('late'));
    await report(t, reporter, samePersonAndMedicine(0, daysAgo(40)));
    await report(t, reporter, samePersonAndMedicine(1, daysAgo(27)));
    const late = await report(t, reporter, samePersonAndMedicine(2, daysAgo(35)));
    expect(late.riskReviewsOpened).toHaveLength(1);
    expect(late.riskReviewsOpened[0].nearMissCount).toBe(3);

    const other = callers(uniqueTenant('late')).reporter;
    await report(t, other, samePersonAndMedicine(0, daysAgo(60)));
    await report(t, other, samePersonAndMedicine(1, daysAgo(40)));
    const between = await report(t, other, samePersonAndMedicine(2, daysAgo(50)));
    expect(between.riskReviewsOpened).toEqual([]);
  });

  it("uses the provider's rule for the category, and none when the rule is off", async () => {
    const tenant = uniqueTenant('rules');
    const { reporter, manager } = callers(tenant);
    const set = await t.graphql(
      `mutation($input: RepeatTriggerRuleInput!) { setRepeatTriggerRule(input: $input) { category threshold windowDays reviewDueDays enabled configured } }`,
      { input: { category: 'medication', threshold: 2, windowDays: 7, reviewDueDays: 3 } },
      manager,
    );
    expect(set.errors).toBeUndefined();
    expect(set.data!.setRepeatTriggerRule).toEqual(
      expect.arrayContaining([
        { category: '*', threshold: 3, windowDays: 14, reviewDueDays: 7, enabled: true, configured: false },
        { category: 'medication', threshold: 2, windowDays: 7, reviewDueDays: 3, enabled: true, configured: true },
      ]),
    );
    await report(t, reporter, samePersonAndMedicine(0, daysAgo(3)));
    const second = await report(t, reporter, samePersonAndMedicine(1, daysAgo(2)));
    expect(second.riskReviewsOpened[0]).toMatchObject({
      threshold: 2,
      windowDays: 7,
      reason: '2 medication near misses for one person with the same medication name in 7 days',
    });

    const refused = await t.graphql(
      `mutation { setRepeatTriggerRule(input: { category: "medication", threshold: 1, windowDays: 7 }) { category } }`,
      {},
      manager,
    );
    expect(refused.errors![0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'threshold', message: 'must be at least 2' }],
    });
    expect(
      (
        await t.graphql(
          `mutation { setRepeatTriggerRule(input: { category: "*", threshold: 3, windowDays: 7 }) { category } }`,
          {},
          reporter,
        )
      ).errors![0].extensions!.code,
    ).toBe('FORBIDDEN');

    const quiet = callers(uniqueTenant('rules'));
    await t.graphql(
      `mutation { setRepeatTriggerRule(input: { category: "*", threshold: 3, windowDays: 14, enabled: false }) { category } }`,
      {},
      quiet.manager,
    );
    for (let index = 0; index < 3; index += 1)
      expect(
        (await report(t, quiet.reporter, samePersonAndMedicine(index, daysAgo(3 - index)))).riskReviewsOpened,
      ).toEqual([]);
  });

  it('assigns reviews to the service manager; managers conclude them with causes, and the next cluster opens a new review', async () => {
    const tenant = uniqueTenant('conclude');
    const { reporter, manager } = callers(tenant);
    expect(
      (
        await t.graphql(
          `mutation { assignServiceManager(serviceId: "north", staffId: "staff-m") { serviceId staffId } }`,
          {},
          manager,
        )
      ).data,
    ).toEqual({
      assignServiceManager: { serviceId: 'north', staffId: 'staff-m' },
    });
    for (let index = 0; index < 2; index += 1)
      await report(t, reporter, samePersonAndMedicine(index, daysAgo(9 - index)));
    const opened = (await report(t, reporter, samePersonAndMedicine(2, daysAgo(7)))).riskReviewsOpened[0];
    expect(opened.assignedTo).toEqual({ id: 'staff-m' });

    const byReporter = await t.graphql(
      concludeMutation,
      { id: opened.id, conclusion: 'Handover notes lost the pharmacy change' },
      reporter,
    );
    expect(byReporter.errors![0].extensions!.code).toBe('FORBIDDEN');
    const concluded = await t.graphql(
      concludeMutation,
      { id: opened.id, conclusion: 'Handover notes lost the pharmacy change', causes: ['HANDOVER', 'COMMUNICATION'] },
      manager,
    );
    expect(concluded.errors).toBeUndefined();
    expect(concluded.data!.concludeRiskReview).toMatchObject({
      status: 'CONCLUDED',
      causes: ['HANDOVER', 'COMMUNICATION'],
      concludedBy: { id: 'staff-m' },
      version: 2,
    });
    const again = await t.graphql(concludeMutation, { id: opened.id, conclusion: 'Twice' }, manager);
    expect(again.errors![0].extensions!.code).toBe('CONFLICT');

    // Counted near misses stay counted: two more make no new pattern, three do.
    const fourth = await report(t, reporter, samePersonAndMedicine(3, daysAgo(6)));
    expect([fourth.riskReviewsOpened, fourth.riskReviewsJoined]).toEqual([[], []]);
    await report(t, reporter, samePersonAndMedicine(4, daysAgo(5)));
    const sixth = await report(t, reporter, samePersonAndMedicine(5, daysAgo(4)));
    expect(sixth.riskReviewsOpened).toHaveLength(1);
    expect(sixth.riskReviewsOpened[0].id).not.toBe(opened.id);
  });

  it('concludes with corrective actions created in the same transaction, on the triaged near misses of the review', async () => {
    const tenant = uniqueTenant('actions');
    const { reporter, manager } = callers(tenant);
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1)
      ids.push((await report(t, reporter, samePersonAndMedicine(index, daysAgo(5 - index)))).nearMiss.id);
    const [review] = await reviewsInDatabase(t, tenant);
    const action = {
      title: 'Written handover of pharmacy changes, signed by both shifts',
      ownerId: 'staff-m',
      dueBy: new Date(Date.now() + 30 * 24 * 60 * 60 * 1000).toISOString(),
      strength: 'INTERMEDIATE',
      actionType: 'CHECKLIST',
      evidenceRequired: ['Signed handover sheets for four weeks'],
      target: 'No repeat medication timing near misses at handover for six weeks',
    };
    const conclude = `mutation($id: ID!, $actions: [RiskReviewActionInput!]) {
      concludeRiskReview(id: $id, conclusion: "Pharmacy changes were passed on verbally at handover", causes: [HANDOVER], actions: $actions) {
        status correctiveActions { title strength nearMisses { id } }
      }
    }`;
    // None of the near misses is triaged yet: actions follow triage, and nothing is concluded.
    const early = await t.graphql(conclude, { id: review.id, actions: [action] }, manager);
    expect(early.errors![0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'actions.0.nearMissIds' }],
    });
    expect((await reviewsInDatabase(t, tenant))[0].status).toBe('OPEN');

    const lead: Caller = { tenant, sub: 'lead-1', roles: ['MEDICATION_LEAD'] };
    for (const id of ids.slice(0, 2)) {
      const acknowledged = await t.graphql(
        `mutation($id: ID!) { acknowledgeNearMiss(id: $id, expectedVersion: 1) { version } }`,
        { id },
        lead,
      );
      const triaged = await t.graphql(
        `mutation($input: TriageInput!) { triageNearMiss(input: $input) { status } }`,
        {
          input: {
            nearMissId: id,
            expectedVersion: acknowledged.data!.acknowledgeNearMiss.version,
            route: 'MEDICATION_SAFETY_REVIEW',
            justCulture: 'SYSTEM_ISSUE',
            rationale: 'Handover gap',
          },
        },
        lead,
      );
      expect(triaged.errors).toBeUndefined();
    }
    const concluded = await t.graphql(conclude, { id: review.id, actions: [action] }, manager);
    expect(concluded.errors).toBeUndefined();
    expect(concluded.data!.concludeRiskReview).toMatchObject({
      status: 'CONCLUDED',
      correctiveActions: [{ title: action.title, strength: 'INTERMEDIATE' }],
    });
    expect(
      concluded
        .data!.concludeRiskReview.correctiveActions[0].nearMisses.map((nearMiss: { id: string }) => nearMiss.id)
        .sort(),
    ).toEqual(ids.slice(0, 2).sort());
  });

  it('shows overdue reviews', async () => {
    const tenant = uniqueTenant('overdue');
    const { reporter, manager } = callers(tenant);
    for (let index = 0; index < 3; index += 1)
      await report(t, reporter, samePersonAndMedicine(index, daysAgo(3 - index)));
    const [review] = await reviewsInDatabase(t, tenant);
    expect((await t.graphql(`{ riskReviews(overdueOnly: true) { id } }`, {}, manager)).data!.riskReviews).toEqual([]);
    await t.app.database.dataSource.query(`UPDATE risk_review SET due_by = now() - interval '1 day' WHERE id = $1`, [
      review.id,
    ]);
    expect(
      (await t.graphql(`{ riskReviews(overdueOnly: true) { id overdue } }`, {}, manager)).data!.riskReviews,
    ).toEqual([{ id: review.id, overdue: true }]);
  });

  it('replays the reviews a report opened when its idempotency key is retried', async () => {
    const { reporter } = callers(uniqueTenant('replay'));
    for (let index = 0; index < 2; index += 1)
      await report(t, reporter, samePersonAndMedicine(index, daysAgo(3 - index)));
    const input = medicationReport(samePersonAndMedicine(2, daysAgo(1)));
    const key = newKey();
    const first = await t.graphql(reportWithReviews, { input, key }, reporter);
    const retry = await t.graphql(reportWithReviews, { input, key }, reporter);
    expect(retry.data!.reportNearMiss.replayed).toBe(true);
    expect(retry.data!.reportNearMiss.riskReviewsOpened.map((review: { id: string }) => review.id)).toEqual(
      first.data!.reportNearMiss.riskReviewsOpened.map((review: { id: string }) => review.id),
    );
  });
});

// PGlite serialises transactions (one connection at a time), so a race needs the real server.
const onServer = process.env.DATABASE_URL ? describe : describe.skip;

onServer('the repeat trigger under concurrency (PostgreSQL server)', () => {
  let replica: TestApp;
  beforeAll(async () => {
    replica = await startTestApp({ replicaOf: t });
  });
  afterAll(async () => replica?.stop());

  it('opens exactly one review when two replicas take a burst of similar reports at once', async () => {
    const tenant = uniqueTenant('burst');
    const { reporter } = callers(tenant);
    const burst = 16;
    const results = await Promise.all(
      Array.from({ length: burst }, (_, index) =>
        (index % 2 ? replica : t).graphql(
          reportWithReviews,
          { input: medicationReport(samePersonAndMedicine(index, daysAgo(2 + index / 100))), key: newKey() },
          reporter,
        ),
      ),
    );
    expect(results.flatMap((result) => result.errors ?? [])).toEqual([]);
    const opened = results.flatMap((result) => result.data!.reportNearMiss.riskReviewsOpened);
    expect(opened).toHaveLength(1);
    const reviews = await reviewsInDatabase(t, tenant);
    expect(reviews).toHaveLength(1);
    expect(reviews[0].members).toHaveLength(burst);
    // Everyone else joined that review.
    const joined = results.flatMap((result) =>
      result.data!.reportNearMiss.riskReviewsJoined.map((review: { id: string }) => review.id),
    );
    expect(joined).toEqual(Array(burst - 3).fill(reviews[0].id));
  });

  it('opens one review when one similar report is committed and two arrive together (neither sees the other without the lock)', async () => {
    for (let round = 0; round < 5; round += 1) {
      const tenant = uniqueTenant('race');
      const { reporter } = callers(tenant);
      await report(t, reporter, samePersonAndMedicine(0, daysAgo(3)));
      await Promise.all(
        [t, replica].map((app, index) =>
          app.graphql(
            reportWithReviews,
            { input: medicationReport(samePersonAndMedicine(index + 1, daysAgo(2))), key: newKey() },
            reporter,
          ),
        ),
      );
      expect(await reviewsInDatabase(t, tenant)).toHaveLength(1);
    }
  });

  it("locks each of a tenant's keys once, and a key of one tenant does not hold up another tenant's", async () => {
    const dataSource = t.app.database.dataSource;
    const [tenantA, tenantB] = [uniqueTenant('lock-a'), uniqueTenant('lock-b')];
    const lockAs = (tenant: string, keys: string[]) => (manager: EntityManager) =>
      manager.query(`SELECT set_config('lock_timeout', '300ms', true), lock_similarity_keys($1, $2::text[]) AS locks`, [
        tenant,
        keys,
      ]);
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const holding = dataSource.transaction(async (manager) => {
      const [{ locks }] = await lockAs(tenantA, ['k1', 'k2', 'k3', 'k1'])(manager);
      expect(Number(locks)).toBe(3);
      const [{ held }] = await manager.query(
        `SELECT count(*)::int AS held FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()`,
      );
      expect(held).toBe(3);
      await released;
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await expect(dataSource.transaction(lockAs(tenantB, ['k1', 'k2', 'k3']))).resolves.toBeDefined();
      await expect(dataSource.transaction(lockAs(tenantA, ['k2']))).rejects.toThrow(/lock timeout/);
    } finally {
      release();
      await holding;
    }
  });

  // The report path also serialises a tenant's reports on its reference counter; this drives the
  // trigger's statements alone, so it fails if the trigger's own key locks are removed.
  it('judges two transactions with a shared key one after the other, by its key locks alone', async () => {
    const tenant = uniqueTenant('locks');
    const key: RepeatKey = { key: `k-${randomUUID()}`, basis: 'CATEGORY_SIMILARITY', phrase: 'for one person' };
    const dataSource = t.app.database.dataSource;
    const nearMiss = (id: string): NewNearMiss => ({
      id,
      tenantId: tenant,
      reference: `NM-${id}`,
      serviceId: 'north',
      category: 'medication',
      categoryVersion: 1,
      occurredAt: new Date(),
      detectedAt: null,
      reportedAt: new Date(),
      reportedBy: 'staff-7',
      reporterIdentity: 'NAMED',
      receiptHash: null,
      staffInvolvedIds: [],
      personId: null,
      visitId: null,
      medicationRecordId: null,
      shiftId: null,
      carePlanId: null,
      setting: 'HOME_VISIT',
      whatHappened: 'x',
      howDetected: 'x',
      whatPreventedHarm: 'x',
      preventionReliability: 'CHANCE',
      immediateActions: [],
      whatMadeThisPossible: null,
      contributingFactors: [],
      contributingFactorCodes: [],
      kindKey: null,
      workflowStage: null,
      potentialHarm: 'LOW',
      details: {},
      suggestedRoute: 'TREND_MONITORING',
      sameDay: false,
      suggestedNotify: [],
      triageDueAt: new Date(),
      similarityKey: null,
      workflowContext: null,
      minutesAfterShiftStart: null,
      minutesBeforeShiftEnd: null,
      minutesAfterScheduled: null,
      timeCriticalMedicine: false,
      carePlanReviewOverdue: null,
      staffEmployment: null,
      nccMerp: null,
    });
    // As reportNearMiss does: locks and rule on the claim, the scan on the category check, the writes on the insert.
    const trigger = async (manager: EntityManager): Promise<RepeatTriggerOutcome> => {
      const id = randomUUID();
      const input: RepeatTriggerInput = {
        tenantId: tenant,
        nearMissId: id,
        categoryKey: 'medication',
        serviceId: 'north',
        occurredAt: new Date(),
        keys: [key],
        now: new Date(),
      };
      const claim = await claimReport(
        manager,
        { tenantId: tenant, reporterId: 'staff-7', key: randomUUID(), requestHash: 'h', nearMissId: id },
        input,
      );
      if (!claim.claimed) throw new Error('the key was claimed');
      const check = await checkCategory(manager, tenant, 'medication', {
        input,
        window: repeatWindowOf(input, claim.rule),
      });
      const plan = planRepeatTrigger(input, scanOf(input, claim.rule, check.findings));
      return repeatOutcome(
        plan,
        await insertNearMiss(manager, nearMiss(id), { input, writes: repeatWritesOf(input, plan) }),
      );
    };
    await dataSource.transaction(async (manager) => trigger(manager));

    let secondDone = false;
    const outcomes: RepeatTriggerOutcome[] = [];
    const first = dataSource.transaction(async (manager) => {
      outcomes.push(await trigger(manager));
      // Hold the transaction open until the second has either finished (no lock) or is waiting on the key lock.
      for (let attempt = 0; attempt < 200 && !secondDone; attempt += 1) {
        const [{ waiting }] = await dataSource.query(
          `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'`,
        );
        if (waiting > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = dataSource.transaction(async (manager) => {
      outcomes.push(await trigger(manager));
      secondDone = true;
    });
    await Promise.all([first, second]);
    expect(outcomes.flatMap((outcome) => outcome.opened)).toHaveLength(1);
  });
});

describe('the similarity key locks migration', () => {
  it('gives similarity rows their foreign key and the lock function, and goes down and up again', async () => {
    const runner = t.app.database.dataSource.createQueryRunner();
    await runner.connect();
    const shape = async () => {
      const [row]: { keys: number; lock: boolean; read: boolean }[] = await runner.query(
        `SELECT (SELECT count(*)::int FROM pg_constraint WHERE conrelid = 'near_miss_similarity'::regclass AND contype = 'f') AS keys,
                to_regprocedure('lock_similarity_keys(text, text[])') IS NOT NULL AS lock,
                to_regprocedure('repeat_trigger_read(text, uuid, timestamptz, text[], text, integer)') IS NOT NULL AS read`,
      );
      return row;
    };
    try {
      expect(await shape()).toEqual({ keys: 1, lock: true, read: false });
      await runner.startTransaction();
      const migration = new SimilarityKeyLocks1763900011000();
      await migration.down(runner);
      expect(await shape()).toEqual({ keys: 0, lock: false, read: true });
      await migration.up(runner);
      expect(await shape()).toEqual({ keys: 1, lock: true, read: false });
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
  });

  it('refuses a similarity row for a near miss that does not exist', async () => {
    const tenant = uniqueTenant('similarity-fk');
    await expect(
      t.app.database.dataSource.query(
        `INSERT INTO near_miss_similarity (tenant_id, similarity_key, occurred_at, near_miss_id) VALUES ($1, 'k', now(), $2)`,
        [tenant, randomUUID()],
      ),
    ).rejects.toThrow(/foreign key/);
  });
});

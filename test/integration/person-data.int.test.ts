import { verifyAuditChains } from '../../subgraph/audit/audit-chain-verifier';
import { withheld } from '../../subgraph/near-misses/field-protection';
import { addActionMutation, recordResultMutation, scheduleMutation } from '../support/action-operations';
import { acknowledgeMutation, nearMissQuery, triageThroughGates } from '../support/lifecycle-operations';
import { daysAgo, report } from '../support/patterns';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { dataOf, startTestApp, uniqueTenant, type Caller, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

describe('personal data', () => {
  it('exports everything held about a person to a manager, and erases their free text while counts and the audit chain hold', async () => {
    const tenant = uniqueTenant('privacy');
    const reporter: Caller = { tenant, sub: 'staff-r', roles: ['REPORTER'], services: ['north'] };
    const manager: Caller = { tenant, sub: 'staff-m', roles: ['MANAGER'] };
    const admin: Caller = { tenant, sub: 'staff-a', roles: ['ADMIN'] };
    const about = (
      await t.graphql(reportMutation, { input: medicationReport({ personId: 'person-9' }), key: newKey() }, reporter)
    ).data!.reportNearMiss.nearMiss;
    await t.graphql(reportMutation, { input: medicationReport({ personId: 'person-10' }), key: newKey() }, reporter);
    await t.graphql(acknowledgeMutation, { id: about.id, v: about.version }, manager);

    const exported = await t.graphql(`query($p: ID!) { personDataExport(personId: $p) }`, { p: 'person-9' }, manager);
    expect(exported.errors).toBeUndefined();
    const data = exported.data!.personDataExport;
    expect(data.nearMisses).toHaveLength(1);
    expect(data.nearMisses[0].what_happened).toContain('levodopa');
    expect(data.feedback).toHaveLength(1);
    expect(data.auditTrail.map((event: { action: string }) => event.action)).toEqual([
      'near_miss.reported',
      'near_miss.acknowledged',
    ]);
    expect(
      (await t.graphql(`query($p: ID!) { personDataExport(personId: $p) }`, { p: 'person-9' }, reporter)).errors?.[0]
        .extensions?.code,
    ).toBe('FORBIDDEN');

    expect(
      (await t.graphql(`mutation { erasePersonData(personId: "person-9", reason: "Erasure request 42") }`, {}, manager))
        .errors?.[0].extensions?.code,
    ).toBe('FORBIDDEN');
    const erased = await t.graphql(
      `mutation { erasePersonData(personId: "person-9", reason: "Erasure request 42") }`,
      {},
      admin,
    );
    expect(erased.data!.erasePersonData).toBe(1);

    const after = (
      await t.graphql(
        nearMissQuery.replace('id reference', 'id reference whatHappened person { id }'),
        { id: about.id },
        manager,
      )
    ).data!.nearMiss;
    expect(after).toMatchObject({ whatHappened: '[erased]', person: null, status: 'ACKNOWLEDGED' });
    expect(after.feedback.map((item: { message: string }) => item.message)).toEqual(['[erased]']);
    const [{ count }] = await t.app.database.dataSource.query(
      `SELECT count(*)::int AS count FROM near_miss WHERE tenant_id = $1`,
      [tenant],
    );
    expect(count).toBe(2);
    const report = await verifyAuditChains(t.app.database.dataSource, { tenantIds: [tenant] });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });
});

describe('erasure leaves no link to the person', () => {
  const day = 24 * 60 * 60 * 1000;
  const ok = async (query: string, variables: Record<string, unknown>, caller: Caller) =>
    dataOf(await t.graphql(query, variables, caller));
  /** What names the erased person: their id, their host records and the free text written about them. */
  const traces = ['person-erase-1', 'visit-erase-1', 'mar-erase-1', 'plan-erase-1', 'Mrs Erase'];

  /** Rows of every table of the database that hold one of `needles` anywhere (a row as text). */
  async function rowsHolding(needles: string[]): Promise<Record<string, number>> {
    const tables: { table_name: string }[] = await t.app.database.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
    );
    expect(tables.length).toBeGreaterThan(10);
    const found: Record<string, number> = {};
    for (const { table_name: table } of tables) {
      const [{ count }] = await t.app.database.dataSource.query(
        `SELECT count(*)::int AS count FROM "${table}" row WHERE row::text LIKE ANY($1::text[])`,
        [needles.map((needle) => `%${needle}%`)],
      );
      if (count) found[table] = count;
    }
    return found;
  }

  it('erases host links, action and check text, review conclusions and person-derived review keys, and keeps the reason', async () => {
    const tenant = uniqueTenant('erase');
    const as = (sub: string, roles: Caller['roles']): Caller => ({ tenant, sub, roles, services: ['north'] });
    const reporter = as('staff-r', ['REPORTER']);
    const supervisor = as('staff-s', ['SUPERVISOR']);
    const lead = as('staff-l', ['MEDICATION_LEAD']);
    const manager: Caller = { tenant, sub: 'staff-m', roles: ['MANAGER'] };
    const admin: Caller = { tenant, sub: 'staff-a', roles: ['ADMIN'] };
    const links = {
      personId: 'person-erase-1',
      visitId: 'visit-erase-1',
      medicationRecordId: 'mar-erase-1',
      carePlanId: 'plan-erase-1',
      shiftId: 'shift-erase-1',
      whatHappened: 'Mrs Erase was nearly given the 08:00 dose twice.',
      contributingFactors: [],
    };
    const reported = [];
    for (let index = 0; index < 3; index += 1)
      reported.push(await report(t, reporter, { ...links, occurredAt: daysAgo(4 - index) }));
    const reviewId = reported[2].riskReviewsOpened[0].id as string;
    // Someone else's near miss at the same stage: the review key they share is not the erased person's.
    const other = await report(t, reporter, {
      personId: 'person-keep-1',
      occurredAt: daysAgo(1),
      contributingFactors: [],
    });

    const first = reported[0].nearMiss.id;
    await triageThroughGates(ok, first, { supervisor, lead }, 'Mrs Erase: MAR layout');
    const action = await ok(
      addActionMutation,
      {
        input: {
          nearMissIds: [first],
          title: 'Give Mrs Erase a separate MAR row for levodopa',
          ownerId: 'staff-o',
          dueBy: new Date(Date.now() + 14 * day).toISOString(),
          strength: 'STRONGER',
          actionType: 'REDESIGN',
          evidenceRequired: ['MAR template'],
          target: 'No repeat for Mrs Erase over six weeks',
        },
      },
      manager,
    );
    const [check] = await ok(
      scheduleMutation,
      { input: { actionId: action.id, method: 'AUDIT', firstDueAt: new Date().toISOString(), everyDays: 7, count: 2 } },
      manager,
    );
    await ok(
      recordResultMutation,
      { id: check.id, result: 'PASS', evidence: ['MAR mar-erase-1 checked'], notes: 'Mrs Erase MAR correct' },
      lead,
    );
    await ok(
      `mutation($id: ID!) { concludeRiskReview(id: $id, conclusion: "Mrs Erase's levodopa row is unclear", causes: [DOCUMENTATION_DESIGN]) { id } }`,
      { id: reviewId },
      manager,
    );
    const database = t.app.database.dataSource;
    const [{ similarity_key: personKey }] = await database.query(`SELECT similarity_key FROM near_miss WHERE id = $1`, [
      first,
    ]);
    const reviewKeysBefore: { similarity_key: string }[] = await database.query(
      `SELECT similarity_key FROM risk_review_key WHERE tenant_id = $1`,
      [tenant],
    );
    expect(reviewKeysBefore.map((row) => row.similarity_key)).toContain(personKey);
    expect(Object.keys(await rowsHolding(traces)).sort()).toEqual(
      expect.arrayContaining(['corrective_action', 'near_miss', 'risk_review', 'verification_check']),
    );

    const erased = await t.graphql(
      `mutation { erasePersonData(personId: "person-erase-1", reason: "Subject request SR-77") }`,
      {},
      admin,
    );
    expect(erased.errors).toBeUndefined();
    expect(erased.data!.erasePersonData).toBe(3);

    // No row of any table names the person, their host records or what was written about them.
    expect(await rowsHolding(traces)).toEqual({});
    const nearMisses = await database.query(
      `SELECT id, person_id, visit_id, medication_record_id, care_plan_id, shift_id, similarity_key, erased_at IS NOT NULL AS erased
         FROM near_miss WHERE tenant_id = $1 ORDER BY occurred_at`,
      [tenant],
    );
    expect(nearMisses.slice(0, 3).map(({ id: _id, ...row }: Record<string, unknown>) => row)).toEqual(
      Array(3).fill({
        person_id: null,
        visit_id: null,
        medication_record_id: null,
        care_plan_id: null,
        shift_id: 'shift-erase-1',
        similarity_key: null,
        erased: true,
      }),
    );
    expect(nearMisses[3]).toMatchObject({ id: other.nearMiss.id, person_id: 'person-keep-1', erased: false });
    const [actionRow] = await database.query(
      `SELECT title, target, evidence, evidence_required, owner_id, status FROM corrective_action WHERE id = $1`,
      [action.id],
    );
    expect(actionRow).toEqual({
      title: '[erased]',
      target: '[erased]',
      evidence: [],
      evidence_required: ['MAR template'],
      owner_id: 'staff-o',
      status: 'OPEN',
    });
    const checks = await database.query(
      `SELECT notes, evidence, result FROM verification_check WHERE action_id = $1 ORDER BY sequence`,
      [action.id],
    );
    expect(checks).toEqual([
      { notes: '[erased]', evidence: ['[erased]'], result: 'PASS' },
      { notes: null, evidence: [], result: null },
    ]);
    const [review] = await database.query(`SELECT conclusion, causes, status FROM risk_review WHERE id = $1`, [
      reviewId,
    ]);
    expect(review).toEqual({ conclusion: '[erased]', causes: ['DOCUMENTATION_DESIGN'], status: 'CONCLUDED' });
    // The key derived from the person goes; keys other near misses still hold stay.
    const reviewKeysAfter: { similarity_key: string }[] = await database.query(
      `SELECT similarity_key FROM risk_review_key WHERE tenant_id = $1`,
      [tenant],
    );
    expect(reviewKeysAfter.map((row) => row.similarity_key)).not.toContain(personKey);
    expect(reviewKeysAfter.length).toBe(reviewKeysBefore.length - 1);
    const [{ count: similarities }] = await database.query(
      `SELECT count(*)::int AS count FROM near_miss_similarity WHERE near_miss_id = ANY($1::uuid[])`,
      [reported.map((item) => item.nearMiss.id)],
    );
    expect(similarities).toBe(0);

    // The reason is kept in the audit entry; an analyst sees it withheld.
    const audit = await database.query(
      `SELECT actor, detail FROM audit_event WHERE tenant_id = $1 AND action = 'privacy.person_data_erased' ORDER BY seq`,
      [tenant],
    );
    expect(audit).toEqual(
      Array(3).fill({
        actor: 'staff-a',
        detail: { reason: 'Subject request SR-77', correctiveActions: 1, riskReviews: 1 },
      }),
    );
    const timelineQuery = `query($id: ID!) { nearMiss(id: $id) { timeline { action detail } } }`;
    const erasure = (events: { action: string; detail: Record<string, unknown> }[]) =>
      events.find((event) => event.action === 'privacy.person_data_erased')!.detail;
    expect(erasure((await ok(timelineQuery, { id: first }, manager)).timeline).reason).toBe('Subject request SR-77');
    expect(erasure((await ok(timelineQuery, { id: first }, { tenant, roles: ['ANALYST'] })).timeline).reason).toBe(
      withheld,
    );
    expect((await verifyAuditChains(database, { tenantIds: [tenant] })).ok).toBe(true);
  });
});

describe('retention', () => {
  it('erases free text of near misses closed longer ago than the provider keeps it, and nothing newer', async () => {
    const tenant = uniqueTenant('retention');
    const reporter: Caller = { tenant, sub: 'staff-r', roles: ['REPORTER'], services: ['north'] };
    const admin: Caller = { tenant, sub: 'staff-a', roles: ['ADMIN'] };
    const reported = [];
    for (let index = 0; index < 3; index += 1) {
      reported.push(
        (await t.graphql(reportMutation, { input: medicationReport(), key: newKey() }, reporter)).data!.reportNearMiss
          .nearMiss,
      );
    }
    const settings = await t.graphql(
      `mutation { updateTenantSettings(input: { retentionMonths: 24 }) { retentionMonths } }`,
      {},
      admin,
    );
    expect(settings.data!.updateTenantSettings.retentionMonths).toBe(24);
    // Two closed long ago (one beyond 24 months, one within), one still open.
    await t.app.database.dataSource.query(
      `UPDATE near_miss SET status = 'CLOSED', closed_at = now() - interval '30 months' WHERE id = $1`,
      [reported[0].id],
    );
    await t.app.database.dataSource.query(
      `UPDATE near_miss SET status = 'CLOSED', closed_at = now() - interval '20 months' WHERE id = $1`,
      [reported[1].id],
    );

    expect(
      (await t.graphql(`mutation { applyRetention }`, {}, { tenant, roles: ['MANAGER'] })).errors?.[0].extensions?.code,
    ).toBe('FORBIDDEN');
    const applied = await t.graphql(`mutation { applyRetention }`, {}, admin);
    expect(applied.data!.applyRetention).toBe(1);
    const texts: { id: string; what_happened: string }[] = await t.app.database.dataSource.query(
      `SELECT id, what_happened FROM near_miss WHERE tenant_id = $1 ORDER BY reference`,
      [tenant],
    );
    expect(texts.map((row) => row.what_happened === '[erased]')).toEqual([true, false, false]);
    expect((await t.graphql(`mutation { applyRetention }`, {}, admin)).data!.applyRetention).toBe(0);
    expect((await verifyAuditChains(t.app.database.dataSource, { tenantIds: [tenant] })).ok).toBe(true);
  });
});

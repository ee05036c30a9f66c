import { verifyAuditChains } from '../../subgraph/audit/audit-chain-verifier';
import { acknowledgeMutation, nearMissQuery } from '../support/lifecycle-operations';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { startTestApp, uniqueTenant, type Caller, type TestApp } from '../support/test-app';

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

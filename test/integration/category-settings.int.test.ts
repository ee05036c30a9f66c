import { medicationReport, newKey, reportMutation } from '../support/reports';
import { startTestApp, uniqueTenant, type Caller, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

const setEnabled = /* GraphQL */ `
  mutation SetEnabled($key: ID!, $enabled: Boolean!) {
    setCategoryEnabled(key: $key, enabled: $enabled) {
      key
      enabled
      version
    }
  }
`;
const categoriesQuery = '{ categories { key enabled } }';

// Seed: the pickup changed but the visit schedule did not.
const transportReport = () =>
  medicationReport({
    category: 'transport',
    setting: 'TRANSPORT',
    workflowStage: 'TRANSPORT',
    whatHappened: 'The day centre pickup moved to 08:45 but the morning visit stayed at 09:00.',
    details: {
      appointmentTime: '09:30',
      journey: 'Home to Riverside day centre',
      changeType: 'PICKUP_TIME_CHANGED',
      visitRescheduled: false,
      staffingAllocation: 'COVERED_INFORMALLY',
      communicationSource: 'STAFF_PERSONAL_PHONE',
      personImpact: 'NEARLY_UNSUPPORTED',
      caseManagerNotified: false,
    },
  });

const world = () => {
  const tenant = uniqueTenant('categories');
  return {
    tenant,
    reporter: { tenant, sub: 'staff-7', roles: ['REPORTER'], services: ['north'] } as Caller,
    manager: { tenant, sub: 'staff-manager', roles: ['MANAGER'], services: ['*'] } as Caller,
  };
};

const enabledOf = async (caller: Caller) => {
  const result = await t.graphql(categoriesQuery, {}, caller);
  return Object.fromEntries(
    result.data!.categories.map((category: { key: string; enabled: boolean }) => [category.key, category.enabled]),
  );
};

const categoryAudit = (tenant: string) =>
  t.app.database.dataSource.query<
    { action: string; actor: string; near_miss_id: string | null; detail: Record<string, unknown> }[]
  >(
    `SELECT action, actor, near_miss_id, detail FROM audit_event WHERE tenant_id = $1 AND action LIKE 'category.%' ORDER BY id`,
    [tenant],
  );

describe('setCategoryEnabled', () => {
  it('turns a category off for one organisation: new reports refused, old ones readable, others unaffected', async () => {
    const w = world();
    const before = await t.graphql(reportMutation, { input: transportReport(), key: newKey() }, w.reporter);
    expect(before.errors).toBeUndefined();
    const oldId = before.data!.reportNearMiss.nearMiss.id;

    const off = await t.graphql(setEnabled, { key: 'transport', enabled: false }, w.manager);
    expect(off.errors).toBeUndefined();
    expect(off.data!.setCategoryEnabled).toEqual({ key: 'transport', enabled: false, version: 1 });
    expect(await enabledOf(w.reporter)).toMatchObject({ transport: false, medication: true, mealtime: true });

    const refused = await t.graphql(reportMutation, { input: transportReport(), key: newKey() }, w.reporter);
    expect(refused.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'category', message: expect.stringMatching(/turned off/) }],
    });
    const [{ count }] = await t.app.database.dataSource.query(
      `SELECT count(*)::int AS count FROM near_miss WHERE tenant_id = $1`,
      [w.tenant],
    );
    expect(count).toBe(1);

    const old = await t.graphql(
      'query Old($id: ID!) { nearMiss(id: $id) { id details category { key enabled } } }',
      { id: oldId },
      w.manager,
    );
    expect(old.errors).toBeUndefined();
    expect(old.data!.nearMiss).toMatchObject({
      id: oldId,
      category: { key: 'transport', enabled: false },
      details: { journey: 'Home to Riverside day centre' },
    });

    const medication = await t.graphql(reportMutation, { input: medicationReport(), key: newKey() }, w.reporter);
    expect(medication.errors).toBeUndefined();

    const other = world();
    expect((await enabledOf(other.reporter)).transport).toBe(true);
    expect(
      (await t.graphql(reportMutation, { input: transportReport(), key: newKey() }, other.reporter)).errors,
    ).toBeUndefined();
  });

  it('turns it back on, recording each change (not repeats) in the audit trail', async () => {
    const w = world();
    await t.graphql(setEnabled, { key: 'mealtime', enabled: false }, w.manager);
    await t.graphql(setEnabled, { key: 'mealtime', enabled: false }, w.manager);
    const on = await t.graphql(
      setEnabled,
      { key: 'mealtime', enabled: true },
      { ...w.manager, sub: 'staff-admin', roles: ['ADMIN'] },
    );
    expect(on.data!.setCategoryEnabled).toMatchObject({ key: 'mealtime', enabled: true });
    expect((await enabledOf(w.reporter)).mealtime).toBe(true);
    expect(await categoryAudit(w.tenant)).toEqual([
      {
        action: 'category.disabled',
        actor: 'staff-manager',
        near_miss_id: null,
        detail: { category: 'mealtime', version: 1 },
      },
      {
        action: 'category.enabled',
        actor: 'staff-admin',
        near_miss_id: null,
        detail: { category: 'mealtime', version: 1 },
      },
    ]);
  });

  it.each([['REPORTER'], ['SUPERVISOR'], ['TRIAGE_LEAD'], ['GOVERNANCE'], ['ANALYST']] as const)(
    'is FORBIDDEN to %s',
    async (role) => {
      const w = world();
      const result = await t.graphql(setEnabled, { key: 'rota', enabled: false }, { tenant: w.tenant, roles: [role] });
      expect(result.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect((await enabledOf(w.reporter)).rota).toBe(true);
      expect(await categoryAudit(w.tenant)).toEqual([]);
    },
  );

  it('refuses an unknown category with BAD_USER_INPUT on key', async () => {
    const w = world();
    const result = await t.graphql(setEnabled, { key: 'astrology', enabled: false }, w.manager);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'key' }] });
  });
});

import type { DataSource, EntityManager } from 'typeorm';
import { AuditChain1763900003000 } from '../../migrations/1763900003000-AuditChain';
import { WorkerRoles1763900013000 } from '../../migrations/1763900013000-WorkerRoles';
import { verifyAuditChains } from '../../subgraph/audit/audit-chain-verifier';
import { recordAudit } from '../../subgraph/audit/audit-log';
import { createTenantDatabase } from '../../subgraph/database/tenant-scope';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { startTestApp, uniqueTenant, type TestApp } from '../support/test-app';

// In a transaction: the embedded database's socket interleaves concurrent autocommit statements.
const sql = <T = any>(dataSource: DataSource, text: string, parameters: unknown[] = []): Promise<T> =>
  dataSource.transaction((manager) => manager.query(text, parameters));

/** What someone with the database's superuser password could do: switch the guard off and edit rows. */
const tamper = (dataSource: DataSource, work: (manager: EntityManager) => Promise<unknown>) =>
  dataSource.transaction(async (manager) => {
    await manager.query(`ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only`);
    await work(manager);
    await manager.query(`ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only`);
  });

const appendMany = (dataSource: DataSource, tenant: string, count: number) =>
  Promise.all(
    Array.from({ length: count }, (_, index) =>
      createTenantDatabase(dataSource, tenant).transaction((manager) =>
        recordAudit(manager, {
          tenantId: tenant,
          actor: `staff-${index}`,
          action: 'test.step',
          detail: { step: index, nested: { b: 2, a: [1, { z: true, y: null }] } },
        }),
      ),
    ),
  );

const chainOf = (dataSource: DataSource, tenant: string) =>
  sql<{ id: string; seq: string; prev_hash: string; hash: string; at: Date }[]>(
    dataSource,
    `SELECT id, seq, prev_hash, hash, at FROM audit_event WHERE tenant_id = $1 ORDER BY seq`,
    [tenant],
  );

describe('the audit trail', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.stop());

  it("chains every tenant's rows by hash, also when many transactions append at once", async () => {
    const tenant = uniqueTenant('audit');
    await appendMany(t.app.database.dataSource, tenant, 12);
    const rows = await chainOf(t.app.database.dataSource, tenant);
    expect(rows.map((row) => Number(row.seq))).toEqual(Array.from({ length: 12 }, (_, index) => index + 1));
    expect(rows[0].prev_hash).toBe('0'.repeat(64));
    rows.slice(1).forEach((row, index) => expect(row.prev_hash).toBe(rows[index].hash));
    // Times follow the chain, in whole milliseconds.
    rows.slice(1).forEach((row, index) => expect(row.at.getTime()).toBeGreaterThanOrEqual(rows[index].at.getTime()));
    const [head] = await sql(
      t.app.database.dataSource,
      `SELECT last_seq, last_hash FROM audit_chain_head WHERE tenant_id = $1`,
      [tenant],
    );
    expect(head).toEqual({ last_seq: '12', last_hash: rows[11].hash });
    expect(await verifyAuditChains(t.app.database.dataSource, { tenantIds: [tenant] })).toEqual({
      ok: true,
      tenants: 1,
      rows: 12,
      problems: [],
    });
  });

  it('appends several entries of one change in order with one head lock, mixed with single appends, and the chain verifies', async () => {
    const tenant = uniqueTenant('audit-batch');
    const dataSource = t.app.database.dataSource;
    const entry = (step: number) => ({
      tenantId: tenant,
      actor: `staff-${step}`,
      action: 'test.step',
      detail: { step },
    });
    await Promise.all([
      createTenantDatabase(dataSource, tenant).transaction((manager) =>
        recordAudit(manager, [entry(1), entry(2), entry(3)]),
      ),
      createTenantDatabase(dataSource, tenant).transaction((manager) => recordAudit(manager, entry(4))),
      createTenantDatabase(dataSource, tenant).transaction((manager) => recordAudit(manager, [entry(5), entry(6)])),
    ]);
    await createTenantDatabase(dataSource, tenant).transaction((manager) => recordAudit(manager, []));
    const rows = await sql<{ seq: string; detail: { step: number } }[]>(
      dataSource,
      `SELECT seq, detail FROM audit_event WHERE tenant_id = $1 ORDER BY seq`,
      [tenant],
    );
    expect(rows.map((row) => Number(row.seq))).toEqual([1, 2, 3, 4, 5, 6]);
    // Each batch stays together and in its order, whichever transaction took the head first.
    const steps = rows.map((row) => row.detail.step);
    for (const batch of [
      [1, 2, 3],
      [5, 6],
    ])
      expect(steps.slice(steps.indexOf(batch[0]), steps.indexOf(batch[0]) + batch.length)).toEqual(batch);
    expect(await verifyAuditChains(dataSource, { tenantIds: [tenant] })).toEqual({
      ok: true,
      tenants: 1,
      rows: 6,
      problems: [],
    });
  });

  it('refuses a batch that mixes tenants, writing nothing', async () => {
    const tenant = uniqueTenant('audit-mixed');
    const dataSource = t.app.database.dataSource;
    await expect(
      createTenantDatabase(dataSource, tenant).transaction((manager) =>
        recordAudit(manager, [
          { tenantId: tenant, action: 'test.step' },
          { tenantId: `${tenant}-other`, action: 'test.step' },
        ]),
      ),
    ).rejects.toThrow("one call writes one tenant's chain");
    expect(await sql(dataSource, `SELECT seq FROM audit_event WHERE tenant_id = $1`, [tenant])).toEqual([]);
  });

  it.each([
    ['UPDATE', `UPDATE audit_event SET action = 'near_miss.nothing' WHERE tenant_id = $1`],
    ['DELETE', `DELETE FROM audit_event WHERE tenant_id = $1`],
    ['TRUNCATE', `TRUNCATE audit_event`],
    ['UPDATE of the chain head', `UPDATE audit_chain_head SET last_seq = last_seq - 1 WHERE tenant_id = $1`],
    ['DELETE of the chain head', `DELETE FROM audit_chain_head WHERE tenant_id = $1`],
  ])('refuses %s, even to the superuser', async (_case, statement) => {
    const tenant = uniqueTenant('audit');
    await appendMany(t.app.database.dataSource, tenant, 2);
    const parameters = statement.includes('$1') ? [tenant] : [];
    await expect(sql(t.app.database.dataSource, statement, parameters)).rejects.toThrow(
      /append-only|may only follow appended rows/,
    );
    expect(await chainOf(t.app.database.dataSource, tenant)).toHaveLength(2);
    expect((await verifyAuditChains(t.app.database.dataSource, { tenantIds: [tenant] })).ok).toBe(true);
  });

  it('refuses UPDATE and DELETE to the application role of requests', async () => {
    const tenant = uniqueTenant('audit');
    await appendMany(t.app.database.dataSource, tenant, 1);
    const db = createTenantDatabase(t.app.database.dataSource, tenant);
    await expect(
      db.transaction((manager) =>
        manager.query(`UPDATE audit_event SET actor = 'someone-else' WHERE tenant_id = $1`, [tenant]),
      ),
    ).rejects.toThrow(/append-only/);
    await expect(
      db.transaction((manager) => manager.query(`DELETE FROM audit_event WHERE tenant_id = $1`, [tenant])),
    ).rejects.toThrow(/append-only/);
  });

  it("refuses a row that does not continue its tenant's chain", async () => {
    const tenant = uniqueTenant('audit');
    await appendMany(t.app.database.dataSource, tenant, 1);
    const [last] = await chainOf(t.app.database.dataSource, tenant);
    const insert = (seq: number, prevHash: string) =>
      sql(
        t.app.database.dataSource,
        `INSERT INTO audit_event (tenant_id, seq, action, prev_hash, hash) VALUES ($1, $2, 'forged', $3, $4)`,
        [tenant, seq, prevHash, 'f'.repeat(64)],
      );
    await expect(insert(2, 'a'.repeat(64))).rejects.toThrow(/does not continue the chain head/);
    await expect(insert(3, last.hash)).rejects.toThrow(/does not continue the chain head/);
    expect(await chainOf(t.app.database.dataSource, tenant)).toHaveLength(1);
  });

  describe('the verifier', () => {
    it('finds an altered row', async () => {
      const tenant = uniqueTenant('audit');
      await appendMany(t.app.database.dataSource, tenant, 5);
      await tamper(t.app.database.dataSource, (manager) =>
        manager.query(
          `UPDATE audit_event SET detail = jsonb_set(detail, '{step}', '99') WHERE tenant_id = $1 AND seq = 3`,
          [tenant],
        ),
      );
      const report = await verifyAuditChains(t.app.database.dataSource, { tenantIds: [tenant] });
      expect(report.ok).toBe(false);
      expect(report.problems.map((problem) => [problem.kind, problem.seq])).toEqual([['ALTERED_ROW', 3]]);
    });

    it('finds an altered row whose hash was recomputed, at the row after it', async () => {
      const tenant = uniqueTenant('audit');
      await appendMany(t.app.database.dataSource, tenant, 4);
      await tamper(t.app.database.dataSource, (manager) =>
        manager.query(
          `UPDATE audit_event SET actor = 'someone-else', hash = repeat('b', 64) WHERE tenant_id = $1 AND seq = 2`,
          [tenant],
        ),
      );
      const report = await verifyAuditChains(t.app.database.dataSource, { tenantIds: [tenant] });
      expect(report.problems.map((problem) => [problem.kind, problem.seq])).toEqual([
        ['ALTERED_ROW', 2],
        ['BROKEN_LINK', 3],
      ]);
    });

    it('finds a removed row in the middle', async () => {
      const tenant = uniqueTenant('audit');
      await appendMany(t.app.database.dataSource, tenant, 5);
      await tamper(t.app.database.dataSource, (manager) =>
        manager.query(`DELETE FROM audit_event WHERE tenant_id = $1 AND seq = 2`, [tenant]),
      );
      const report = await verifyAuditChains(t.app.database.dataSource, { tenantIds: [tenant] });
      expect(report.problems.map((problem) => [problem.kind, problem.seq])).toEqual([
        ['MISSING_ROWS', 3],
        ['BROKEN_LINK', 3],
      ]);
    });

    it('finds a removed last row', async () => {
      const tenant = uniqueTenant('audit');
      await appendMany(t.app.database.dataSource, tenant, 3);
      await tamper(t.app.database.dataSource, (manager) =>
        manager.query(`DELETE FROM audit_event WHERE tenant_id = $1 AND seq = 3`, [tenant]),
      );
      const report = await verifyAuditChains(t.app.database.dataSource, { tenantIds: [tenant] });
      expect(report.rows).toBe(2);
      expect(report.problems).toEqual([expect.objectContaining({ tenantId: tenant, kind: 'HEAD_MISMATCH', seq: 3 })]);
    });

    it('checks every tenant when asked for none, and names only the tampered ones', async () => {
      const intact = uniqueTenant('audit');
      const broken = uniqueTenant('audit');
      await appendMany(t.app.database.dataSource, intact, 2);
      await appendMany(t.app.database.dataSource, broken, 2);
      await tamper(t.app.database.dataSource, (manager) =>
        manager.query(`DELETE FROM audit_event WHERE tenant_id = $1 AND seq = 1`, [broken]),
      );
      const report = await verifyAuditChains(t.app.database.dataSource);
      expect(report.tenants).toBeGreaterThanOrEqual(2);
      const tenantsWithProblems = new Set(report.problems.map((problem) => problem.tenantId));
      expect(tenantsWithProblems.has(broken)).toBe(true);
      expect(tenantsWithProblems.has(intact)).toBe(false);
    });
  });

  it("shows a near miss's timeline in order through GraphQL", async () => {
    const tenant = uniqueTenant('audit');
    const reporter = { tenant, sub: 'staff-reporter', roles: ['REPORTER' as const], services: ['north'] };
    const reported = await t.graphql(reportMutation, { input: medicationReport(), key: newKey() }, reporter);
    expect(reported.errors).toBeUndefined();
    const id: string = reported.data!.reportNearMiss.nearMiss.id;
    const db = createTenantDatabase(t.app.database.dataSource, tenant);
    for (const action of ['test.first', 'test.second', 'test.third']) {
      await db.transaction((manager) =>
        recordAudit(manager, {
          tenantId: tenant,
          nearMissId: id.toUpperCase(),
          actor: 'staff-lead',
          action,
          detail: { status: { from: 'A', to: 'B' } },
        }),
      );
    }
    const result = await t.graphql(
      `query($id: ID!) { nearMiss(id: $id) { timeline { at action actor { id } detail } } }`,
      { id },
      reporter,
    );
    expect(result.errors).toBeUndefined();
    const timeline: { at: string; action: string; actor: { id: string } | null; detail: unknown }[] =
      result.data!.nearMiss.timeline;
    expect(timeline.map((event) => event.action)).toEqual([
      'near_miss.reported',
      'test.first',
      'test.second',
      'test.third',
    ]);
    expect(timeline[1]).toMatchObject({ actor: { id: 'staff-lead' }, detail: { status: { from: 'A', to: 'B' } } });
    const times = timeline.map((event) => Date.parse(event.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect((await verifyAuditChains(t.app.database.dataSource, { tenantIds: [tenant] })).ok).toBe(true);
  });
});

describe('a long timeline', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.stop());

  it('lists the first 100 events of a near miss, in order, and the chain keeps them all', async () => {
    const tenant = uniqueTenant('audit-long');
    const reporter = { tenant, sub: 'staff-reporter', roles: ['REPORTER' as const], services: ['north'] };
    const reported = await t.graphql(reportMutation, { input: medicationReport(), key: newKey() }, reporter);
    expect(reported.errors).toBeUndefined();
    const id: string = reported.data!.reportNearMiss.nearMiss.id;
    const entries = Array.from({ length: 120 }, (_, index) => ({
      tenantId: tenant,
      nearMissId: id,
      action: `test.step_${String(index).padStart(3, '0')}`,
    }));
    await createTenantDatabase(t.app.database.dataSource, tenant).transaction((manager) =>
      recordAudit(manager, entries),
    );
    const result = await t.graphql(`query($id: ID!) { nearMiss(id: $id) { timeline { action } } }`, { id }, reporter);
    expect(result.errors).toBeUndefined();
    const actions = (result.data!.nearMiss.timeline as { action: string }[]).map((event) => event.action);
    expect(actions).toHaveLength(100);
    expect(actions[0]).toBe('near_miss.reported');
    expect(actions.slice(1)).toEqual(entries.slice(0, 99).map((entry) => entry.action));
    expect((await verifyAuditChains(t.app.database.dataSource, { tenantIds: [tenant] })).rows).toBe(121);
  });
});

describe('the audit chain migration', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.stop());

  it('chains the rows written before it, per tenant in id order, and new rows continue them', async () => {
    const dataSource = t.app.database.dataSource;
    const migration = new AuditChain1763900003000();
    const first = uniqueTenant('legacy');
    const second = uniqueTenant('legacy');
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await migration.down(runner);
      // Rows as the foundation wrote them: microsecond times, no chain.
      for (const [tenant, at, action] of [
        [first, '2026-01-02T03:04:05.123456Z', 'near_miss.reported'],
        [second, '2026-01-02T03:04:06.000001Z', 'near_miss.reported'],
        [first, '2026-01-02T03:04:07.999999Z', 'triage.rule_failed'],
      ]) {
        await runner.query(
          `INSERT INTO audit_event (tenant_id, at, actor, action, detail) VALUES ($1, $2, 'staff-1', $3, $4)`,
          [tenant, at, action, JSON.stringify({ b: 1, a: [2, 3] })],
        );
      }
      await migration.up(runner);
      // The tables are new: a later migration's grants on them, as it made them.
      await new WorkerRoles1763900013000().up(runner);
      await runner.commitTransaction();
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }

    const rows = await sql<{ tenant_id: string; seq: string; at: Date }[]>(
      dataSource,
      `SELECT tenant_id, seq, at FROM audit_event WHERE tenant_id = ANY($1::text[]) ORDER BY id`,
      [[first, second]],
    );
    expect(rows.map((row) => [row.tenant_id, row.seq, row.at.toISOString()])).toEqual([
      [first, '1', '2026-01-02T03:04:05.123Z'],
      [second, '1', '2026-01-02T03:04:06.000Z'],
      [first, '2', '2026-01-02T03:04:07.999Z'],
    ]);
    expect((await verifyAuditChains(dataSource)).problems).toEqual([]);

    await createTenantDatabase(dataSource, first).transaction((manager) =>
      recordAudit(manager, { tenantId: first, action: 'test.after_migration' }),
    );
    expect((await chainOf(dataSource, first)).map((row) => row.seq)).toEqual(['1', '2', '3']);
    expect(await verifyAuditChains(dataSource, { tenantIds: [first, second] })).toMatchObject({
      ok: true,
      tenants: 2,
      rows: 4,
    });
  });
});

import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { EntityManager } from 'typeorm';
import { createTenantDatabase } from '../../subgraph/database/tenant-scope';
import { loadByIds } from '../../subgraph/near-misses/near-miss.repository';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { startTestApp, testSecret, uniqueTenant, type Caller, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

const rowsFor = async (tenant: string) => {
  const [row] = await t.app.database.dataSource.query(
    `SELECT (SELECT count(*) FROM near_miss WHERE tenant_id = $1)::int AS near_misses,
            (SELECT count(*) FROM audit_event WHERE tenant_id = $1)::int AS audit_events,
            (SELECT count(*) FROM outbox_event WHERE tenant_id = $1)::int AS outbox_events,
            (SELECT count(*) FROM idempotency_key WHERE tenant_id = $1)::int AS keys`,
    [tenant],
  );
  return row as { near_misses: number; audit_events: number; outbox_events: number; keys: number };
};

describe('reportNearMiss', () => {
  it("saves a report with a per-tenant reference, the rules' suggestion, an audit and an outbox event", async () => {
    const tenant = uniqueTenant();
    const reporter: Caller = { tenant, sub: 'staff-7', roles: ['REPORTER'], services: ['north'] };
    const first = await t.graphql(reportMutation, { input: medicationReport(), key: newKey() }, reporter);
    expect(first.errors).toBeUndefined();
    const payload = first.data!.reportNearMiss;
    expect(payload).toMatchObject({ replayed: false, sameDay: true, suggestedRoute: 'MEDICATION_SAFETY_REVIEW' });
    expect(payload.nearMiss).toMatchObject({
      status: 'REPORTED',
      version: 1,
      serviceId: 'north',
      category: { key: 'medication' },
      person: { id: 'person-1' },
      reportedBy: { id: 'staff-7' },
    });
    expect(payload.nearMiss.reference).toMatch(new RegExp(`^NM-${new Date().getUTCFullYear()}-000001$`));

    const second = await t.graphql(reportMutation, { input: medicationReport(), key: newKey() }, reporter);
    expect(second.data!.reportNearMiss.nearMiss.reference).toMatch(/-000002$/);
    expect(await rowsFor(tenant)).toEqual({ near_misses: 2, audit_events: 2, outbox_events: 2, keys: 2 });

    const other = await t.graphql(
      reportMutation,
      { input: medicationReport(), key: newKey() },
      { ...reporter, tenant: uniqueTenant() },
    );
    expect(other.data!.reportNearMiss.nearMiss.reference).toMatch(/-000001$/);
  });

  it("is one transaction: the near miss in the payload is read back inside it, a replay's too", async () => {
    const reporter: Caller = { tenant: uniqueTenant(), roles: ['REPORTER'], services: ['north'] };
    const input = medicationReport();
    const transactionsOf = async (key: string) => {
      const before = t.statements.length;
      const result = await t.graphql(reportMutation, { input, key }, reporter);
      expect(result.errors).toBeUndefined();
      const transactions = t.statements
        .slice(before)
        .filter((sql) => /^\s*(START TRANSACTION|BEGIN)\b/i.test(sql)).length;
      return { transactions, nearMiss: result.data!.reportNearMiss.nearMiss };
    };
    const key = newKey();
    const first = await transactionsOf(key);
    expect(first).toMatchObject({
      transactions: 1,
      nearMiss: { status: 'REPORTED', version: 1, serviceId: 'north', reference: expect.stringMatching(/-000001$/) },
    });
    expect(await transactionsOf(key)).toEqual({ transactions: 1, nearMiss: first.nearMiss });
  });

  it('returns the first result for a retried key and refuses the key with another payload', async () => {
    const tenant = uniqueTenant();
    const reporter: Caller = { tenant, roles: ['REPORTER'], services: ['north'] };
    const key = newKey();
    const input = medicationReport();
    const first = await t.graphql(reportMutation, { input, key }, reporter);
    const retry = await t.graphql(reportMutation, { input, key }, reporter);
    expect(retry.data!.reportNearMiss.replayed).toBe(true);
    expect(retry.data!.reportNearMiss.nearMiss.id).toBe(first.data!.reportNearMiss.nearMiss.id);

    const changed = await t.graphql(
      reportMutation,
      { input: { ...input, whatHappened: 'Something else entirely' }, key },
      reporter,
    );
    expect(changed.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect((await rowsFor(tenant)).near_misses).toBe(1);
  });

  it('makes exactly one near miss from eight concurrent submissions with one key', async () => {
    const tenant = uniqueTenant();
    const reporter: Caller = { tenant, roles: ['REPORTER'], services: ['north'] };
    const key = newKey();
    const input = medicationReport();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => t.graphql(reportMutation, { input, key }, reporter)),
    );
    for (const result of results) expect(result.errors).toBeUndefined();
    const ids = new Set(results.map((result) => result.data!.reportNearMiss.nearMiss.id));
    expect(ids.size).toBe(1);
    expect(results.filter((result) => !result.data!.reportNearMiss.replayed)).toHaveLength(1);
    expect(await rowsFor(tenant)).toEqual({ near_misses: 1, audit_events: 1, outbox_events: 1, keys: 1 });
  });

  const badInputs: [string, Record<string, unknown>, string][] = [
    ['a missing required field', (({ whatHappened: _omitted, ...rest }) => rest)(medicationReport()), 'whatHappened'],
    ['an unknown category', medicationReport({ category: 'astrology' }), 'category'],
    ['a wrong type', medicationReport({ occurredAt: 'yesterday-ish' }), 'occurredAt'],
    ['a wrong enum value', medicationReport({ setting: 'BEACH' }), 'setting'],
    ['oversized text (200 kB)', medicationReport({ whatHappened: 'x'.repeat(200_000) }), 'whatHappened'],
    ['blank required text', medicationReport({ howDetected: '   ' }), 'howDetected'],
    [
      'a future occurrence',
      medicationReport({ occurredAt: new Date(Date.now() + 3_600_000).toISOString() }),
      'occurredAt',
    ],
    ['a missing category field', medicationReport({}, { medicationName: undefined }), 'details.medicationName'],
    ['a wrongly typed category field', medicationReport({}, { timeCritical: 'very' }), 'details.timeCritical'],
    ['oversized details', medicationReport({}, { notes: 'y'.repeat(200_000) }), 'details'],
    ['details that are not an object', medicationReport({ details: [1, 2, 3] }), 'details'],
    [
      'too many immediate actions',
      medicationReport({ immediateActions: Array.from({ length: 50 }, (_, i) => `action ${i}`) }),
      'immediateActions',
    ],
  ];

  it.each(badInputs)(
    'refuses %s with BAD_USER_INPUT naming the field and writes nothing',
    async (_kind, input, field) => {
      const tenant = uniqueTenant();
      const result = await t.graphql(
        reportMutation,
        { input, key: newKey() },
        { tenant, roles: ['REPORTER'], services: ['north'] },
      );
      expect(result.data?.reportNearMiss ?? null).toBeNull();
      const error = result.errors?.[0];
      expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error?.extensions?.fields.map((problem: { path: string }) => problem.path)).toContain(field);
      expect(await rowsFor(tenant)).toEqual({ near_misses: 0, audit_events: 0, outbox_events: 0, keys: 0 });
    },
  );

  it('refuses a short idempotency key', async () => {
    const result = await t.graphql(
      reportMutation,
      { input: medicationReport(), key: 'abc' },
      { tenant: uniqueTenant(), roles: ['REPORTER'] },
    );
    expect(result.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'idempotencyKey' }],
    });
  });

  it('refuses a report into a service outside the token (FORBIDDEN) and from roles that do not report', async () => {
    const tenant = uniqueTenant();
    const outside = await t.graphql(
      reportMutation,
      { input: medicationReport({ serviceId: 'south' }), key: newKey() },
      { tenant, roles: ['REPORTER'], services: ['north'] },
    );
    expect(outside.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const governance = await t.graphql(
      reportMutation,
      { input: medicationReport(), key: newKey() },
      { tenant, roles: ['GOVERNANCE'] },
    );
    expect(governance.errors?.[0]).toMatchObject({
      message: expect.stringContaining('nearMiss.report'),
      extensions: { code: 'FORBIDDEN' },
    });
    expect((await rowsFor(tenant)).near_misses).toBe(0);
  });
});

describe('authentication', () => {
  const query = '{ categories { key } }';
  const sign = (claims: Record<string, unknown>, secret = testSecret, expiresIn: string | number = '1h') =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('staff-1')
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(new TextEncoder().encode(secret));

  it.each([
    ['no token', undefined],
    ['a malformed header', 'Token abc'],
    [
      'a bad signature',
      async () =>
        `Bearer ${await sign({ tenant: 't', roles: ['REPORTER'], services: ['*'] }, 'another-secret-another-secret-another-secret')}`,
    ],
    [
      'an expired token',
      async () =>
        `Bearer ${await sign({ tenant: 't', roles: ['REPORTER'], services: ['*'] }, testSecret, Math.floor(Date.now() / 1000) - 3600)}`,
    ],
    ['missing claims', async () => `Bearer ${await sign({ roles: ['REPORTER'] })}`],
    ['an unknown role', async () => `Bearer ${await sign({ tenant: 't', roles: ['WIZARD'], services: ['*'] })}`],
    [
      'alg none',
      () =>
        Promise.resolve(
          `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', tenant: 't', roles: ['ADMIN'], services: ['*'], exp: 9999999999 })).toString('base64url')}.`,
        ),
    ],
  ])('answers UNAUTHENTICATED (401) for %s', async (_case, header) => {
    const authorization = typeof header === 'function' ? await header() : header;
    const result = await t.graphql(query, {}, authorization);
    expect(result.status).toBe(401);
    expect(result.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('serves /healthz and /readyz', async () => {
    const base = t.url.replace('/graphql', '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });
});

describe('reading a near miss by id', () => {
  /** Summed over a plan: the rows its scans read and threw away, and the indexes they used. */
  const planFacts = (plan: Record<string, unknown>): { removed: number; indexes: string[] } => {
    const children = ((plan.Plans as Record<string, unknown>[] | undefined) ?? []).map(planFacts);
    return {
      removed: Number(plan['Rows Removed by Filter'] ?? 0) + children.reduce((sum, child) => sum + child.removed, 0),
      indexes: [
        ...(typeof plan['Index Name'] === 'string' ? [plan['Index Name']] : []),
        ...children.flatMap((child) => child.indexes),
      ],
    };
  };

  it("reads it by primary key, not through its reporter's other reports, even under the report path's generic plans", async () => {
    const tenant = uniqueTenant();
    const { dataSource } = t.app.database;
    const [{ id }]: { id: string }[] = await dataSource.query(
      `INSERT INTO near_miss (tenant_id, reference, service_id, category, category_version, occurred_at, reported_by, setting, what_happened, how_detected,
         what_prevented_harm, prevention_reliability, immediate_actions, potential_harm, details, suggested_route, same_day, triage_due_at)
       SELECT $1, 'NM-2026-' || lpad(i::text, 6, '0'), 'north', 'medication', 1, now() - i * interval '1 hour', 'staff-busy', 'RESIDENTIAL', 'x', 'x',
              'x', 'SYSTEM_CONTROL', '{}', 'LOW', '{}', 'TREND_MONITORING', false, now()
         FROM generate_series(1, 3000) AS i
       RETURNING id`,
      [tenant],
    );
    // And as many reports by as many other reporters, so that one reporter looks rare to a plan that cannot see which.
    await dataSource.query(
      `INSERT INTO near_miss (tenant_id, reference, service_id, category, category_version, occurred_at, reported_by, setting, what_happened, how_detected,
         what_prevented_harm, prevention_reliability, immediate_actions, potential_harm, details, suggested_route, same_day, triage_due_at)
       SELECT $1, 'NM-2025-' || lpad(i::text, 6, '0'), 'north', 'medication', 1, now() - i * interval '1 hour', 'staff-' || i, 'RESIDENTIAL', 'x', 'x',
              'x', 'SYSTEM_CONTROL', '{}', 'LOW', '{}', 'TREND_MONITORING', false, now()
         FROM generate_series(1, 3000) AS i`,
      [tenant],
    );
    await dataSource.query('ANALYZE near_miss');
    const scope = { tenantId: tenant, serviceIds: '*' as const, reportedBy: 'staff-busy' };
    const db = createTenantDatabase(dataSource, tenant);
    const explained = await db.transaction(
      async (manager) => {
        expect((await manager.query('SHOW plan_cache_mode'))[0].plan_cache_mode).toBe('force_generic_plan');
        const sent: { sql: string; parameters: unknown[] }[] = [];
        await loadByIds(
          {
            query: (sql: string, parameters: unknown[]) => (sent.push({ sql, parameters }), Promise.resolve([])),
          } as unknown as EntityManager,
          scope,
          [id],
        );
        // As a prepared statement: EXPLAIN of a statement with parameters would plan it for their values.
        const name = `by_id_${randomBytes(4).toString('hex')}`;
        await manager.query(`PREPARE ${name} AS ${sent[0].sql}`);
        try {
          // EXECUTE takes no bind parameters: the values as literals (text, and arrays of uuids).
          const literal = (value: unknown) =>
            `'${(Array.isArray(value) ? `{${value.join(',')}}` : String(value)).replace(/'/g, "''")}'`;
          const [
            {
              'QUERY PLAN': [plan],
            },
          ] = await manager.query(
            `EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE ${name} (${sent[0].parameters.map(literal).join(', ')})`,
          );
          return { rows: await loadByIds(manager, scope, [id]), facts: planFacts(plan.Plan) };
        } finally {
          await manager.query(`DEALLOCATE ${name}`);
        }
      },
      { genericPlans: true },
    );
    expect(explained.rows).toEqual([expect.objectContaining({ id, reportedById: 'staff-busy' })]);
    expect(explained.facts.indexes).not.toContain('IDX_near_miss_tenant_reporter');
    expect(explained.facts.removed).toBeLessThanOrEqual(1);
    // Another reporter's scope does not see it; reads outside the report path plan each statement for its values.
    expect(
      await db.read(async (manager) => {
        expect((await manager.query('SHOW plan_cache_mode'))[0].plan_cache_mode).toBe('auto');
        return loadByIds(manager, { ...scope, reportedBy: 'staff-other' }, [id]);
      }),
    ).toEqual([null]);
  });

  it("runs tenant transactions without JIT or parallel workers (a tenant's rows are read in milliseconds), with generic plans only when asked", async () => {
    const db = createTenantDatabase(t.app.database.dataSource, uniqueTenant());
    const settings = `SELECT current_setting('jit') AS jit, current_setting('max_parallel_workers_per_gather') AS workers, current_setting('plan_cache_mode') AS plans`;
    expect((await db.read((manager) => manager.query(settings)))[0]).toEqual({
      jit: 'off',
      workers: '0',
      plans: 'auto',
    });
    expect((await db.transaction((manager) => manager.query(settings)))[0]).toEqual({
      jit: 'off',
      workers: '0',
      plans: 'auto',
    });
    expect((await db.transaction((manager) => manager.query(settings), { genericPlans: true }))[0]).toEqual({
      jit: 'off',
      workers: '0',
      plans: 'force_generic_plan',
    });
  });
});

import type { Principal } from '../../subgraph/auth/principal';
import { Role } from '../../subgraph/auth/role';
import { createTenantDatabase } from '../../subgraph/database/tenant-scope';
import { listCaps, loadNearMissIdsByAction } from '../../subgraph/corrective-actions/corrective-action.repository';
import { createRequestContext } from '../../subgraph/server/context';
import { queryLimits } from '../../subgraph/server/query-limits';
import { addActionMutation } from '../support/action-operations';
import { acknowledgeMutation, triageMutation } from '../support/lifecycle-operations';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { dataOf, startTestApp, uniqueTenant, type Caller, type TestApp } from '../support/test-app';

// Issue 18: a read that fans out through the unpaginated action lists, or an
// `_entities` batch of any size, is refused before execution; what is allowed
// stays answerable and /healthz keeps answering while it runs.

let t: TestApp;
const tenant = uniqueTenant('cost');
const reporter: Caller = { tenant, sub: 'staff-reporter', roles: ['REPORTER'] };
const manager: Caller = { tenant, sub: 'staff-manager', roles: ['MANAGER'] };
const nearMissIds: string[] = [];
const actionIds: string[] = [];
const generous = 1000;

const ok = async (query: string, variables: Record<string, unknown>, caller: Caller) =>
  dataOf(await t.graphql(query, variables, caller));

// 50 triaged near misses, each linked to the same 5 actions (the data).
beforeAll(async () => {
  t = await startTestApp({ env: { DATABASE_STATEMENT_TIMEOUT_MS: '4321' } });
  for (let index = 0; index < 50; index++) {
    const { nearMiss } = await ok(reportMutation, { input: medicationReport(), key: newKey() }, reporter);
    const acknowledged = await ok(acknowledgeMutation, { id: nearMiss.id, v: nearMiss.version }, manager);
    const input = {
      nearMissId: nearMiss.id,
      expectedVersion: acknowledged.version,
      route: 'MEDICATION_SAFETY_REVIEW',
      justCulture: 'SYSTEM_ISSUE',
      rationale: 'MAR layout',
    };
    await ok(triageMutation, { input }, manager);
    nearMissIds.push(nearMiss.id);
  }
  for (let index = 0; index < 5; index++) {
    const input = {
      nearMissIds,
      title: `Redesign the MAR ${index}`,
      ownerId: 'staff-owner',
      dueBy: new Date(Date.now() + 86_400_000).toISOString(),
      strength: 'STRONGER',
      evidenceRequired: ['MAR template'],
      target: 'No repeats in six weeks',
    };
    actionIds.push((await ok(addActionMutation, { input }, manager)).id);
  }
}, 120_000);
afterAll(async () => t?.stop());

const fanOut = /* GraphQL */ `
  query FanOut($first: Int) {
    nearMisses(first: $first) {
      edges {
        node {
          correctiveActions {
            nearMisses {
              correctiveActions {
                nearMisses {
                  id
                }
              }
            }
          }
        }
      }
    }
  }
`;

/** Sends a request and times it; `statements` are the SQL statements it ran. */
async function timed(query: string, variables: Record<string, unknown>) {
  t.statements.length = 0;
  const started = performance.now();
  const result = await t.graphql(query, variables, manager);
  return { result, elapsed: performance.now() - started, statements: [...t.statements] };
}

describe('query cost that matches the data', () => {
  it.each([
    ['a variable', fanOut, { first: 100 }],
    ['a literal', fanOut.replace('($first: Int)', '').replace('$first', '100'), {}],
    ['the default', fanOut.replace('(first: $first)', '').replace('($first: Int)', ''), {}],
  ])('refuses the fan-out query with first as %s, fast and before any SQL', async (_, query, variables) => {
    const { result, elapsed, statements } = await timed(query, variables);
    expect(result.status).toBe(400);
    expect(result.data).toBeUndefined();
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(new RegExp(`^Query cost limit of ${queryLimits.maxCost} exceeded, found \\d+`)),
        extensions: expect.objectContaining({
          code: 'BAD_USER_INPUT',
          fields: [{ path: 'query', message: expect.stringContaining('cost') }],
        }),
      }),
    ]);
    expect(statements).toEqual([]);
    expect(elapsed).toBeLessThan(generous);
  });

  it('serves a deep but small query: a page of near misses with their actions and what those answer', async () => {
    const result = await t.graphql(
      `query($first: Int) { nearMisses(first: $first) { edges { node { id correctiveActions { id title nearMisses { id } } } } } }`,
      { first: 5 },
      manager,
    );
    expect(result.errors).toBeUndefined();
    const nodes = result.data!.nearMisses.edges.map((edge: { node: unknown }) => edge.node);
    expect(nodes).toHaveLength(5);
    for (const node of nodes) {
      expect(node.correctiveActions.map((action: { id: string }) => action.id).sort()).toEqual([...actionIds].sort());
      for (const action of node.correctiveActions) expect(action.nearMisses).toHaveLength(50);
    }
  });

  it('caps the linked near misses of an action in SQL, per action', async () => {
    expect(listCaps.nearMissesPerAction).toBeGreaterThanOrEqual(50);
    const db = createTenantDatabase(t.app.database.dataSource, tenant);
    const capped = await db.read((tx) => loadNearMissIdsByAction(tx, tenant, actionIds, 3));
    expect(capped.map((ids) => ids.length)).toEqual([3, 3, 3, 3, 3]);
    const all = await db.read((tx) => loadNearMissIdsByAction(tx, tenant, actionIds));
    expect(all.map((ids) => ids.length)).toEqual([50, 50, 50, 50, 50]);
    expect(capped[0]).toEqual(all[0].slice(0, 3));
  });
});

describe('_entities', () => {
  const entities = `query($r: [_Any!]!) { _entities(representations: $r) { ... on NearMiss { id reference } } }`;
  const representations = (count: number) =>
    Array.from({ length: count }, (_, index) => ({ __typename: 'NearMiss', id: nearMissIds[index % 50] }));

  it('refuses 5,000 representations fast, before any SQL, naming the limit', async () => {
    const { result, elapsed, statements } = await timed(entities, { r: representations(5000) });
    expect(result.status).toBe(400);
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: `_entities representations limit of ${t.app.services.config.requestLimits.maxEntityRepresentations} exceeded, found 5000.`,
        extensions: expect.objectContaining({
          code: 'BAD_USER_INPUT',
          fields: [expect.objectContaining({ path: 'representations' })],
        }),
      }),
    ]);
    expect(statements).toEqual([]);
    expect(elapsed).toBeLessThan(generous);
  });

  it('counts representations across aliased _entities fields', async () => {
    const twice = `query($r: [_Any!]!) { a: _entities(representations: $r) { __typename } b: _entities(representations: $r) { __typename } }`;
    const result = await t.graphql(twice, { r: representations(501) }, manager);
    expect(result.errors?.[0].message).toMatch(/^_entities representations limit of 1000 exceeded, found 1002/);
  });

  it('serves 1,000 representations (the default limit)', async () => {
    const result = await t.graphql(entities, { r: representations(1000) }, manager);
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toHaveLength(1000);
  });
});

describe('time budget', () => {
  it("sets the configured statement_timeout in a request's transactions", async () => {
    const principal: Principal = { staffId: 'staff-manager', tenantId: tenant, roles: [Role.MANAGER], services: '*' };
    const context = createRequestContext(t.app.services, principal, 'request-1');
    const [{ statement_timeout }] = await context.db.read((tx) => tx.query('SHOW statement_timeout'));
    expect(statement_timeout).toBe('4321ms');
  });

  (process.env.DATABASE_URL ? it : it.skip)('cancels a statement that runs past it (server)', async () => {
    const db = createTenantDatabase(t.app.database.dataSource, tenant, { statementTimeoutMs: 50 });
    await expect(db.read((tx) => tx.query('SELECT pg_sleep(5)'))).rejects.toThrow(/statement timeout/);
  });
});

describe('liveness under load', () => {
  it('keeps /healthz answering while the heaviest allowed queries run', async () => {
    // Near the budget (~288k): 19 near misses x 50 actions x 100 linked near misses, as the cost counts them.
    const heavy = `query($first: Int) { nearMisses(first: $first) { edges { node { id reference correctiveActions {
      id title nearMisses { id reference } } } } } }`;
    let running = 0;
    const queries = Array.from({ length: 4 }, async () => {
      running += 1;
      try {
        return await t.graphql(heavy, { first: 19 }, manager);
      } finally {
        running -= 1;
      }
    });
    const healthUrl = new URL('/healthz', t.url).toString();
    const answers: { status: number; during: boolean }[] = [];
    const poll = (async () => {
      while (running > 0) {
        const response = await fetch(healthUrl);
        answers.push({ status: response.status, during: running > 0 });
        await response.text();
      }
    })();
    const results = await Promise.all(queries);
    await poll;
    for (const result of results) {
      expect(result.errors).toBeUndefined();
      expect(result.data!.nearMisses.edges).toHaveLength(19);
    }
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(answers.some((answer) => answer.during)).toBe(true);
  });
});

import { bulkLoadTenant } from '../../bench/bulk-load';
import { generateTenant } from '../../bench/synthetic-world';
import { verifyAuditChains } from '../../subgraph/audit/audit-chain-verifier';
import { repeatKeys } from '../../subgraph/patterns/repeat-trigger-keys';
import { similarityKey } from '../../subgraph/patterns/similarity-key';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { startTestApp, uniqueTenant, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

const day = 24 * 60 * 60 * 1000;

describe('the bulk path behind npm run seed', () => {
  it('writes what the report service, the repeat trigger and the learning loop would have: every invariant holds', async () => {
    const now = new Date();
    const registry = t.app.services.registry;
    const world = generateTenant(
      {
        seed: 3,
        tenants: 1,
        nearMisses: 600,
        from: new Date(now.getTime() - 120 * day),
        to: now,
        tenantPrefix: uniqueTenant('bulk'),
      },
      0,
      registry.list(),
      600,
    );
    const tenant = world.tenantId;
    const result = await bulkLoadTenant(t.app.database.dataSource, registry, world, {
      now,
      lifecycle: true,
      audit: true,
      seed: 3,
      secret: t.app.services.config.pseudonymisationSecret,
    });
    expect(result.nearMisses).toBe(600);
    expect(result.reviews).toBeGreaterThan(0);
    const query = (sql: string) => t.app.database.dataSource.query(sql, [tenant]);

    // The audit trail is one intact hash chain.
    expect((await verifyAuditChains(t.app.database.dataSource, { tenantIds: [tenant] })).ok).toBe(true);
    // References count up per year, and the counters continue from them.
    const references: { year: number; count: number; last: number }[] = await query(
      `SELECT c.year, c.last_value AS last, (SELECT count(*)::int FROM near_miss n WHERE n.tenant_id = c.tenant_id AND n.reference LIKE 'NM-' || c.year || '-%') AS count
       FROM reference_counter c WHERE c.tenant_id = $1`,
    );
    for (const row of references) expect(row.last).toBe(row.count);
    // One similarity row per key of every near miss.
    const expectedKeys = world.nearMisses.reduce((sum, item) => {
      const definition = registry.get(item.category)!.definition;
      const facts = { ...item, details: item.details };
      const keying = { secret: t.app.services.config.pseudonymisationSecret, tenantId: tenant };
      return sum + repeatKeys(definition, facts, similarityKey(definition, facts, keying)).length;
    }, 0);
    expect((await query(`SELECT count(*)::int AS count FROM near_miss_similarity WHERE tenant_id = $1`))[0].count).toBe(
      expectedKeys,
    );
    // Every review holds at least the threshold of near misses, including the one that opened it; open keys belong to open reviews only.
    const reviews: { status: string; members: number; opener_is_member: boolean; open_keys: number }[] = await query(
      `SELECT r.status, (SELECT count(*)::int FROM risk_review_near_miss m WHERE m.review_id = r.id) AS members,
              EXISTS (SELECT 1 FROM risk_review_near_miss m WHERE m.review_id = r.id AND m.near_miss_id = r.opened_by_near_miss_id) AS opener_is_member,
              (SELECT count(*)::int FROM risk_review_key k WHERE k.review_id = r.id AND k.open) AS open_keys
       FROM risk_review r WHERE r.tenant_id = $1`,
    );
    for (const review of reviews) {
      expect(review.members).toBeGreaterThanOrEqual(3);
      expect(review.opener_is_member).toBe(true);
      expect(review.open_keys > 0).toBe(review.status === 'OPEN');
    }
    // Statuses match the learning loop's records.
    const [statuses]: Record<string, number>[] = await query(
      `SELECT count(*) FILTER (WHERE status NOT IN ('REPORTED', 'ACKNOWLEDGED') AND NOT EXISTS (SELECT 1 FROM near_miss_triage t WHERE t.near_miss_id = n.id))::int AS untriaged_but_moved,
              count(*) FILTER (WHERE status IN ('REPORTED', 'ACKNOWLEDGED') AND EXISTS (SELECT 1 FROM near_miss_triage t WHERE t.near_miss_id = n.id))::int AS triaged_but_waiting,
              count(*) FILTER (WHERE status = 'CLOSED' AND closed_at IS NULL)::int AS closed_without_time,
              count(*) FILTER (WHERE status = 'CLOSED')::int AS closed
       FROM near_miss n WHERE tenant_id = $1`,
    );
    expect(statuses).toMatchObject({ untriaged_but_moved: 0, triaged_but_waiting: 0, closed_without_time: 0 });
    expect(statuses.closed).toBeGreaterThan(0);

    // Closed near misses have every gate done (as the lifecycle reads them), and new reports continue the sequence.
    const manager = { tenant, sub: 'manager-1', roles: ['MANAGER' as const] };
    const closed = await t.graphql(
      `{ nearMisses(first: 100, filter: { statuses: [CLOSED] }) { edges { node { gates { done } } } } }`,
      {},
      manager,
    );
    expect(closed.errors).toBeUndefined();
    expect(
      closed
        .data!.nearMisses.edges.flatMap((edge: { node: { gates: { done: boolean }[] } }) => edge.node.gates)
        .every((gate: { done: boolean }) => gate.done),
    ).toBe(true);
    const next = await t.graphql(
      reportMutation,
      { input: medicationReport({ serviceId: world.services[0] }), key: newKey() },
      { tenant, roles: ['REPORTER'], services: ['*'] },
    );
    const year = now.getUTCFullYear();
    const last = references.find((row) => row.year === year)?.last ?? 0;
    expect(next.data!.reportNearMiss.nearMiss.reference).toBe(`NM-${year}-${String(last + 1).padStart(6, '0')}`);
  });
});

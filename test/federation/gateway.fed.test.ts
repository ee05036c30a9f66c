import { startFederatedWorld, type FederatedWorld } from '../support/federated-world';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { uniqueTenant, type Caller, type TestApp } from '../support/test-app';

let world: FederatedWorld;
let t: TestApp;
beforeAll(async () => {
  world = await startFederatedWorld();
  t = world.subgraph;
});
afterAll(async () => world?.stop());

const viaGateway = (query: string, variables: Record<string, unknown>, caller: Caller) =>
  world.viaGateway(query, variables, caller);

const personQuery = /* GraphQL */ `
  query Person($id: ID!) {
    person(id: $id) {
      name
      nearMisses {
        totalCount
        edges {
          node {
            id
            reference
            reportedBy {
              id
              name
            }
            person {
              name
            }
            category {
              key
            }
          }
        }
      }
    }
  }
`;

describe('through a real gateway', () => {
  const tenant = uniqueTenant('fed');
  const reporter: Caller = { tenant, sub: 'staff-7', roles: ['REPORTER'], services: ['north'] };
  const supervisor: Caller = { tenant, sub: 'staff-8', roles: ['SUPERVISOR'], services: ['north'] };
  let nearMissId: string;

  beforeAll(async () => {
    const result = await viaGateway(
      reportMutation,
      {
        input: medicationReport({
          visitId: 'visit-1',
          shiftId: 'shift-1',
          medicationRecordId: 'mar-1',
          carePlanId: 'plan-1',
          staffInvolvedIds: ['staff-9'],
        }),
        key: newKey(),
      },
      reporter,
    );
    expect(result.errors).toBeUndefined();
    nearMissId = result.data!.reportNearMiss.nearMiss.id;
  });

  it('shows a report on person { nearMisses } to a supervisor of the same tenant and service, joined with host fields', async () => {
    const result = await viaGateway(personQuery, { id: 'person-1' }, supervisor);
    expect(result.errors).toBeUndefined();
    expect(result.data!.person.name).toBe('Ada Lovelace');
    expect(result.data!.person.nearMisses.totalCount).toBe(1);
    expect(result.data!.person.nearMisses.edges[0].node).toMatchObject({
      id: nearMissId,
      reportedBy: { id: 'staff-7', name: 'Sam Carer' },
      person: { name: 'Ada Lovelace' },
      category: { key: 'medication' },
    });
  });

  it('links visits, shifts, MAR entries, care plans and the reporter both ways', async () => {
    const result = await viaGateway(
      /* GraphQL */ `{
        visit(id: "visit-1") { scheduledStart nearMisses { id } }
        shift(id: "shift-1") { startsAt nearMisses { id } }
        medicationRecord(id: "mar-1") { timeCritical nearMisses { id } }
        carePlan(id: "plan-1") { lastReviewedAt nearMisses { id } }
        staff(id: "staff-7") { name nearMissesReported { totalCount edges { node { id } } } }
        nearMiss(id: "${'$ID'}") { id }
      }`.replace('$ID', nearMissId),
      {},
      supervisor,
    );
    expect(result.errors).toBeUndefined();
    for (const field of ['visit', 'shift', 'medicationRecord', 'carePlan'])
      expect(result.data![field].nearMisses).toEqual([{ id: nearMissId }]);
    expect(result.data!.staff.nearMissesReported.totalCount).toBe(1);
    expect(result.data!.nearMiss).toEqual({ id: nearMissId });
  });

  it('shows nothing to another tenant: by id, by list, by host entity and by _entities', async () => {
    const outsider: Caller = { tenant: uniqueTenant('other'), sub: 'staff-8', roles: ['ADMIN'], services: ['*'] };
    const byPerson = await viaGateway(personQuery, { id: 'person-1' }, outsider);
    expect(byPerson.data!.person.nearMisses).toEqual({ totalCount: 0, edges: [] });
    const byId = await viaGateway(
      `{ nearMiss(id: "${nearMissId}") { id } nearMisses { totalCount edges { node { id } } } visit(id: "visit-1") { nearMisses { id } } }`,
      {},
      outsider,
    );
    expect(byId.data).toMatchObject({
      nearMiss: null,
      nearMisses: { totalCount: 0, edges: [] },
      visit: { nearMisses: [] },
    });
    const entities = await t.graphql(
      `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on NearMiss { id } } }`,
      { representations: [{ __typename: 'NearMiss', id: nearMissId }] },
      outsider,
    );
    expect(entities.errors).toBeUndefined();
    expect(entities.data!._entities).toEqual([null]);
  });

  it('shows nothing to a supervisor of another service of the same tenant, and only their own reports to a reporter', async () => {
    const southSupervisor: Caller = { tenant, sub: 'staff-10', roles: ['SUPERVISOR'], services: ['south'] };
    expect(
      (await viaGateway(personQuery, { id: 'person-1' }, southSupervisor)).data!.person.nearMisses.totalCount,
    ).toBe(0);
    const peer: Caller = { tenant, sub: 'staff-11', roles: ['REPORTER'], services: ['north'] };
    expect((await viaGateway(personQuery, { id: 'person-1' }, peer)).data!.person.nearMisses.totalCount).toBe(0);
    expect((await viaGateway(personQuery, { id: 'person-1' }, reporter)).data!.person.nearMisses.totalCount).toBe(1);
  });

  it('answers UNAUTHENTICATED through the gateway without a token', async () => {
    const result = await world.viaGateway(personQuery, { id: 'person-1' });
    expect(JSON.stringify(result.errors)).toContain('UNAUTHENTICATED');
  });
});

describe('_entities batches', () => {
  it('resolves 100 Person representations with nearMisses { totalCount } in a bounded number of SQL statements', async () => {
    const tenant = uniqueTenant('batch');
    const reporter: Caller = { tenant, roles: ['REPORTER'], services: ['north'] };
    for (const personId of ['person-0', 'person-1', 'person-2']) {
      await t.graphql(reportMutation, { input: medicationReport({ personId }), key: newKey() }, reporter);
    }
    const representations = Array.from({ length: 100 }, (_, index) => ({
      __typename: 'Person',
      id: `person-${index}`,
    }));
    t.statements.length = 0;
    const result = await t.graphql(
      `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Person { id nearMisses { totalCount edges { node { reference } } } } } }`,
      { representations },
      { tenant, roles: ['SUPERVISOR'], services: ['north'] },
    );
    expect(result.errors).toBeUndefined();
    const counts = result.data!._entities.map(
      (entity: { nearMisses: { totalCount: number } }) => entity.nearMisses.totalCount,
    );
    expect(counts.slice(0, 4)).toEqual([1, 1, 1, 0]);
    expect(counts.reduce((sum: number, count: number) => sum + count, 0)).toBe(3);
    const statements = [...t.statements];
    const dataStatements = statements.filter((sql) => /^\s*SELECT/i.test(sql) && !/set_config/.test(sql));
    // Two data statements (one page query, one count query) plus transaction framing, whatever the batch size.
    expect(dataStatements).toHaveLength(2);
    expect(statements.length).toBeLessThanOrEqual(10);
    console.log(
      `100-representation _entities batch: ${dataStatements.length} data statements, ${statements.length} statements in all`,
    );
  });
});

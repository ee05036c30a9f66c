import { queryLimits } from '../../subgraph/server/query-limits';
import { startFederatedWorld, type FederatedWorld } from '../support/federated-world';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { uniqueTenant, type Caller } from '../support/test-app';

// The subgraph's depth, alias and cost limits count from `_entities`: the
// gateway's own fetches for a deep cross-subgraph query pass, a depth-20 query
// or a fan-out through the nested lists is refused whichever way it comes.

let world: FederatedWorld;
const tenant = uniqueTenant('deep');
const reporter: Caller = { tenant, sub: 'staff-7', roles: ['REPORTER'], services: ['north'] };
const supervisor: Caller = { tenant, sub: 'staff-8', roles: ['SUPERVISOR'], services: ['north'] };

beforeAll(async () => {
  world = await startFederatedWorld();
  for (let index = 0; index < 2; index++) {
    const result = await world.viaGateway(reportMutation, { input: medicationReport(), key: newKey() }, reporter);
    expect(result.errors).toBeUndefined();
  }
});
afterAll(async () => world?.stop());

// 11 levels, crossing between the host suite and this subgraph six times. The
// query planner keeps whatever this subgraph can resolve in one fetch, so its
// `_entities` fetch is 11 levels deep too (`_entities` counting as the first).
const deepQuery = /* GraphQL */ `
  query Deep($id: ID!) {
    person(id: $id) {
      name
      nearMisses {
        totalCount
        edges {
          node {
            reference
            reportedBy {
              name
              nearMissesReported {
                totalCount
                edges {
                  node {
                    reference
                    person {
                      name
                    }
                    timeline {
                      action
                      actor {
                        name
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
`;

/** `person { nearMisses { edges { node { person { nearMisses ... } } } } }`, `depth` levels from the gateway's root. */
function gatewayQueryOfDepth(depth: number): string {
  const cycle = ['nearMisses', 'edges', 'node', 'person'];
  const levels = ['person(id: "person-1")'];
  while (levels.length < depth - 1) levels.push(cycle[(levels.length - 1) % cycle.length]);
  return `{ ${levels.map((field) => `${field} {`).join(' ')} __typename ${'}'.repeat(levels.length)} }`;
}

describe('query limits behind a real gateway', () => {
  it('serves an 11-level query that crosses subgraphs six times', async () => {
    const result = await world.viaGateway(deepQuery, { id: 'person-1' }, supervisor);
    expect(result.errors).toBeUndefined();
    const person = result.data!.person;
    expect(person.name).toBe('Ada Lovelace');
    expect(person.nearMisses.totalCount).toBe(2);
    const reportedBy = person.nearMisses.edges[0].node.reportedBy;
    expect(reportedBy).toMatchObject({ name: 'Sam Carer', nearMissesReported: { totalCount: 2 } });
    const inner = reportedBy.nearMissesReported.edges[0].node;
    expect(inner.person).toEqual({ name: 'Ada Lovelace' });
    expect(inner.timeline[0]).toEqual({ action: 'near_miss.reported', actor: { name: 'Sam Carer' } });
  });

  it('refuses a depth-20 query through the gateway, naming the limit', async () => {
    const result = await world.viaGateway(gatewayQueryOfDepth(20), {}, supervisor);
    expect(result.data?.person?.nearMisses ?? null).toBeNull();
    expect(JSON.stringify(result.errors)).toContain(`Query depth limit of ${queryLimits.maxDepth} exceeded`);
  });

  it('refuses a 15-level _entities fetch sent straight to the subgraph', async () => {
    const direct = await world.subgraph.graphql(
      /* GraphQL */ `
        query ($r: [_Any!]!) {
          _entities(representations: $r) {
            ... on Person {
              nearMisses {
                edges {
                  node {
                    reportedBy {
                      nearMissesReported {
                        edges {
                          node {
                            person {
                              nearMisses {
                                edges {
                                  node {
                                    timeline {
                                      actor {
                                        id
                                      }
                                    }
                                  }
                                }
                              }
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      `,
      { r: [{ __typename: 'Person', id: 'person-1' }] },
      supervisor,
    );
    expect(direct.status).toBe(400);
    expect(direct.errors?.[0].message).toBe(`Query depth limit of ${queryLimits.maxDepth} exceeded, found 15.`);
  });

  it('serves a 100-representation _entities batch from the gateway side of the limits', async () => {
    const representations = Array.from({ length: 100 }, (_, index) => ({
      __typename: 'Person',
      id: `person-${index}`,
    }));
    const result = await world.subgraph.graphql(
      `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Person { id nearMisses { totalCount edges { node { reference reportedBy { id } } } } } } }`,
      { representations },
      supervisor,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toHaveLength(100);
  });

  it('refuses the fan-out query of issue 18 through the gateway with a coded error', async () => {
    const result = await world.viaGateway(
      `query($first: Int) { nearMisses(first: $first) { edges { node { correctiveActions { nearMisses {
        correctiveActions { nearMisses { id } } } } } } } }`,
      { first: 100 },
      supervisor,
    );
    expect(result.data?.nearMisses ?? null).toBeNull();
    // The gateway wraps a subgraph's 400 (as it does the depth limit's) and keeps its errors.
    const errors = JSON.stringify(result.errors);
    expect(errors).toContain(`Query cost limit of ${queryLimits.maxCost} exceeded`);
    expect(errors).toContain('"code":"BAD_USER_INPUT"');
  });

  it("refuses a person fan-out whose first is a variable, from the gateway's _entities fetch", async () => {
    // The gateway sends `_entities` with `first` as a literal or variable; either way it is counted.
    const result = await world.viaGateway(
      `query($first: Int) { person(id: "person-1") { nearMisses(first: $first) { edges { node {
        correctiveActions { nearMisses { correctiveActions { id } } } } } } } }`,
      { first: 100 },
      supervisor,
    );
    expect(JSON.stringify(result.errors)).toContain(`Query cost limit of ${queryLimits.maxCost} exceeded`);
  });

  it('refuses a 5,000-representation _entities batch sent straight to the subgraph, before any SQL', async () => {
    const representations = Array.from({ length: 5000 }, (_, index) => ({
      __typename: 'Person',
      id: `person-${index}`,
    }));
    world.subgraph.statements.length = 0;
    const started = performance.now();
    const result = await world.subgraph.graphql(
      `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Person { id nearMisses { totalCount } } } }`,
      { representations },
      supervisor,
    );
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]).toMatchObject({
      message: '_entities representations limit of 1000 exceeded, found 5000.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(world.subgraph.statements).toEqual([]);
  });
});

import { startFederatedWorld, type FederatedWorld } from '../support/federated-world';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { uniqueTenant, type Caller } from '../support/test-app';

let world: FederatedWorld;
beforeAll(async () => {
  world = await startFederatedWorld();
});
afterAll(async () => world?.stop());

// The test host answers any id, naming unknown ones after the id ("Staff <id>"): what it was asked shows.
const hostView = /* GraphQL */ `
  {
    nearMisses(first: 5) {
      edges {
        node {
          reportedBy {
            id
            name
          }
          person {
            id
            name
          }
          visit {
            id
          }
        }
      }
    }
  }
`;

describe('pseudonyms through the gateway', () => {
  it('hands the host only pseudonyms for ANALYST callers, and real ids for the others', async () => {
    const tenant = uniqueTenant('fed-pseudonyms');
    const reporter: Caller = { tenant, sub: 'staff-7', roles: ['REPORTER'], services: ['north'] };
    const reported = await world.subgraph.graphql(
      reportMutation,
      { input: medicationReport({ personId: 'person-2', visitId: 'visit-77' }), key: newKey() },
      reporter,
    );
    expect(reported.errors).toBeUndefined();

    const analyst = await world.viaGateway(hostView, {}, { tenant, sub: 'analyst-1', roles: ['ANALYST'] });
    expect(analyst.errors).toBeUndefined();
    const seen = analyst.data!.nearMisses.edges[0].node;
    expect(seen.reportedBy.id).toMatch(/^stf_/);
    // The host was asked about the pseudonym, never the real member of staff or person.
    expect(seen.reportedBy.name).toBe(`Staff ${seen.reportedBy.id}`);
    expect(seen.person.id).toMatch(/^psn_/);
    expect(seen.person.name).toBe(`Person ${seen.person.id}`);
    expect(seen.visit.id).toMatch(/^vst_/);
    expect(JSON.stringify(analyst.data)).not.toMatch(/staff-7|person-2|visit-77|Sam Carer|Grace Hopper/);

    const manager = await world.viaGateway(hostView, {}, { tenant, sub: 'manager-1', roles: ['MANAGER'] });
    expect(manager.data!.nearMisses.edges[0].node).toMatchObject({
      reportedBy: { id: 'staff-7', name: 'Sam Carer' },
      person: { id: 'person-2', name: 'Grace Hopper' },
      visit: { id: 'visit-77' },
    });
  });
});

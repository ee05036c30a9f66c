import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeSupergraph, readRoverConfig } from '../../subgraph/federation/supergraph';
import { printSubgraphSdl } from '../../subgraph/server/print-subgraph-sdl';

const root = join(__dirname, '..', '..');

describe('supergraph', () => {
  it('composes from rover.yaml (host suite + this subgraph) without errors', () => {
    const subgraphs = readRoverConfig(join(root, 'rover.yaml'));
    expect(subgraphs.map((subgraph) => subgraph.name).sort()).toEqual(['care-suite', 'near-miss']);
    const supergraph = composeSupergraph(subgraphs);
    expect(supergraph).toMatch(/type Person\s+@join__type/);
    expect(supergraph).toContain('nearMisses');
  });

  it('has a checked-in schema/near-miss.graphql that matches the code (run `npm run schema` when this fails)', async () => {
    const checkedIn = readFileSync(join(root, 'schema', 'near-miss.graphql'), 'utf8');
    expect(checkedIn).toBe(await printSubgraphSdl());
  });

  it('publishes every host entity and NearMiss as a resolvable @key entity', async () => {
    const sdl = await printSubgraphSdl();
    for (const type of ['Person', 'Staff', 'Visit', 'MedicationRecord', 'Shift', 'CarePlan', 'NearMiss']) {
      expect(sdl).toMatch(new RegExp(`type ${type}\\s+@key\\(fields: "id"\\)`));
    }
  });
});

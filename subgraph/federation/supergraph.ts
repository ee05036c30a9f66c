import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const roverConfigSchema = z.object({
  subgraphs: z.record(z.string(), z.object({ routing_url: z.string(), schema: z.object({ file: z.string() }) })),
});

export interface SubgraphSource {
  name: string;
  url: string;
  sdl: string;
}

/** The subgraphs listed in rover.yaml, with their SDL read from disk. */
export function readRoverConfig(file: string): SubgraphSource[] {
  const config = roverConfigSchema.parse(parseYaml(readFileSync(file, 'utf8')));
  return Object.entries(config.subgraphs).map(([name, subgraph]) => ({
    name,
    url: subgraph.routing_url,
    sdl: readFileSync(resolve(dirname(file), subgraph.schema.file), 'utf8'),
  }));
}

/** Composes a supergraph; throws with every composition error. */
export function composeSupergraph(subgraphs: SubgraphSource[]): string {
  const result = composeServices(
    subgraphs.map((subgraph) => ({ name: subgraph.name, url: subgraph.url, typeDefs: parse(subgraph.sdl) })),
  );
  if (result.errors)
    throw new Error(`Composition failed:\n${result.errors.map((error) => `  - ${error.message}`).join('\n')}`);
  return result.supergraphSdl;
}

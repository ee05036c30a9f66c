import { resolve } from 'node:path';
import { composeSupergraph, readRoverConfig } from './supergraph';

// npm run supergraph: composes rover.yaml and prints the supergraph SDL.
try {
  process.stdout.write(composeSupergraph(readRoverConfig(resolve(process.cwd(), 'rover.yaml'))));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

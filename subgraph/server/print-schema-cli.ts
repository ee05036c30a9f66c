import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printSubgraphSdl } from './print-subgraph-sdl';

// npm run schema: re-prints schema/near-miss.graphql from the code.
printSubgraphSdl()
  .then((sdl) => {
    const file = join(process.cwd(), 'schema', 'near-miss.graphql');
    writeFileSync(file, sdl);
    process.stdout.write(`Wrote ${file}\n`);
  })
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });

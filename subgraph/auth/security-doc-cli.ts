import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withRoleMatrix } from './security-doc';

// npm run docs:security: regenerates the role-matrix section of docs/security.md.
const file = join(process.cwd(), 'docs', 'security.md');
writeFileSync(file, withRoleMatrix(readFileSync(file, 'utf8')));
process.stdout.write(`Wrote the role matrix into ${file}\n`);

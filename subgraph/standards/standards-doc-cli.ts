import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCategoryRegistry } from '../categories/plugin-loader';
import { withStandardsTables } from './standards-doc';

// npm run docs:standards: regenerates the generated tables of docs/standards.md (built-in categories only).
const file = join(process.cwd(), 'docs', 'standards.md');
writeFileSync(file, withStandardsTables(readFileSync(file, 'utf8'), loadCategoryRegistry([])));
process.stdout.write(`Wrote the standards tables into ${file}\n`);

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCategoryRegistry } from '../../subgraph/categories/plugin-loader';
import { codeSystems } from '../../subgraph/standards/code-systems';
import { withStandardsTables } from '../../subgraph/standards/standards-doc';

const document = readFileSync(join(__dirname, '..', '..', 'docs', 'standards.md'), 'utf8');

describe('docs/standards.md', () => {
  it('has the generated tables as the code makes them (run `npm run docs:standards` when this fails)', () => {
    expect(withStandardsTables(document, loadCategoryRegistry([]))).toBe(document);
  });

  it('lists every code of every code system, with its system', () => {
    for (const system of codeSystems) {
      expect(document).toContain(`System \`${system.url}\``);
      for (const code of Object.keys(system.concepts)) expect(document).toContain(`| \`${code}\` |`);
    }
  });
});

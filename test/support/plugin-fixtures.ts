import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The worked example in plugins/README.md. */
export const fallsExampleSource = join(__dirname, '..', '..', 'plugins', 'examples', 'falls');

/** A folder outside the repository for plugins under test; remove() deletes it. */
export function outsideFolder(label: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `near-miss-${label}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Copies the falls example into `folder` as an outside provider would install it; returns its path. */
export function installFallsExample(folder: string): string {
  const target = join(folder, 'falls');
  cpSync(fallsExampleSource, target, { recursive: true });
  return target;
}

/**
 * Writes a CommonJS plugin to `folder/name/index.js`: an infection-prevention
 * category whose fields can be replaced by `overrides`, a JavaScript object
 * expression that may use `z` (e.g. `{ key: 'Bad_Key' }`).
 */
export function writePlugin(folder: string, name: string, overrides = '{}'): string {
  const directory = join(folder, name);
  mkdirSync(directory, { recursive: true });
  writeFileSync(
    join(directory, 'index.js'),
    `module.exports = ({ z, defineCategory }) => defineCategory({
  key: 'infection-prevention',
  label: 'Infection prevention',
  description: 'A lapse in infection prevention and control caught before it spread.',
  version: 1,
  details: z.object({
    control: z.enum(['HAND_HYGIENE', 'PPE', 'CLEANING']).meta({ title: 'Control that nearly failed' }),
    note: z.string().optional().meta({ title: 'Note' }),
  }),
  example: { control: 'HAND_HYGIENE' },
  triage: [],
  gates: [{ key: 'control-restored', label: 'Control restored' }],
  verification: [{ method: 'AUDIT', description: 'Hand hygiene audit', everyDays: 7, count: 4 }],
  similarity: ['serviceId', 'details.control'],
  standards: { fhirAdverseEventCategory: 'hospital-aquired-infection' },
  ...(${overrides}),
});
`,
  );
  return directory;
}

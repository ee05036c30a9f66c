// The contract every category plugin must satisfy, run against every built-in,
// the worked falls example, and any plugin named in NEAR_MISS_PLUGINS when the
// test runs (`NEAR_MISS_PLUGINS=../my-plugin npm test -- plugins/contract.test.ts`).
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import fc from 'fast-check';
import { join } from 'node:path';
import type { CategoryDefinition, ReportFacts } from './sdk';
import {
  computedCodeProblems,
  sampleReports,
  validateDefinition,
  type RegisteredCategory,
} from '../subgraph/categories/category-registry';
import { fhirAdverseEventCategories, isCodeOf, nccMerpCategories } from '../subgraph/standards/code-systems';
import { standardCodesOf } from '../subgraph/standards/standard-codes';
import { parseDetails } from '../subgraph/categories/details-conditions';
import { loadCategoryRegistry } from '../subgraph/categories/plugin-loader';
import { triageRoutes } from '../subgraph/domain/vocabulary';
import { applicableGates } from '../subgraph/gates/applicable-gates';
import { suggestTriage } from '../subgraph/triage/triage-suggestion';
import { validateDetails } from '../subgraph/near-misses/report-details';
import { candidateDetails } from '../test/support/details-arbitrary';

const fallsExample = join(__dirname, 'examples', 'falls');
const configured = (process.env.NEAR_MISS_PLUGINS ?? '')
  .split(',')
  .map((entry) => entry.trim())
  .filter(Boolean);
const registry = loadCategoryRegistry([fallsExample, ...configured]);

interface JsonSchemaProperty {
  title?: string;
  enum?: unknown[];
  type?: string;
}

/**
 * Detail variants that reach more rules than the example alone: every enum
 * value and both booleans of each field, and each optional field left out.
 * Only variants the schema accepts are kept.
 */
function detailVariants({ definition, fieldsSchema }: RegisteredCategory): Record<string, unknown>[] {
  const example = definition.details.parse(definition.example) as Record<string, unknown>;
  const properties = (fieldsSchema.properties ?? {}) as Record<string, JsonSchemaProperty>;
  const required = new Set((fieldsSchema.required ?? []) as string[]);
  const variants: Record<string, unknown>[] = [example];
  for (const [field, property] of Object.entries(properties)) {
    const values: unknown[] = property.enum ?? (property.type === 'boolean' ? [true, false] : []);
    for (const value of values) variants.push({ ...example, [field]: value });
    if (!required.has(field))
      variants.push(Object.fromEntries(Object.entries(example).filter(([key]) => key !== field)));
  }
  return variants.flatMap((variant) => {
    const parsed = parseDetails(definition, variant);
    return parsed.success ? [parsed.details] : [];
  });
}

const reportsFor = (registered: RegisteredCategory): ReportFacts[] =>
  detailVariants(registered).flatMap((details) => sampleReports(registered.definition, details));

it('shows the worked falls example in plugins/README.md exactly as it is tested', () => {
  const readme = readFileSync(join(__dirname, 'README.md'), 'utf8');
  expect(readme).toContain(`\`\`\`js\n${readFileSync(join(fallsExample, 'index.js'), 'utf8')}\`\`\``);
});

it('registers the seven built-ins and the falls example', () => {
  expect(registry.list().map((registered) => registered.definition.key)).toEqual(
    expect.arrayContaining([
      'medication',
      'transport',
      'mealtime',
      'escalation',
      'safeguarding',
      'rota',
      'environment',
      'falls',
    ]),
  );
});

describe.each(registry.list().map((registered) => [registered.definition.key, registered] as const))(
  'category plugin %s',
  (_key, registered) => {
    const definition: CategoryDefinition = registered.definition;

    it('has a valid manifest', () => {
      expect(validateDefinition(definition)).toEqual([]);
    });

    it('publishes a JSON Schema a form can render: an object with a title on every field', () => {
      const schema = registered.fieldsSchema;
      expect(schema).toMatchObject({ type: 'object', title: definition.label, description: definition.description });
      const properties = Object.entries((schema.properties ?? {}) as Record<string, JsonSchemaProperty>);
      expect(properties.length).toBeGreaterThan(0);
      const untitled = properties
        .filter(([, property]) => typeof property.title !== 'string' || !property.title.trim())
        .map(([field]) => field);
      expect(untitled).toEqual([]);
      expect(Array.isArray(schema.required) && (schema.required as string[]).length).toBeTruthy();
    });

    it('accepts its example', () => {
      expect(parseDetails(definition, definition.example).problems).toEqual([]);
    });

    it('refuses empty details with an error on each missing field', () => {
      const parsed = definition.details.safeParse({});
      expect(parsed.success).toBe(false);
      const paths = parsed.error!.issues.map((issue) => issue.path.join('.'));
      expect(paths.length).toBeGreaterThan(0);
      expect(paths).not.toContain('');
      expect(paths.sort()).toEqual([...((registered.fieldsSchema.required ?? []) as string[])].sort());
    });

    it('suggests legal routes and plain notify lists on sample reports, without rule failures', () => {
      for (const rule of definition.triage) {
        if (rule.route !== undefined) expect(triageRoutes).toContain(rule.route);
      }
      const gateKeys = definition.gates.map((gate) => gate.key);
      const reports = reportsFor(registered);
      expect(reports.length).toBeGreaterThanOrEqual(5);
      for (const report of reports) {
        const suggestion = suggestTriage(definition, report);
        expect(suggestion.failures).toEqual([]);
        expect(triageRoutes).toContain(suggestion.route);
        for (const person of suggestion.notify) expect(person).toMatch(/^[a-z][a-z -]*[a-z]$/);
        for (const gate of applicableGates(definition, report)) expect(gateKeys).toContain(gate.key);
      }
    });

    it('maps to an HL7 FHIR AdverseEvent category code', () => {
      expect(Object.keys(fhirAdverseEventCategories.concepts)).toContain(definition.standards.fhirAdverseEventCategory);
    });

    it('codes every sample report only with codes of their code systems', () => {
      for (const facts of reportsFor(registered)) {
        const codes = standardCodesOf(definition, { facts, nccMerp: definition.standards.nccMerp?.(facts) });
        const codings = [...codes.lfpse, ...codes.ahrq, ...codes.fhirCategory];
        expect(codes.fhirCategory).toHaveLength(1);
        const outside = codings.filter((coding) => !isCodeOf(coding.system, coding.code));
        expect(outside).toEqual([]);
        if (codes.nccMerp !== undefined) expect(isCodeOf(nccMerpCategories.url, codes.nccMerp)).toBe(true);
        expect(computedCodeProblems(definition, facts)).toEqual([]);
      }
    });

    describe('publishes a schema that says exactly what the server accepts (ajv against the server, 200 generated details each way)', () => {
      const schemaAccepts = new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile(
        registered.fieldsSchema,
      );
      const serverAccepts = (details: Record<string, unknown>) => validateDetails(definition, details).success;
      const candidates = candidateDetails(registered.fieldsSchema);

      it('the server accepts every value the schema accepts', () => {
        fc.assert(
          fc.property(
            candidates.filter((details) => schemaAccepts(details)),
            (details) => {
              expect(validateDetails(definition, details).problems).toEqual([]);
            },
          ),
          { numRuns: 200 },
        );
      });

      it('the server refuses every value the schema refuses', () => {
        fc.assert(
          fc.property(
            candidates.filter((details) => !schemaAccepts(details)),
            (details) => {
              expect({ details, serverAccepts: serverAccepts(details) }).toEqual({ details, serverAccepts: false });
            },
          ),
          { numRuns: 200 },
        );
      });
    });
  },
);

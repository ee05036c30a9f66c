import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';

/*
 * Validates FHIR R5 JSON offline against HL7's own package (hl7.fhir.r5.core
 * 5.0.0, a devDependency): its JSON Schema (openapi/fhir.schema.json) with
 * ajv, then what the JSON Schema does not enforce, from the AdverseEvent
 * StructureDefinition: required elements, cardinalities and required-binding
 * value sets, expanded from the package's ValueSets and CodeSystems.
 */

const packageRoot = join(__dirname, '..', '..', 'node_modules', 'hl7.fhir.r5.core');
const readPackageFile = <T>(name: string): T => JSON.parse(readFileSync(join(packageRoot, name), 'utf8')) as T;

interface ElementDefinition {
  path: string;
  min: number;
  max: string;
  type?: { code: string }[];
  binding?: { strength: string; valueSet?: string };
}
interface Concept {
  code: string;
  concept?: Concept[];
}
interface ValueSet {
  compose?: { include: { system?: string; concept?: { code: string }[] }[] };
}

const lastSegment = (url: string) => url.split('|')[0].split('/').at(-1)!;

function codesOfCodeSystem(url: string): string[] {
  const system = readPackageFile<{ url: string; concept?: Concept[] }>(`CodeSystem-${lastSegment(url)}.json`);
  if (system.url !== url) throw new Error(`the package's CodeSystem for ${url} has url ${system.url}`);
  const walk = (concepts: Concept[] = []): string[] =>
    concepts.flatMap((concept) => [concept.code, ...walk(concept.concept)]);
  return walk(system.concept);
}

/** The codes of a value set the package defines by enumeration or by whole code systems. */
export function valueSetCodes(valueSetUrl: string): Set<string> {
  const valueSet = readPackageFile<ValueSet>(`ValueSet-${lastSegment(valueSetUrl)}.json`);
  const codes = (valueSet.compose?.include ?? []).flatMap((include) =>
    include.concept
      ? include.concept.map((concept) => concept.code)
      : include.system
        ? codesOfCodeSystem(include.system)
        : [],
  );
  return new Set(codes);
}

const asArray = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The values of one element name in an object, a choice (`instance[x]`) under any of its type names. */
function childValues(parent: unknown, name: string): unknown[] {
  if (!parent || typeof parent !== 'object') return [];
  const record = parent as Record<string, unknown>;
  if (!name.endsWith('[x]')) return asArray(record[name]);
  const base = name.slice(0, -3);
  return Object.keys(record)
    .filter((key) => key.startsWith(base) && /^[A-Z]/.test(key.slice(base.length)))
    .flatMap((key) => asArray(record[key]));
}

function codesIn(value: unknown, types: string[]): string[] {
  if (types.includes('code') && typeof value === 'string') return [value];
  const record = (value ?? {}) as { code?: unknown; coding?: { code?: unknown }[] };
  if (types.includes('Coding') && typeof record.code === 'string') return [record.code];
  if (types.includes('CodeableConcept')) return (record.coding ?? []).map((coding) => String(coding.code));
  return [];
}

/** What the StructureDefinition requires of a resource that the JSON Schema does not. */
export function structureProblems(resource: Record<string, unknown>, resourceType = 'AdverseEvent'): string[] {
  const definition = readPackageFile<{ snapshot: { element: ElementDefinition[] } }>(
    `StructureDefinition-${resourceType}.json`,
  );
  const problems: string[] = [];
  for (const element of definition.snapshot.element) {
    const segments = element.path.split('.').slice(1);
    if (!segments.length) continue;
    let parents: unknown[] = [resource];
    for (const segment of segments.slice(0, -1)) parents = parents.flatMap((parent) => childValues(parent, segment));
    const name = segments.at(-1)!;
    const bound = element.binding?.strength === 'required' ? element.binding.valueSet : undefined;
    for (const parent of parents) {
      const values = childValues(parent, name);
      if (values.length < element.min)
        problems.push(`${element.path}: needs at least ${element.min}, has ${values.length}`);
      if (element.max !== '*' && values.length > Number(element.max))
        problems.push(`${element.path}: allows at most ${element.max}, has ${values.length}`);
      // Expanded only when there is a value to check (some, like all languages, are not enumerable).
      if (bound && values.length) {
        const allowed = valueSetCodes(bound);
        const types = (element.type ?? []).map((type) => type.code);
        for (const value of values) {
          const codes = codesIn(value, types);
          if (!codes.some((code) => allowed.has(code)))
            problems.push(`${element.path}: ${JSON.stringify(value)} is not in ${bound}`);
        }
      }
    }
  }
  return problems;
}

let schemaValidators: { adverseEvent: ValidateFunction; bundle: ValidateFunction } | undefined;

function compiled() {
  if (schemaValidators) return schemaValidators;
  const {
    id,
    $schema: _draft,
    ...schema
  } = readPackageFile<Record<string, unknown> & { id: string }>('openapi/fhir.schema.json');
  // The schema names itself with the draft-04 style `id`; its decimal pattern needs non-unicode regular expressions.
  const ajv = new Ajv({ unicodeRegExp: false, strict: false, allErrors: true });
  ajv.addSchema({ ...schema, $id: id });
  schemaValidators = {
    adverseEvent: ajv.getSchema(`${id}#/definitions/AdverseEvent`)!,
    bundle: ajv.getSchema(`${id}#/definitions/Bundle`)!,
  };
  return schemaValidators;
}

const schemaErrors = (validate: ValidateFunction, value: unknown): string[] =>
  validate(value) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);

/** Every problem with an AdverseEvent: JSON Schema, then StructureDefinition. */
export function adverseEventProblems(resource: Record<string, unknown>): string[] {
  return [...schemaErrors(compiled().adverseEvent, resource), ...structureProblems(resource)];
}

/** Every problem with a searchset Bundle of AdverseEvents: the Bundle's schema, then each entry's resource. */
export function bundleProblems(bundle: { entry?: { resource: Record<string, unknown> }[] }): string[] {
  return [
    ...schemaErrors(compiled().bundle, bundle),
    ...(bundle.entry ?? []).flatMap((entry, index) =>
      adverseEventProblems(entry.resource).map((problem) => `entry[${index}]: ${problem}`),
    ),
  ];
}

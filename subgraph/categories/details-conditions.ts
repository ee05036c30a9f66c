import type { CategoryDefinition, ConditionValue, DetailsCondition } from '../../plugins/sdk';
import type { FieldProblem } from '../common/errors';
import { toFieldProblems } from '../common/validation';

type JsonSchema = Record<string, unknown>;
type Property = { type?: string; enum?: unknown[]; default?: unknown };

const conditionsOf = (definition: CategoryDefinition): DetailsCondition[] => definition.conditions ?? [];

const dependentRequiredOf = (definition: CategoryDefinition): Record<string, string[]> =>
  (definition.dependentRequired ?? {}) as Record<string, string[]>;

const valuesOf = (value: ConditionValue | readonly ConditionValue[] | undefined): ConditionValue[] =>
  value === undefined ? [] : Array.isArray(value) ? [...(value as ConditionValue[])] : [value as ConditionValue];

const propertiesOf = (schema: JsonSchema) => (schema.properties ?? {}) as Record<string, Property>;
const hasDefault = (property: Property | undefined) => property !== undefined && 'default' in property;

/**
 * What is wrong with a category's `conditions` and `dependentRequired`, given
 * the JSON Schema of its fields (empty when they are sound). The rules keep the
 * published schema and the server in agreement: a condition tests only enums,
 * booleans and numbers (values the server does not transform), and never
 * requires a field that has a default (the server always has it; a form may not).
 */
export function conditionProblems(definition: CategoryDefinition, fieldsSchema: JsonSchema): string[] {
  const problems: string[] = [];
  const properties = propertiesOf(fieldsSchema);
  const field = (name: string, where: string) => {
    if (!(name in properties)) problems.push(`${where} names ${name}, which is not one of details`);
    return properties[name];
  };
  if (definition.conditions !== undefined && !Array.isArray(definition.conditions))
    problems.push('conditions must be an array');
  for (const [index, condition] of conditionsOf(definition).entries()) {
    const where = `condition ${index + 1}`;
    if (!condition || typeof condition.when !== 'object' || !Object.keys(condition.when).length) {
      problems.push(`${where} needs a when with at least one field`);
      continue;
    }
    if (typeof condition.message !== 'string' || !condition.message.trim()) problems.push(`${where} needs a message`);
    if (!condition.require?.length && !Object.keys(condition.equal ?? {}).length)
      problems.push(`${where} must require or equal something`);
    for (const [name, value] of Object.entries(condition.when)) {
      const property = field(name, where);
      if (!property) continue;
      const testable = Array.isArray(property.enum) || ['boolean', 'integer', 'number'].includes(property.type ?? '');
      if (!testable) problems.push(`${where} tests ${name}: only enums, booleans and numbers can be tested`);
      const values = valuesOf(value);
      if (!values.length) problems.push(`${where} gives no value for ${name}`);
      const allowed = property.enum;
      for (const item of values)
        if (allowed && !allowed.includes(item)) problems.push(`${where}: ${String(item)} is not a value of ${name}`);
    }
    for (const name of condition.require ?? []) {
      if (hasDefault(field(name, where))) problems.push(`${where} requires ${name}, which has a default`);
    }
    for (const [name, value] of Object.entries(condition.equal ?? {})) {
      const property = field(name, where);
      if (property?.enum && !property.enum.includes(value))
        problems.push(`${where}: ${String(value)} is not a value of ${name}`);
    }
  }
  for (const [key, dependents] of Object.entries(dependentRequiredOf(definition))) {
    const where = `dependentRequired.${key}`;
    if (hasDefault(field(key, where))) problems.push(`${where}: ${key} has a default, so it is always given`);
    if (!Array.isArray(dependents) || !dependents.length) problems.push(`${where} must list fields`);
    else for (const name of dependents) field(name, where);
  }
  return problems;
}

/**
 * The fields' JSON Schema with the conditions added: each condition becomes an
 * `if`/`then` in `allOf`, and `dependentRequired` is published as it is. A
 * tested field whose default satisfies the condition is not `required` in the
 * `if`, because the server treats a missing value as its default.
 */
export function withConditions(definition: CategoryDefinition, fieldsSchema: JsonSchema): JsonSchema {
  const properties = propertiesOf(fieldsSchema);
  const defaultMatches = (name: string, values: ConditionValue[]) =>
    hasDefault(properties[name]) && values.includes(properties[name].default as ConditionValue);
  const clauses = conditionsOf(definition).map((condition) => {
    const when = Object.entries(condition.when).map(
      ([name, value]) => [name, valuesOf(value as ConditionValue | ConditionValue[])] as const,
    );
    const equal = Object.entries(condition.equal ?? {}) as [string, ConditionValue][];
    return {
      description: condition.message,
      if: {
        properties: Object.fromEntries(
          when.map(([name, values]) => [name, values.length === 1 ? { const: values[0] } : { enum: values }]),
        ),
        required: when.filter(([name, values]) => !defaultMatches(name, values)).map(([name]) => name),
      },
      then: {
        ...(equal.length
          ? { properties: Object.fromEntries(equal.map(([name, value]) => [name, { const: value }])) }
          : {}),
        required: [
          ...(condition.require ?? []),
          ...equal.filter(([name, value]) => !defaultMatches(name, [value])).map(([name]) => name),
        ],
      },
    };
  });
  const dependentRequired = dependentRequiredOf(definition);
  return {
    ...fieldsSchema,
    ...(clauses.length ? { allOf: clauses } : {}),
    ...(Object.keys(dependentRequired).length ? { dependentRequired } : {}),
  };
}

/** Problems with parsed details against the category's conditions and `dependentRequired`. */
export function conditionViolations(definition: CategoryDefinition, details: Record<string, unknown>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const condition of conditionsOf(definition)) {
    const applies = Object.entries(condition.when).every(([name, value]) =>
      valuesOf(value as ConditionValue | ConditionValue[]).includes(details[name] as ConditionValue),
    );
    if (!applies) continue;
    for (const name of condition.require ?? [])
      if (details[name] === undefined) problems.push({ path: name, message: condition.message });
    for (const [name, value] of Object.entries(condition.equal ?? {}))
      if (details[name] !== value) problems.push({ path: name, message: condition.message });
  }
  for (const [key, dependents] of Object.entries(dependentRequiredOf(definition))) {
    if (details[key] === undefined) continue;
    for (const name of dependents)
      if (details[name] === undefined) problems.push({ path: name, message: `is required when ${key} is given` });
  }
  return problems;
}

export type DetailsParse =
  | { success: true; details: Record<string, unknown>; problems: [] }
  | { success: false; details?: undefined; problems: FieldProblem[] };

/**
 * A category's details as the server accepts them: its zod schema, then its
 * conditions. Problem paths start with `prefix` (`details` for a report).
 */
export function parseDetails(definition: CategoryDefinition, raw: unknown, prefix: string[] = []): DetailsParse {
  const parsed = definition.details.safeParse(raw);
  if (!parsed.success) return { success: false, problems: toFieldProblems(parsed.error, prefix) };
  const details = parsed.data as Record<string, unknown>;
  const violations = conditionViolations(definition, details);
  if (violations.length)
    return {
      success: false,
      problems: violations.map((problem) => ({ ...problem, path: [...prefix, problem.path].join('.') })),
    };
  return { success: true, details, problems: [] };
}

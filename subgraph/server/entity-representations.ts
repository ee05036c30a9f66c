import { GraphQLUnionType, type GraphQLSchema } from 'graphql';
import { badUserInput, type FieldProblem } from '../common/errors';
import { inputHygieneProblems } from '../common/input-hygiene';

const maxProblems = 20;

/**
 * What is wrong with the representations of an `_entities` call: each must be
 * an object naming an entity type of this subgraph in `__typename`, with its
 * key `id` as a string, and no text PostgreSQL cannot store or runaway
 * nesting. Every entity here is keyed by `id`.
 */
export function representationProblems(representations: unknown, entityTypes: ReadonlySet<string>): FieldProblem[] {
  if (!Array.isArray(representations)) return [{ path: 'representations', message: 'must be a list' }];
  const problems: FieldProblem[] = [];
  for (let index = 0; index < representations.length && problems.length < maxProblems; index++) {
    const representation: unknown = representations[index];
    const at = `representations.${index}`;
    if (representation === null || typeof representation !== 'object' || Array.isArray(representation)) {
      problems.push({ path: at, message: 'must be an object with __typename and id' });
      continue;
    }
    const hygiene = inputHygieneProblems(representation, ['representations', String(index)]);
    if (hygiene.length) {
      problems.push(...hygiene);
      continue;
    }
    const { __typename: typename, id } = representation as Record<string, unknown>;
    if (typename === undefined || typename === null)
      problems.push({ path: `${at}.__typename`, message: 'is required' });
    else if (typeof typename !== 'string' || !entityTypes.has(typename))
      problems.push({ path: `${at}.__typename`, message: 'is not an entity type of this subgraph' });
    if (id === undefined || id === null) problems.push({ path: `${at}.id`, message: 'is required' });
    else if (typeof id !== 'string') problems.push({ path: `${at}.id`, message: 'must be a string' });
  }
  return problems.slice(0, maxProblems);
}

/**
 * Checks `_entities` representations before @apollo/subgraph resolves them,
 * so a malformed one is BAD_USER_INPUT naming the representation instead of an
 * internal error (an unknown type, a missing id, a NUL reaching SQL).
 */
export function guardEntityRepresentations(schema: GraphQLSchema): GraphQLSchema {
  const field = schema.getQueryType()?.getFields()._entities;
  const union = schema.getType('_Entity');
  if (!field?.resolve || !(union instanceof GraphQLUnionType)) return schema;
  const entityTypes = new Set(union.getTypes().map((type) => type.name));
  const resolve = field.resolve;
  field.resolve = (source, args: Record<string, unknown>, context, info) => {
    const problems = representationProblems(args.representations, entityTypes);
    if (problems.length) throw badUserInput(problems);
    return resolve(source, args, context, info);
  };
  return schema;
}

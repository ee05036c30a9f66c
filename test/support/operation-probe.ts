import {
  getNamedType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

/**
 * Builds one operation per root field of a schema (and one `_entities` fetch
 * per entity type), selecting every field a few levels deep and filling
 * required arguments with probe values. Tests use it to try *every* operation,
 * including ones added after the test was written.
 */

/** Values to put into arguments; ids are chosen per argument name and type. */
export interface ProbeValues {
  /** Text for String arguments by name (make it recognisable: leak tests look for it). */
  text(argumentName: string): string;
  /** Int arguments by name (`expectedVersion`, `count`). */
  int(argumentName: string): number;
  /** Ids for an ID argument: its name (`id`, `nearMissId`), the type the field returns, and the argument's type. */
  ids(argumentName: string, returnType: GraphQLNamedType): string[];
  /** DateTime arguments: a time in the near future suits due dates. */
  dateTime: string;
}

export interface ProbeOperation {
  /** `Query.nearMiss`, `Mutation.acknowledgeNearMiss`, `_entities:Person`. */
  name: string;
  query: string;
  variables: Record<string, unknown>;
}

class Variables {
  readonly definitions: string[] = [];
  readonly values: Record<string, unknown> = {};
  add(type: GraphQLInputType, value: unknown): string {
    const name = `v${this.definitions.length}`;
    this.definitions.push(`$${name}: ${String(type)}`);
    this.values[name] = value;
    return `$${name}`;
  }
}

function inputValue(
  type: GraphQLInputType,
  name: string,
  returnType: GraphQLNamedType,
  values: ProbeValues,
  id: string | undefined,
): unknown {
  if (isNonNullType(type)) return inputValue(type.ofType, name, returnType, values, id);
  if (isListType(type)) return [inputValue(type.ofType, name, returnType, values, id)];
  if (isEnumType(type)) return type.getValues()[0].value;
  if (isInputObjectType(type)) {
    // Required fields, and optional ids and texts (ids aim at other rows; texts satisfy "reason required when ..." rules).
    const fields = Object.values(type.getFields()).filter(
      (field) =>
        (isNonNullType(field.type) && field.defaultValue === undefined) ||
        ['ID', 'String'].includes(getNamedType(field.type).name),
    );
    return Object.fromEntries(
      fields.map((field) => [field.name, inputValue(field.type, field.name, returnType, values, undefined)]),
    );
  }
  switch (type.name) {
    case 'ID':
      return id ?? values.ids(name, returnType)[0] ?? 'probe-id';
    case 'String':
      return values.text(name);
    case 'Int':
      return values.int(name);
    case 'Float':
      return 1;
    case 'Boolean':
      return false;
    case 'DateTime':
      return values.dateTime;
    case 'JSON':
      return {};
    default:
      return values.text(name);
  }
}

const requiredArguments = (field: GraphQLField<unknown, unknown>) =>
  field.args.filter((argument) => isNonNullType(argument.type) && argument.defaultValue === undefined);

function argumentList(
  args: readonly GraphQLArgument[],
  returnType: GraphQLNamedType,
  values: ProbeValues,
  variables: Variables,
  primaryId?: string,
): string {
  if (!args.length) return '';
  const rendered = args.map((argument) => {
    const isPrimaryId = getNamedType(argument.type).name === 'ID' && argument.name === primaryArgument(args)?.name;
    return `${argument.name}: ${variables.add(argument.type, inputValue(argument.type, argument.name, returnType, values, isPrimaryId ? primaryId : undefined))}`;
  });
  return `(${rendered.join(', ')})`;
}

/** The argument whose id values are tried one by one: `id`, else the first `...Id`. */
function primaryArgument(args: readonly GraphQLArgument[]): GraphQLArgument | undefined {
  const ids = args.filter(
    (argument) =>
      getNamedType(argument.type).name === 'ID' &&
      !isListType(isNonNullType(argument.type) ? argument.type.ofType : argument.type),
  );
  return ids.find((argument) => argument.name === 'id') ?? ids[0];
}

function selection(type: GraphQLNamedType, depth: number, values: ProbeValues, variables: Variables): string {
  if (isLeafType(type)) return '';
  if (isAbstractType(type)) {
    // Possible types need the schema; unions are only _Entity here, handled by the caller.
    return '{ __typename }';
  }
  const objectType = type as GraphQLObjectType;
  const fields = Object.values(objectType.getFields()).flatMap((field) => {
    const named = getNamedType(field.type);
    const args = argumentList(requiredArguments(field), named, values, variables);
    if (isLeafType(named)) return [`${field.name}${args}`];
    if (depth <= 1) return [];
    return [`${field.name}${args} ${selection(named, depth - 1, values, variables)}`];
  });
  return `{ __typename ${fields.join(' ')} }`;
}

/** Operations for every field of the root type (`_service`, `_entities` left out), at a selection depth. */
export function rootOperations(
  schema: GraphQLSchema,
  root: 'query' | 'mutation',
  values: ProbeValues,
  depth: number,
): ProbeOperation[] {
  const type = root === 'query' ? schema.getQueryType() : schema.getMutationType();
  if (!type) return [];
  return Object.values(type.getFields())
    .filter((field) => !field.name.startsWith('_'))
    .flatMap((field) => {
      const named = getNamedType(field.type);
      const required = requiredArguments(field);
      const primary = primaryArgument(required);
      // Each candidate id of the primary argument (up to two) is its own operation.
      const candidates = primary ? values.ids(primary.name, named).slice(0, 2) : [undefined];
      return (candidates.length ? candidates : [undefined]).map((candidate, index) => {
        const variables = new Variables();
        const args = argumentList(required, named, values, variables, candidate);
        const body = `${field.name}${args} ${isObjectType(named) || isAbstractType(named) ? selection(named, depth, values, variables) : ''}`;
        const definitions = variables.definitions.length ? `(${variables.definitions.join(', ')})` : '';
        return {
          name: `${type.name}.${field.name}${primary ? `#${index}` : ''}`,
          query: `${root} Probe${definitions} { ${body} }`,
          variables: variables.values,
        };
      });
    });
}

/** One `_entities` fetch per entity type, for the given ids of each type. */
export function entityOperations(
  schema: GraphQLSchema,
  idsOf: (typeName: string) => string[],
  values: ProbeValues,
  depth: number,
): ProbeOperation[] {
  const entity = schema.getType('_Entity');
  if (!entity || !isAbstractType(entity)) return [];
  return schema.getPossibleTypes(entity).flatMap((type) => {
    const ids = idsOf(type.name);
    if (!ids.length) return [];
    const variables = new Variables();
    const fields = selection(type, depth, values, variables);
    const definitions = ['$representations: [_Any!]!', ...variables.definitions].join(', ');
    return [
      {
        name: `_entities:${type.name}`,
        query: `query Probe(${definitions}) { _entities(representations: $representations) { __typename ... on ${type.name} ${fields} } }`,
        variables: { ...variables.values, representations: ids.map((id) => ({ __typename: type.name, id })) },
      },
    ];
  });
}

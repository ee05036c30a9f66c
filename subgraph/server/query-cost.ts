import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  Kind,
  valueFromAST,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/*
 * What an operation may cost, counted from the data it can return: every field
 * costs one per value it can have in the response, and a list multiplies what
 * is under it by its bound. A field with `first` is bounded by its value
 * (literal, variable or default), `_entities` by its representations (per
 * `__typename` for each `... on Type`), and a list of objects without
 * pagination by the most its loader returns per parent (`listBounds`).
 * Counted after validation, with the request's variables, before execution.
 */

export interface CostOptions {
  /** `Type.field` -> the most items the list returns per parent. */
  listBounds: Readonly<Record<string, number>>;
  /** Bound of a list of objects missing from `listBounds` (a test keeps the table complete). */
  defaultListBound: number;
  /** Fields visited (fragments expanded) after which counting stops: the cost is then Infinity. */
  maxVisits: number;
}

export interface OperationCost {
  cost: number;
  /** Representations across the operation's `_entities` fields. */
  representations: number;
}

/** A variable's value or a literal, as the resolver will see it. */
function argumentValue(
  field: FieldNode,
  definition: GraphQLField<unknown, unknown>,
  name: string,
  variables: Record<string, unknown>,
): unknown {
  const argument = definition.args.find((candidate) => candidate.name === name);
  if (!argument) return undefined;
  const node = field.arguments?.find((candidate) => candidate.name.value === name);
  if (!node) return argument.defaultValue;
  if (node.value.kind === Kind.VARIABLE) {
    const value = variables[node.value.name.value];
    return value === undefined ? argument.defaultValue : value;
  }
  return valueFromAST(node.value, argument.type, variables);
}

const countOf = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

class OverBudget extends Error {}

/** The operation's cost and its `_entities` representations. */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  options: CostOptions,
): OperationCost {
  const fragments = new Map(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [],
    ),
  );
  // A variable left out takes its default from the operation (`query($n: Int = 50)`).
  const defaults = Object.fromEntries(
    (operation.variableDefinitions ?? []).flatMap((definition) =>
      definition.defaultValue ? [[definition.variable.name.value, valueFromASTUntyped(definition.defaultValue)]] : [],
    ),
  );
  variables = { ...defaults, ...variables };
  let cost = 0;
  let representations = 0;
  let visits = 0;
  const count = (amount: number) => {
    cost += amount;
    visits += 1;
    if (visits > options.maxVisits) throw new OverBudget();
  };

  // `typeCounts`: for `_entities`' selection, how many representations name each type.
  const visit = (
    selectionSet: SelectionSetNode,
    parentType: GraphQLNamedType,
    multiplier: number,
    typeCounts?: Map<string, number>,
  ): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        visitField(selection, parentType, multiplier);
        continue;
      }
      const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
      if (!fragment) continue;
      const typeName = fragment.typeCondition?.name.value;
      const type = typeName ? schema.getType(typeName) : parentType;
      if (!type) continue;
      const scoped = typeCounts && typeName ? (typeCounts.get(typeName) ?? 0) : multiplier;
      visit(fragment.selectionSet, type, scoped, typeName ? undefined : typeCounts);
    }
  };

  const visitField = (field: FieldNode, parentType: GraphQLNamedType, multiplier: number): void => {
    const name = field.name.value;
    const definition =
      'getFields' in parentType && typeof parentType.getFields === 'function'
        ? (parentType.getFields() as Record<string, GraphQLField<unknown, unknown>>)[name]
        : undefined;
    if (!definition) {
      count(multiplier); // __typename on a union
      return;
    }
    const type = getNamedType(definition.type);
    let bound = 1;
    let typeCounts: Map<string, number> | undefined;
    if (name === '_entities' && parentType.name === schema.getQueryType()?.name) {
      const given = argumentValue(field, definition, 'representations', variables);
      const list = Array.isArray(given) ? given : [];
      representations += list.length;
      bound = list.length;
      typeCounts = new Map();
      for (const representation of list) {
        const typename = (representation as { __typename?: unknown } | null)?.__typename;
        if (typeof typename === 'string') typeCounts.set(typename, (typeCounts.get(typename) ?? 0) + 1);
      }
    } else if (definition.args.some((argument) => argument.name === 'first')) {
      // An empty page still costs its own field.
      bound = Math.max(countOf(argumentValue(field, definition, 'first', variables)), 1);
    } else if (isListType(getNullableType(definition.type)) && isCompositeType(type)) {
      bound = options.listBounds[`${parentType.name}.${name}`] ?? options.defaultListBound;
    }
    const inner = multiplier * bound;
    count(inner);
    if (field.selectionSet) {
      if (typeCounts) {
        // `_entities { __typename ... on Person { ... } }`: each fragment counts for its own representations.
        visit(field.selectionSet, type, inner, typeCounts);
      } else visit(field.selectionSet, type, inner);
    }
  };

  const root = schema.getRootType(operation.operation);
  if (!root) return { cost, representations };
  try {
    visit(operation.selectionSet, root, 1);
  } catch (error) {
    if (!(error instanceof OverBudget)) throw error;
    cost = Number.POSITIVE_INFINITY;
  }
  return { cost, representations };
}

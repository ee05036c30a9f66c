import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  Kind,
  parse,
  type OperationDefinitionNode,
} from 'graphql';
import { operationCost } from '../../subgraph/server/query-cost';
import { defaultListBound, listBounds, queryLimits } from '../../subgraph/server/query-limits';

const schema = buildSubgraphSchema(parse(readFileSync(join(__dirname, '../../schema/near-miss.graphql'), 'utf8')));

function costOf(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  )!;
  return operationCost(schema, document, operation, variables, { listBounds, defaultListBound, maxVisits: 100_000 });
}

describe('list bounds', () => {
  it('bound every list of objects in the schema without `first`, and nothing else', () => {
    const unpaginated: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__') || type.name === '_Service') continue;
      for (const field of Object.values(type.getFields())) {
        const list = isListType(getNullableType(field.type)) && isCompositeType(getNamedType(field.type));
        const paginated = field.args.some((argument) => argument.name === 'first');
        if (list && !paginated && field.name !== '_entities') unpaginated.push(`${type.name}.${field.name}`);
      }
    }
    expect(Object.keys(listBounds).sort()).toEqual(unpaginated.sort());
  });
});

describe('operationCost', () => {
  it('counts one per field value, multiplied by a literal first', () => {
    expect(costOf('{ nearMisses(first: 10) { edges { node { id } } } }').cost).toBe(10 + 10 + 10 + 10);
  });

  it('reads first from the variables, and the argument default when it is not given', () => {
    const query = 'query($n: Int) { nearMisses(first: $n) { edges { node { id } } } }';
    expect(costOf(query, { n: 100 }).cost).toBe(400);
    expect(costOf(query).cost).toBe(80); // default first: 20
    const withDefault = 'query($n: Int = 50) { nearMisses(first: $n) { edges { node { id } } } }';
    expect(costOf(withDefault).cost).toBe(200);
    expect(costOf(withDefault, { n: 5 }).cost).toBe(20);
    expect(costOf('{ nearMisses { totalCount } }').cost).toBe(40);
  });

  it('multiplies by the bound of unpaginated nested lists', () => {
    const { cost } = costOf('{ nearMisses(first: 1) { edges { node { correctiveActions { nearMisses { id } } } } } }');
    const actions = listBounds['NearMiss.correctiveActions'];
    const linked = listBounds['CorrectiveAction.nearMisses'];
    expect(cost).toBe(3 + actions + 2 * actions * linked);
  });

  it('puts the fan-out query of issue 18 far over the budget, and a page of actions with their links under it', () => {
    const fanOut = `query($first: Int) { nearMisses(first: $first) { edges { node { correctiveActions { nearMisses {
      correctiveActions { nearMisses { id } } } } } } } }`;
    expect(costOf(fanOut, { first: 100 }).cost).toBeGreaterThan(1000 * queryLimits.maxCost);
    const page =
      '{ nearMisses(first: 10) { edges { node { id correctiveActions { id nearMisses { id reference } } } } } }';
    expect(costOf(page).cost).toBeLessThanOrEqual(queryLimits.maxCost);
  });

  it('counts _entities by its representations, each fragment for its own type', () => {
    const representations = [
      ...Array.from({ length: 3 }, (_, index) => ({ __typename: 'Person', id: `p${index}` })),
      ...Array.from({ length: 2 }, (_, index) => ({ __typename: 'Staff', id: `s${index}` })),
    ];
    const result = costOf(
      `query($r: [_Any!]!) { _entities(representations: $r) { __typename
        ... on Person { id } ... on Staff { id correctiveActionsOwned { id } } } }`,
      { r: representations },
    );
    expect(result.representations).toBe(5);
    expect(result.cost).toBe(5 + 5 + 3 + 2 + 2 * listBounds['Staff.correctiveActionsOwned'] * 2);
  });

  it('stops counting a document whose fragments expand too far', () => {
    const fragments = Array.from(
      { length: 20 },
      (_, index) => `fragment F${index} on Query { categories { key } ...F${index + 1} ...F${index + 1} }`,
    ).join('\n');
    const query = `{ ...F0 }\n${fragments}\nfragment F20 on Query { categories { key } }`;
    expect(costOf(query).cost).toBe(Number.POSITIVE_INFINITY);
  });
});

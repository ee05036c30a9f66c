import { GraphQLError, type ValidationRule } from 'graphql';

/**
 * Refuses an operation whose type has no root in the schema (a `subscription`
 * here) at validation, as GRAPHQL_VALIDATION_FAILED. graphql-js 16 only finds
 * out at execution, where the error is uncoded and masked as an internal one.
 */
export const knownOperationTypesRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (!context.getSchema().getRootType(node.operation)) {
      context.reportError(
        new GraphQLError(`The ${node.operation} operation is not supported by this subgraph.`, { nodes: node }),
      );
    }
  },
});

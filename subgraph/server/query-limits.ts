import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../common/errors';

/**
 * Limits on what one operation may ask for, enforced by graphql-armor before
 * execution. Depth and cost count from the operation's root, so a gateway
 * fetch counts from `_entities`; fragments (the gateway's `... on Person`) add
 * no depth. The query planner keeps everything this subgraph can resolve in
 * one fetch, so a client's query reaches us about as deep as it is below its
 * first near-miss field: 12 serves the deepest real screens (a person's near
 * misses, their reporters' other reports and those reports' timelines is 11)
 * and refuses a depth-20 query (tests: graphql-limits.int, query-limits.fed).
 */
export const queryLimits = {
  maxDepth: 12,
  /** Client aliases the gateway forwards (e.g. several filtered counts on a dashboard). */
  maxAliases: 30,
  /**
   * graphql-armor's cost: objects 2, scalars 1, ×1.5 per level, × a literal
   * `first` (a variable counts as 1; the resolvers cap `first` at 100). A full
   * 100-row page with every near-miss field costs ~26k; a list inside a list
   * of 100 costs millions.
   */
  maxCost: 50_000,
  /**
   * Lexer tokens in the document (variables are not tokens): a 1,000-alias
   * query is ~6k. Enforced by graphql-js's own parser (`parseOptions.maxTokens`),
   * which answers 400 GRAPHQL_PARSE_FAILED; graphql-armor's token plugin throws
   * from a hook that Apollo Server turns into a 500.
   */
  maxTokens: 10_000,
  maxDirectives: 50,
} as const;

type ArmorConfig = NonNullable<ConstructorParameters<typeof ApolloArmor>[0]>;
type RejectCallback = NonNullable<NonNullable<ArmorConfig['maxDepth']>['onReject']>[number];

// The contract's BAD_USER_INPUT, with the limit named in the message and in fields.
const reportRejection: RejectCallback = (context, error) => {
  const message = error.message.replace(/^Syntax Error: /, '');
  context?.reportError(
    new GraphQLError(message, { extensions: { code: ErrorCode.BadUserInput, fields: [{ path: 'query', message }] } }),
  );
};

// A fresh object per rule: graphql-armor keeps (and may extend) what it is given.
const rejectWith = () => ({ propagateOnRejection: false, onReject: [reportRejection], exposeLimits: true });

/**
 * graphql-armor's Apollo plugins and validation rules, and the parser's
 * token limit, for the ApolloServer constructor. Field suggestions
 * ("Did you mean ...?") are masked in production, where introspection is off too.
 */
export function createQueryLimits(production: boolean) {
  const { plugins, validationRules } = new ApolloArmor({
    maxDepth: { n: queryLimits.maxDepth, flattenFragments: true, ...rejectWith() },
    maxAliases: { n: queryLimits.maxAliases, ...rejectWith() },
    costLimit: { maxCost: queryLimits.maxCost, flattenFragments: true, ...rejectWith() },
    maxDirectives: { n: queryLimits.maxDirectives, ...rejectWith() },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: production },
  }).protect();
  return { plugins, validationRules, parseOptions: { maxTokens: queryLimits.maxTokens } };
}

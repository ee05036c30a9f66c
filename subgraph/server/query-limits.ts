import { maxTaxonomySize } from '../contributing-factors/factor-coding';
import { maxAmendmentsPerNearMiss } from '../near-misses/amend-near-miss.repository';
import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError } from 'graphql';
import { maxTrendBuckets } from '../analytics/analytics.service';
import { maxTimelineEvents } from '../audit/audit-timeline';
import { ErrorCode } from '../common/errors';
import { listCaps, maxChecksPerAction, maxSharedLearning } from '../corrective-actions/corrective-action.repository';
import { maxLinkedNearMisses, maxQueueLength } from '../near-misses/near-miss.repository';
import { maxWebhooksPerTenant } from '../outbox/webhook.service';
import {
  maxActionsPerReview,
  maxNearMissesPerReview,
  maxReviewList,
  maxReviewsPerNearMiss,
} from '../patterns/risk-review.repository';
import { maxFeedbackMessages } from '../status-changes/reporter-feedback.repository';
import {
  maxNotificationWindows,
  maxNotificationsPerNearMiss,
  maxOverdueNotifications,
} from '../notifications/notification.repository';
import { maxGovernanceRecords } from '../governance/governance-record.repository';
import { maxBriefItems } from '../governance/learning-brief.repository';
import { operationCost } from './query-cost';

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
   * Our cost (query-cost.ts): one per value a field can have in the response,
   * lists multiplied by their real bound (`first` as given, literal or
   * variable; `_entities` by its representations; unpaginated lists by
   * `listBounds`). A full 100-row page with every near-miss field is ~72k; the
   * deepest real screen (query-limits.fed: a person's near misses, their
   * reporters' other reports and those reports' timelines) ~203k;
   * `nearMisses(first: 100) { ... correctiveActions { nearMisses { id } } }`
   * is 1M. At the limit, a request does about a second of work at worst.
   */
  maxCost: 300_000,
  /**
   * Lexer tokens in the document (variables are not tokens): a 1,000-alias
   * query is ~6k. Enforced by graphql-js's own parser (`parseOptions.maxTokens`),
   * which answers 400 GRAPHQL_PARSE_FAILED; graphql-armor's token plugin throws
   * from a hook that Apollo Server turns into a 500.
   */
  maxTokens: 10_000,
  maxDirectives: 50,
} as const;

/**
 * The most items an unpaginated list of objects returns per parent, as the
 * cost counts it. Where a repository constant is named, its loader applies it
 * in SQL; the others are bounded by what writes them (input limits, plugin
 * definitions, the workflow). `edges` is 1: the page is `first`, counted on
 * the connection's field. A unit test keeps every list of the schema here.
 */
export const listBounds: Readonly<Record<string, number>> = {
  'NearMissConnection.edges': 1,
  'NearMissEventConnection.edges': 1,
  'Query.categories': 50,
  'Query.triageQueue': maxQueueLength,
  'Query.overdueCorrectiveActions': 500,
  'Query.overdueVerificationChecks': 500,
  'Query.webhooks': maxWebhooksPerTenant,
  'Query.riskReviews': maxReviewList,
  'Query.repeatTriggerRules': 50,
  'Query.nearMissTrends': maxTrendBuckets,
  'Query.workflowStageAnalysis': 50,
  'Query.nearMissSignals': 200,
  'Query.contributingFactors': maxTaxonomySize,
  'ContributingFactor.children': maxTaxonomySize,
  'NearMiss.amendments': maxAmendmentsPerNearMiss,
  'Mutation.scheduleVerification': 20,
  'Mutation.setRepeatTriggerRule': 50,
  'NearMiss.correctiveActions': listCaps.actionsPerNearMiss,
  'NearMiss.staffInvolved': 50,
  'NearMiss.timeline': maxTimelineEvents,
  'NearMiss.gates': 20,
  'NearMiss.feedback': maxFeedbackMessages,
  'ReceiptView.feedback': maxFeedbackMessages,
  'NearMiss.notifications': maxNotificationsPerNearMiss,
  'Query.overdueNotifications': maxOverdueNotifications,
  'Query.notificationWindows': maxNotificationWindows,
  'Query.governanceReviews': maxGovernanceRecords,
  'Query.learningResponses': maxGovernanceRecords,
  'Query.learningBrief': 2 * maxBriefItems,
  'GovernanceReview.reopenedNearMisses': 50,
  'LearningResponse.nearMisses': 50,
  'LearningResponse.riskReviews': 50,
  'LearningResponse.actions': 50,
  'NearMiss.riskReviews': maxReviewsPerNearMiss,
  'CorrectiveAction.nearMisses': listCaps.nearMissesPerAction,
  'CorrectiveAction.verificationChecks': maxChecksPerAction,
  'ActionPlan.actions': listCaps.actionsPerNearMiss,
  'Staff.correctiveActionsOwned': listCaps.actionsPerOwner,
  'Visit.nearMisses': maxLinkedNearMisses,
  'MedicationRecord.nearMisses': maxLinkedNearMisses,
  'Shift.nearMisses': maxLinkedNearMisses,
  'CarePlan.nearMisses': maxLinkedNearMisses,
  'RiskReview.nearMisses': maxNearMissesPerReview,
  'RiskReview.correctiveActions': maxActionsPerReview,
  'NearMissCategory.gates': 20,
  'NearMissCategory.verificationTemplates': 20,
  'SignalHealth.barrierReliability': 100,
  'SpcSeries.points': 200,
  // standard-codes.ts: at most four codes per taxonomy, one FHIR category.
  'StandardCodes.lfpse': 4,
  'StandardCodes.ahrq': 4,
  'StandardCodes.fhirCategory': 1,
  'SpcSeries.signals': 50,
  'GovernanceSummary.byCategory': 50,
  'GovernanceSummary.byService': 200,
  'GovernanceSummary.byWorkflowStage': 50,
  'GovernanceSummary.byContributingFactor': 100,
  'GovernanceSummary.byShiftPhase': 10,
  'GovernanceSummary.byHourOfDay': 24,
  'GovernanceSummary.repeatPatterns': maxReviewList,
  'GovernanceSummary.sharedLearning': maxSharedLearning,
  'GovernanceSummary.signals': 50,
  'ReportNearMissPayload.riskReviewsOpened': 10,
  'ReportNearMissPayload.riskReviewsJoined': 10,
};

// Fragments spread many times over can make a short document long to walk.
const maxCostVisits = 100_000;

/** A list of objects missing from `listBounds` counts as this many. */
export const defaultListBound = 500;

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

const refusal = (message: string, path: string) =>
  new GraphQLError(message, {
    extensions: { code: ErrorCode.BadUserInput, fields: [{ path, message }], http: { status: 400 } },
  });

/**
 * Refuses, after validation and before execution, an operation over the cost
 * budget or with more `_entities` representations than allowed. graphql-armor's
 * cost limit cannot do this: a validation rule sees no variables, and it has
 * no per-field list bounds.
 */
export function costLimitPlugin(maxEntityRepresentations: number): ApolloServerPlugin {
  const check: NonNullable<GraphQLRequestListener<BaseContext>['didResolveOperation']> = ({
    schema,
    document,
    operation,
    request,
  }) =>
    // A throw inside the executor rejects: Apollo answers with the error and does not execute.
    new Promise<void>((resolve) => {
      if (!operation) return resolve();
      const { cost, representations } = operationCost(schema, document, operation, request.variables ?? {}, {
        listBounds,
        defaultListBound,
        maxVisits: maxCostVisits,
      });
      if (representations > maxEntityRepresentations) {
        throw refusal(
          `_entities representations limit of ${maxEntityRepresentations} exceeded, found ${representations}.`,
          'representations',
        );
      }
      if (cost > queryLimits.maxCost) {
        const found = Number.isFinite(cost) ? String(cost) : 'too many fields to count';
        throw refusal(`Query cost limit of ${queryLimits.maxCost} exceeded, found ${found}.`, 'query');
      }
      resolve();
    });
  return { requestDidStart: () => Promise.resolve({ didResolveOperation: check }) };
}

export interface QueryLimitOptions {
  production: boolean;
  maxEntityRepresentations: number;
}

/**
 * graphql-armor's Apollo plugins and validation rules (depth, aliases,
 * directives), our cost and `_entities` limit, and the parser's token limit,
 * for the ApolloServer constructor. Field suggestions ("Did you mean ...?")
 * are masked in production, where introspection is off too.
 */
export function createQueryLimits(options: QueryLimitOptions) {
  const { plugins, validationRules } = new ApolloArmor({
    maxDepth: { n: queryLimits.maxDepth, flattenFragments: true, ...rejectWith() },
    maxAliases: { n: queryLimits.maxAliases, ...rejectWith() },
    // Replaced by costLimitPlugin, which reads variables and knows every list's bound.
    costLimit: { enabled: false },
    maxDirectives: { n: queryLimits.maxDirectives, ...rejectWith() },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: options.production },
  }).protect();
  return {
    plugins: [...plugins, costLimitPlugin(options.maxEntityRepresentations)],
    validationRules,
    parseOptions: { maxTokens: queryLimits.maxTokens },
  };
}

import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { GraphQLDateTime } from 'graphql-scalars';
import { parse, type GraphQLSchema } from 'graphql';
import { buildSchema, createResolversMap } from 'type-graphql';
import '../auth/role';
import { CategoryResolver } from '../categories/category.resolver';
import { ContributingFactorResolver } from '../contributing-factors/contributing-factor.resolver';
import { CarePlan, MedicationRecord, Person, Shift, Staff, Visit } from '../host-entities/host-entity.types';
import {
  CarePlanResolver,
  MedicationRecordResolver,
  PersonResolver,
  ShiftResolver,
  StaffResolver,
  VisitResolver,
} from '../host-entities/host-entity.resolvers';
import { LifecycleResolver } from '../lifecycle/lifecycle.resolver';
import { ViewerResolver } from '../auth/viewer.resolver';
import { PersonDataResolver } from '../privacy/person-data.resolver';
import {
  CorrectiveActionResolver,
  NearMissActionsResolver,
  StaffActionsResolver,
  VerificationCheckResolver,
} from '../corrective-actions/corrective-action.resolver';
import { CorrectiveAction, VerificationCheck } from '../corrective-actions/corrective-action.type';
import { NearMissConnectionResolver } from '../near-misses/connection.resolver';
import { NearMissResolver, ReportNearMissPayloadResolver } from '../near-misses/near-miss.resolver';
import { NearMissAmendmentResolver } from '../near-misses/amend-near-miss.resolver';
import { NearMiss } from '../near-misses/near-miss.type';
import { NearMissEventResolver } from '../outbox/near-miss-event.resolver';
import { WebhookResolver } from '../outbox/webhook.resolver';
import { NearMissRiskReviewResolver, RiskReviewResolver } from '../patterns/risk-review.resolver';
import { NearMissNotificationsResolver, NotificationResolver } from '../notifications/notification.resolver';
import { GovernanceReviewResolver, LearningResponseResolver } from '../governance/governance-record.resolver';
import { AnalyticsResolver } from '../analytics/analytics.resolver';
import { ReclassificationResolver } from '../reclassification/reclassification.resolver';
import { RiskReview } from '../patterns/risk-review.type';
import type { RequestContext } from './context';
import { guardEntityRepresentations } from './entity-representations';
import { inputHygieneMiddleware } from './input-hygiene.middleware';

const federationLink =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@external", "@requires", "@tag", "@inaccessible"])';

const resolvers = [
  NearMissResolver,
  ReportNearMissPayloadResolver,
  NearMissConnectionResolver,
  LifecycleResolver,
  ViewerResolver,
  PersonDataResolver,
  CorrectiveActionResolver,
  VerificationCheckResolver,
  NearMissActionsResolver,
  StaffActionsResolver,
  NearMissEventResolver,
  WebhookResolver,
  RiskReviewResolver,
  NearMissRiskReviewResolver,
  AnalyticsResolver,
  ReclassificationResolver,
  CategoryResolver,
  ContributingFactorResolver,
  NearMissAmendmentResolver,
  PersonResolver,
  StaffResolver,
  VisitResolver,
  MedicationRecordResolver,
  ShiftResolver,
  CarePlanResolver,
  NotificationResolver,
  NearMissNotificationsResolver,
  GovernanceReviewResolver,
  LearningResponseResolver,
] as const;

const hostTypes = { Person, Staff, Visit, MedicationRecord, Shift, CarePlan };

/** Entity references the gateway sends through `_entities`. */
const references: GraphQLResolverMap<RequestContext> = {
  NearMiss: {
    __resolveReference: (reference: { id: string }, context: RequestContext) => context.loaders.byId.load(reference.id),
  },
  CorrectiveAction: {
    __resolveReference: (reference: { id: string }, context: RequestContext) => context.actions.byId.load(reference.id),
  },
  VerificationCheck: {
    __resolveReference: (reference: { id: string }, context: RequestContext) =>
      context.actions.checkById.load(reference.id),
  },
  RiskReview: {
    __resolveReference: (reference: { id: string }, context: RequestContext) =>
      context.patterns.reviewById.load(reference.id),
  },
  ...Object.fromEntries(
    Object.entries(hostTypes).map(([name, Type]) => [
      name,
      { __resolveReference: (reference: { id: string }) => Object.assign(new Type(), { id: reference.id }) },
    ]),
  ),
};

/**
 * Builds the federated subgraph schema from the type-graphql classes: print
 * with directives, prepend the federation @link, and hand SDL plus resolvers
 * (with __resolveReference per entity) to buildSubgraphSchema.
 */
export async function createSubgraphSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers,
    orphanedTypes: [...Object.values(hostTypes), NearMiss, CorrectiveAction, VerificationCheck, RiskReview],
    scalarsMap: [{ type: Date, scalar: GraphQLDateTime }],
    globalMiddlewares: [inputHygieneMiddleware],
    validate: false,
    emitSchemaFile: false,
  });
  const sdl = `${federationLink}\n\n${printSchemaWithDirectives(schema)}`;
  const resolverMap = createResolversMap(schema) as GraphQLResolverMap<RequestContext>;
  for (const [typeName, typeResolvers] of Object.entries(references)) {
    resolverMap[typeName] = { ...(resolverMap[typeName] as object), ...(typeResolvers as object) };
  }
  return guardEntityRepresentations(
    buildSubgraphSchema({ typeDefs: parse(sdl), resolvers: resolverMap as GraphQLResolverMap<unknown> }),
  );
}

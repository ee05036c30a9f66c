import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { authorize, isAllowed } from '../auth/role-matrix';
import { CorrectiveAction } from '../corrective-actions/corrective-action.type';
import { fieldProtection, protectText } from '../near-misses/field-protection';
import { NearMiss } from '../near-misses/near-miss.type';
import { RiskReview } from '../patterns/risk-review.type';
import type { RequestContext } from '../server/context';
import { listGovernanceReviews, listLearningResponses, type RecordScope } from './governance-record.repository';
import { recordGovernanceReview, recordLearningResponse } from './governance-record.service';
import {
  GovernanceReview,
  GovernanceReviewInput,
  LearningBriefItem,
  LearningResponse,
  LearningResponseInput,
} from './governance-record.type';
import { learningBrief } from './learning-brief.service';

const recordScope = (context: RequestContext): RecordScope => ({
  tenantId: context.principal.tenantId,
  serviceIds: context.principal.services,
});

/** Loaded values the caller may see, in order (loaders answer null or an error for the others). */
const readable = <T>(values: readonly (T | null | Error)[]): T[] =>
  values.filter((value): value is T => value !== null && !(value instanceof Error));

/** The near misses of these ids the caller may read: none for roles that read no rows (GOVERNANCE). */
const readableNearMisses = async (context: RequestContext, ids: string[]): Promise<NearMiss[]> =>
  isAllowed(context.principal, 'nearMiss.read') ? readable(await context.loaders.byId.loadMany(ids)) : [];

@Resolver(() => GovernanceReview)
export class GovernanceReviewResolver {
  @Query(() => [GovernanceReview], {
    description: 'Governance reviews held in [from, to) of your services (or the whole organisation), oldest first',
  })
  async governanceReviews(
    @Ctx() context: RequestContext,
    @Arg('from', () => Date, { nullable: true }) from?: Date,
    @Arg('to', () => Date, { nullable: true }) to?: Date,
  ): Promise<GovernanceReview[]> {
    authorize(context.principal, 'governance.read');
    return context.db.read((tx) =>
      listGovernanceReviews(tx, recordScope(context), { from: from ?? undefined, to: to ?? undefined }),
    );
  }

  @Mutation(() => GovernanceReview, {
    description:
      "Records a governance meeting's review of a period; the near misses it names are reopened, with audit and events",
  })
  async recordGovernanceReview(
    @Arg('input', () => GovernanceReviewInput) input: GovernanceReviewInput,
    @Ctx() context: RequestContext,
  ): Promise<GovernanceReview> {
    return context.mutate((tx, actor) => recordGovernanceReview(tx, actor, input));
  }

  @FieldResolver(() => [NearMiss])
  async reopenedNearMisses(@Root() review: GovernanceReview, @Ctx() context: RequestContext): Promise<NearMiss[]> {
    return readableNearMisses(context, review.reopenedNearMissIds);
  }
}

@Resolver(() => LearningResponse)
export class LearningResponseResolver {
  @Query(() => [LearningResponse], {
    description: 'Learning responses held in [from, to) about your services (or the whole organisation), oldest first',
  })
  async learningResponses(
    @Ctx() context: RequestContext,
    @Arg('from', () => Date, { nullable: true }) from?: Date,
    @Arg('to', () => Date, { nullable: true }) to?: Date,
  ): Promise<LearningResponse[]> {
    authorize(context.principal, 'learning.read');
    return context.db.read((tx) =>
      listLearningResponses(tx, recordScope(context), { from: from ?? undefined, to: to ?? undefined }),
    );
  }

  @Query(() => [LearningBriefItem], {
    description:
      '"You said, we did" for [from, to): concluded risk reviews and actions verified effective, for every member of staff of the services; no report text, reporter or person',
  })
  async learningBrief(
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Ctx() context: RequestContext,
    @Arg('serviceIds', () => [ID], { nullable: true }) serviceIds?: string[],
  ): Promise<LearningBriefItem[]> {
    return context.db.read((tx) => learningBrief(tx, context.principal, context.services, { from, to, serviceIds }));
  }

  @Mutation(() => LearningResponse, {
    description:
      'Records a learning response (a SWARM huddle, after-action review, thematic review, MDT review or RCA)',
  })
  async recordLearningResponse(
    @Arg('input', () => LearningResponseInput) input: LearningResponseInput,
    @Ctx() context: RequestContext,
  ): Promise<LearningResponse> {
    return context.mutate((tx, actor) => recordLearningResponse(tx, actor, input));
  }

  @FieldResolver(() => String)
  findings(@Root() response: LearningResponse, @Ctx() context: RequestContext): string {
    return protectText(fieldProtection(context), response.findings);
  }

  @FieldResolver(() => [NearMiss])
  async nearMisses(@Root() response: LearningResponse, @Ctx() context: RequestContext): Promise<NearMiss[]> {
    return readableNearMisses(context, response.nearMissIds);
  }

  @FieldResolver(() => [RiskReview])
  async riskReviews(@Root() response: LearningResponse, @Ctx() context: RequestContext): Promise<RiskReview[]> {
    return readable(await context.patterns.reviewById.loadMany(response.riskReviewIds));
  }

  @FieldResolver(() => [CorrectiveAction])
  async actions(@Root() response: LearningResponse, @Ctx() context: RequestContext): Promise<CorrectiveAction[]> {
    return readable(await context.actions.byId.loadMany(response.actionIds));
  }
}

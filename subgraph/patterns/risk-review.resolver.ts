import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { authorize, isAllowed } from '../auth/role-matrix';
import { toCategoryType } from '../categories/category.mapper';
import { NearMissCategory } from '../categories/category.type';
import { notFound } from '../common/errors';
import { CorrectiveAction } from '../corrective-actions/corrective-action.type';
import { Staff } from '../host-entities/host-entity.types';
import { fieldProtection, protectReference, withheld } from '../near-misses/field-protection';
import { NearMiss } from '../near-misses/near-miss.type';
import type { RequestContext } from '../server/context';
import { loadRepeatTriggerRules, loadReviews } from './risk-review.repository';
import { concludeRiskReview, setRepeatTriggerRule, setServiceManager } from './risk-review.service';
import {
  RepeatTriggerRuleInput,
  RepeatTriggerRuleType,
  RiskReview,
  RiskReviewActionInput,
  RiskReviewCause,
  RiskReviewStatus,
  ServiceManagerAssignment,
  type RiskReviewCauseValue,
  type RiskReviewStatusValue,
} from './risk-review.type';

const present = <T>(items: (T | null | Error)[]): T[] =>
  items.filter((item): item is T => item !== null && !(item instanceof Error));

/** Staff behind a review: hidden from callers who may read no individual (GOVERNANCE), pseudonyms for ANALYST. */
const staffFor = (context: RequestContext, id: string | undefined) =>
  isAllowed(context.principal, 'nearMiss.read') ? protectReference(fieldProtection(context), 'staff', id) : null;

@Resolver(() => RiskReview)
export class RiskReviewResolver {
  @Query(() => [RiskReview], {
    description:
      'Risk reviews of your services: open ones by due date (overdue first), then concluded ones, newest first.',
  })
  async riskReviews(
    @Ctx() context: RequestContext,
    @Arg('status', () => RiskReviewStatus, { nullable: true }) status?: RiskReviewStatusValue,
    @Arg('serviceIds', () => [ID], { nullable: true }) serviceIds?: string[],
    @Arg('overdueOnly', () => Boolean, { nullable: true, defaultValue: false }) overdueOnly?: boolean,
  ): Promise<RiskReview[]> {
    authorize(context.principal, 'riskReviews.read');
    return context.db.read((tx) =>
      loadReviews(tx, context.patterns.scope, {
        status: status ?? undefined,
        serviceIds: serviceIds ?? undefined,
        overdueOnly: overdueOnly ?? false,
      }),
    );
  }

  @Query(() => RiskReview, { nullable: true })
  async riskReview(@Arg('id', () => ID) id: string, @Ctx() context: RequestContext): Promise<RiskReview | null> {
    authorize(context.principal, 'riskReviews.read');
    return context.patterns.reviewById.load(id);
  }

  @Mutation(() => RiskReview, {
    description:
      'Concludes a risk review with what it found (causes such as rota pressure, handover, communication, unclear task allocation) and, optionally, the corrective actions it decided.',
  })
  async concludeRiskReview(
    @Arg('id', () => ID) id: string,
    @Arg('conclusion', () => String) conclusion: string,
    @Ctx() context: RequestContext,
    @Arg('causes', () => [RiskReviewCause], { nullable: true }) causes?: RiskReviewCauseValue[],
    @Arg('actions', () => [RiskReviewActionInput], { nullable: true }) actions?: RiskReviewActionInput[],
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number,
  ): Promise<RiskReview> {
    const review = await context.mutate((tx, actor) =>
      concludeRiskReview(tx, actor, { id, conclusion, causes, actions, expectedVersion }),
    );
    if (!review) throw notFound(`Risk review ${id} is not readable`);
    context.patterns.reviewById.prime(review.id, review);
    return review;
  }

  @Query(() => [RepeatTriggerRuleType], {
    description:
      "Your organisation's repeat-trigger rule for every category ('*' first: the default for categories without their own).",
  })
  async repeatTriggerRules(@Ctx() context: RequestContext): Promise<RepeatTriggerRuleType[]> {
    authorize(context.principal, 'riskReviews.read');
    const categories = context.services.registry.list().map((registered) => registered.definition.key);
    return context.db.read((tx) => loadRepeatTriggerRules(tx, context.principal.tenantId, categories));
  }

  @Mutation(() => [RepeatTriggerRuleType], {
    description: 'Sets how many similar near misses in how many days open a risk review, for a category or (*) all.',
  })
  async setRepeatTriggerRule(
    @Arg('input', () => RepeatTriggerRuleInput) input: RepeatTriggerRuleInput,
    @Ctx() context: RequestContext,
  ): Promise<RepeatTriggerRuleType[]> {
    return context.mutate((tx, actor) => setRepeatTriggerRule(tx, actor, input));
  }

  @Mutation(() => ServiceManagerAssignment, {
    description: "Names a service's manager: its risk reviews are assigned to them (open unassigned ones too).",
  })
  async assignServiceManager(
    @Arg('serviceId', () => ID) serviceId: string,
    @Arg('staffId', () => ID) staffId: string,
    @Ctx() context: RequestContext,
  ): Promise<ServiceManagerAssignment> {
    await context.mutate((tx, actor) => setServiceManager(tx, actor, { serviceId, staffId }));
    return { serviceId, staffId };
  }

  @FieldResolver(() => [NearMiss], {
    description: 'The similar near misses, oldest occurrence first, at most 100 (rows: FORBIDDEN for GOVERNANCE)',
  })
  async nearMisses(@Root() review: RiskReview, @Ctx() context: RequestContext): Promise<NearMiss[]> {
    context.loaders.readScope();
    return present(await context.loaders.byId.loadMany(await context.patterns.memberIds.load(review.id)));
  }

  @FieldResolver(() => NearMissCategory, {
    nullable: true,
    description: 'null when the category is no longer installed',
  })
  category(@Root() review: RiskReview, @Ctx() context: RequestContext): NearMissCategory | null {
    const registered = context.services.registry.get(review.categoryKey);
    return registered ? toCategoryType(registered) : null;
  }

  @FieldResolver(() => String, { nullable: true })
  conclusion(@Root() review: RiskReview, @Ctx() context: RequestContext): string | null {
    return review.conclusion && !isAllowed(context.principal, 'nearMiss.readIdentified') ? withheld : review.conclusion;
  }

  @FieldResolver(() => Staff, {
    nullable: true,
    description: "The service's manager when the review opened (null for GOVERNANCE, a pseudonym for ANALYST)",
  })
  assignedTo(@Root() review: RiskReview, @Ctx() context: RequestContext): Staff | null {
    return staffFor(context, review.assignedToId);
  }

  @FieldResolver(() => Staff, { nullable: true, description: 'null for GOVERNANCE, a pseudonym (stf_...) for ANALYST' })
  concludedBy(@Root() review: RiskReview, @Ctx() context: RequestContext): Staff | null {
    return staffFor(context, review.concludedById);
  }

  @FieldResolver(() => [CorrectiveAction], { description: 'Corrective actions the review decided (at most 20)' })
  async correctiveActions(@Root() review: RiskReview, @Ctx() context: RequestContext): Promise<CorrectiveAction[]> {
    authorize(context.principal, 'actions.read');
    return present(await context.actions.byId.loadMany(await context.patterns.actionIds.load(review.id)));
  }
}

@Resolver(() => NearMiss)
export class NearMissRiskReviewResolver {
  @FieldResolver(() => [RiskReview], { description: 'Risk reviews this near miss is part of (the 10 oldest)' })
  async riskReviews(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): Promise<RiskReview[]> {
    return context.patterns.reviewsByNearMiss.load(nearMiss.id);
  }
}

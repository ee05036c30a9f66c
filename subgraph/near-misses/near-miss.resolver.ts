import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { toCategoryType } from '../categories/category.mapper';
import { currentDetails } from '../categories/current-details';
import { NearMissCategory } from '../categories/category.type';
import { CarePlan, MedicationRecord, Person, Shift, Staff, Visit, hostReference } from '../host-entities/host-entity.types';
import type { RequestContext } from '../server/context';
import { NearMissFilter } from './near-miss.filter';
import { checkPageSize, type ConnectionRequest } from './near-miss.query';
import { AuditEvent, NearMiss, NearMissConnection, ReportNearMissPayload } from './near-miss.type';
import { ReportNearMissInput } from './report-near-miss.input';
import { reportNearMiss } from './report-near-miss.service';
import type { RiskReview } from '../patterns/risk-review.type';

/** A lazily resolved connection (see connection.resolver.ts). */
export function connection(context: RequestContext, filter: NearMissFilter | null | undefined, first: number | null | undefined, after: string | null | undefined, anchor?: ConnectionRequest['anchor']) {
  return Object.assign(new NearMissConnection(), {
    request: { scope: context.loaders.readScope(), filter: filter ?? {}, first: checkPageSize(first ?? 20), after: after ?? undefined, anchor },
  });
}

@Resolver(() => NearMiss)
export class NearMissResolver {
  @Query(() => NearMiss, { nullable: true, description: 'One near miss, if it exists and you may see it.' })
  async nearMiss(@Arg('id', () => ID) id: string, @Ctx() context: RequestContext): Promise<NearMiss | null> {
    return context.loaders.byId.load(id);
  }

  @Query(() => NearMissConnection, { description: 'Near misses you may see, newest occurrence first.' })
  nearMisses(
    @Ctx() context: RequestContext,
    @Arg('filter', () => NearMissFilter, { nullable: true }) filter?: NearMissFilter,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first = 20,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): NearMissConnection {
    return connection(context, filter, first, after);
  }

  @Mutation(() => ReportNearMissPayload, {
    description: 'Reports a near miss. Retrying with the same idempotencyKey and payload returns the first result (replayed: true).',
  })
  async reportNearMiss(
    @Arg('input', () => ReportNearMissInput) input: ReportNearMissInput,
    @Arg('idempotencyKey', () => String) idempotencyKey: string,
    @Ctx() context: RequestContext,
  ): Promise<ReportNearMissPayload> {
    const outcome = await reportNearMiss(context.services, context.principal, context.db, input, idempotencyKey);
    const nearMiss = await context.loaders.byId.load(outcome.nearMissId);
    if (!nearMiss) throw new Error(`reported near miss ${outcome.nearMissId} is not readable`);
    const reviews = async (ids: string[]) => (await context.patterns.reviewById.loadMany(ids)).filter((review): review is RiskReview => review !== null && !(review instanceof Error));
    return {
      nearMiss,
      suggestedRoute: outcome.suggestedRoute,
      sameDay: outcome.sameDay,
      replayed: outcome.replayed,
      riskReviewsOpened: await reviews(outcome.riskReviewsOpened),
      riskReviewsJoined: await reviews(outcome.riskReviewsJoined),
    };
  }

  // Reports stored under an older category version are read through the plugin's upgradeDetails.
  @FieldResolver(() => GraphQLJSON)
  details(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): Record<string, unknown> {
    return currentDetails(context.services.registry.get(nearMiss.categoryKey), nearMiss.details, nearMiss.categoryVersion, context.services.logger);
  }

  @FieldResolver(() => NearMissCategory)
  async category(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): Promise<NearMissCategory> {
    const registered = context.services.registry.get(nearMiss.categoryKey);
    return registered
      ? toCategoryType(registered, !(await context.loaders.disabledCategories()).has(nearMiss.categoryKey))
      : { key: nearMiss.categoryKey, label: nearMiss.categoryKey, description: 'This category is no longer installed.', fieldsSchema: {}, version: nearMiss.categoryVersion, defaultRoute: nearMiss.suggestedRoute, gates: [], verificationTemplates: [], contributingFactors: [], workflowStages: [], fhirAdverseEventCategory: 'unknown', enabled: false };
  }

  @FieldResolver(() => Staff)
  reportedBy(@Root() nearMiss: NearMiss): Staff {
    return hostReference(Staff, nearMiss.reportedById)!;
  }

  @FieldResolver(() => [Staff])
  staffInvolved(@Root() nearMiss: NearMiss): Staff[] {
    return nearMiss.staffInvolvedIds.map((id) => hostReference(Staff, id)!);
  }

  @FieldResolver(() => Person, { nullable: true })
  person(@Root() nearMiss: NearMiss): Person | null {
    return hostReference(Person, nearMiss.personId);
  }

  @FieldResolver(() => Visit, { nullable: true })
  visit(@Root() nearMiss: NearMiss): Visit | null {
    return hostReference(Visit, nearMiss.visitId);
  }

  @FieldResolver(() => MedicationRecord, { nullable: true })
  medicationRecord(@Root() nearMiss: NearMiss): MedicationRecord | null {
    return hostReference(MedicationRecord, nearMiss.medicationRecordId);
  }

  @FieldResolver(() => Shift, { nullable: true })
  shift(@Root() nearMiss: NearMiss): Shift | null {
    return hostReference(Shift, nearMiss.shiftId);
  }

  @FieldResolver(() => CarePlan, { nullable: true })
  carePlan(@Root() nearMiss: NearMiss): CarePlan | null {
    return hostReference(CarePlan, nearMiss.carePlanId);
  }

  @FieldResolver(() => [AuditEvent], { description: 'What happened to this report, oldest first' })
  async timeline(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): Promise<AuditEvent[]> {
    return context.loaders.timeline.load(nearMiss.id);
  }
}

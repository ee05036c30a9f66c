import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { toCategoryType } from '../categories/category.mapper';
import { currentDetails } from '../categories/current-details';
import { NearMissCategory } from '../categories/category.type';
import {
  CarePlan,
  MedicationRecord,
  Person,
  Shift,
  Staff,
  Visit,
  hostReference,
} from '../host-entities/host-entity.types';
import type { RequestContext } from '../server/context';
import { NearMissFilter } from './near-miss.filter';
import { checkPageSize, type ConnectionRequest } from './near-miss.repository';
import { AuditEvent, NearMiss, NearMissConnection, ReceiptView, ReportNearMissPayload } from './near-miss.type';
import { readReceipt } from './receipt.service';
import { hiddenReporterOf, reporterVisibilityOf, visibleReporterId, visibleStaffInvolved } from './reporter-identity';
import { ReportNearMissInput } from './report-near-miss.input';
import { reportNearMiss, reportTransaction } from './report-near-miss.service';
import {
  fieldProtection,
  protectAuditEvent,
  protectDetails,
  protectReference,
  protectText,
  protectTexts,
  refuseLookup,
  refusePersonLookup,
} from './field-protection';
import { RiskReview } from '../patterns/risk-review.type';
import { Reclassification } from '../reclassification/reclassification.type';
import { nearMissStandardCodes } from '../standards/near-miss-codes';
import { StandardCodes } from '../standards/standard-codes.type';

/** A lazily resolved connection (see connection.resolver.ts). */
export function connection(
  context: RequestContext,
  filter: NearMissFilter | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
  anchor?: ConnectionRequest['anchor'],
) {
  const scope = context.loaders.readScope();
  refusePersonLookup(
    context.principal,
    filter?.personId ?? (anchor?.column === 'person_id' ? anchor.value : undefined),
  );
  refuseLookup(context.principal, 'staff', anchor?.column === 'reported_by' ? anchor.value : undefined);
  return Object.assign(new NearMissConnection(), {
    request: { scope, filter: filter ?? {}, first: checkPageSize(first ?? 20), after: after ?? undefined, anchor },
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

  @Query(() => ReceiptView, {
    nullable: true,
    description:
      "An anonymous report's reference, status and feedback, for any caller of the tenant who holds its receipt code; null for any other code. Neither logged nor audited: reading it must not name the reporter.",
  })
  async nearMissByReceipt(
    @Arg('receipt', () => String) receipt: string,
    @Ctx() context: RequestContext,
  ): Promise<ReceiptView | null> {
    return readReceipt(context, receipt);
  }

  @Mutation(() => ReportNearMissPayload, {
    description:
      'Reports a near miss. Retrying with the same idempotencyKey and payload returns the first result (replayed: true).',
  })
  async reportNearMiss(
    @Arg('input', () => ReportNearMissInput) input: ReportNearMissInput,
    @Arg('idempotencyKey', () => String) idempotencyKey: string,
    @Ctx() context: RequestContext,
  ): Promise<ReportNearMissPayload> {
    const outcome = await context.mutate(
      (tx, actor) => reportNearMiss(tx, actor, { input, idempotencyKey }),
      reportTransaction,
    );
    const nearMiss = outcome.nearMiss;
    context.loaders.byId.prime(nearMiss.id, nearMiss);
    return Object.assign(new ReportNearMissPayload(), {
      nearMiss,
      suggestedRoute: outcome.suggestedRoute,
      sameDay: outcome.sameDay,
      replayed: outcome.replayed,
      receipt: outcome.receipt,
      openedReviewIds: outcome.riskReviewsOpened,
      joinedReviewIds: outcome.riskReviewsJoined,
    });
  }

  // Reports stored under an older category version are read through the plugin's upgradeDetails;
  // free-text fields are withheld from ANALYST (field-protection.ts).
  @FieldResolver(() => GraphQLJSON)
  details(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): Record<string, unknown> {
    const registered = context.services.registry.get(nearMiss.categoryKey);
    const details = currentDetails(registered, nearMiss.details, nearMiss.categoryVersion, context.services.logger);
    return protectDetails(fieldProtection(context), details, registered?.fieldsSchema);
  }

  @FieldResolver(() => Boolean, {
    description:
      'True for categories that declare restricted access (safeguarding: SAFEGUARDING_LEAD and MANAGER): only those roles, ADMIN and the reporter read the report; others in the service do not see it.',
  })
  restricted(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): boolean {
    return context.services.registry.isRestricted(nearMiss.categoryKey);
  }

  @FieldResolver(() => NearMissCategory)
  category(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): NearMissCategory {
    const registered = context.services.registry.get(nearMiss.categoryKey);
    return registered
      ? toCategoryType(registered)
      : {
          key: nearMiss.categoryKey,
          label: nearMiss.categoryKey,
          description: 'This category is no longer installed.',
          fieldsSchema: {},
          version: nearMiss.categoryVersion,
          defaultRoute: nearMiss.suggestedRoute,
          gates: [],
          verificationTemplates: [],
          contributingFactors: [],
          workflowStages: [],
          fhirAdverseEventCategory: 'unknown',
          enabled: false,
        };
  }

  // Staff and host links: per-tenant pseudonyms for ANALYST (field-protection.ts protectReference).
  @FieldResolver(() => Staff, {
    description:
      "For ANALYST callers, a per-tenant pseudonym (stf_...) in place of the id. `anonymous` for ANONYMOUS reports; `confidential` for CONFIDENTIAL reports, except for their reporter, triage leads, managers and the category's restricted roles",
  })
  reportedBy(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): Staff {
    const reporter = visibleReporterId(reporterVisibilityOf(context.principal, context.services.registry), nearMiss);
    if (!reporter.identified) return hostReference(Staff, reporter.id)!;
    return protectReference(fieldProtection(context), 'staff', reporter.id)!;
  }

  @FieldResolver(() => [Staff], { description: 'For ANALYST callers, per-tenant pseudonyms (stf_...)' })
  staffInvolved(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): Staff[] {
    const protection = fieldProtection(context);
    const visible = visibleStaffInvolved(reporterVisibilityOf(context.principal, context.services.registry), nearMiss);
    return visible.map((id) => protectReference(protection, 'staff', id)!);
  }

  @FieldResolver(() => Person, {
    nullable: true,
    description: 'For ANALYST callers, a per-tenant pseudonym (psn_...) in place of the id',
  })
  person(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): Person | null {
    return protectReference(fieldProtection(context), 'person', nearMiss.personId);
  }

  // Free text: withheld ("[withheld]") for callers without identified access (ANALYST); see field-protection.ts.
  @FieldResolver(() => String)
  whatHappened(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): string {
    return protectText(fieldProtection(context), nearMiss.whatHappened);
  }

  @FieldResolver(() => String)
  howDetected(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): string {
    return protectText(fieldProtection(context), nearMiss.howDetected);
  }

  @FieldResolver(() => String)
  whatPreventedHarm(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): string {
    return protectText(fieldProtection(context), nearMiss.whatPreventedHarm);
  }

  @FieldResolver(() => String, { nullable: true, description: 'The reporter\'s answer to "what made this possible?"' })
  whatMadeThisPossible(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): string | undefined {
    return protectText(fieldProtection(context), nearMiss.whatMadeThisPossible);
  }

  @FieldResolver(() => [String])
  immediateActions(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): string[] {
    return protectTexts(fieldProtection(context), nearMiss.immediateActions);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'What changed as a result ("you reported X, we changed Y"), set at closure',
  })
  outcome(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): string | undefined {
    return protectText(fieldProtection(context), nearMiss.outcome);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Why no corrective action is needed, when a triage lead recorded it',
  })
  noActionReason(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): string | undefined {
    return protectText(fieldProtection(context), nearMiss.noActionReason);
  }

  @FieldResolver(() => Visit, { nullable: true, description: 'For ANALYST callers, a pseudonym (vst_...)' })
  visit(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): Visit | null {
    return protectReference(fieldProtection(context), 'visit', nearMiss.visitId);
  }

  @FieldResolver(() => MedicationRecord, { nullable: true, description: 'For ANALYST callers, a pseudonym (mar_...)' })
  medicationRecord(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): MedicationRecord | null {
    return protectReference(fieldProtection(context), 'medicationRecord', nearMiss.medicationRecordId);
  }

  @FieldResolver(() => Shift, { nullable: true, description: 'For ANALYST callers, a pseudonym (shf_...)' })
  shift(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): Shift | null {
    return protectReference(fieldProtection(context), 'shift', nearMiss.shiftId);
  }

  @FieldResolver(() => CarePlan, { nullable: true, description: 'For ANALYST callers, a pseudonym (cpl_...)' })
  carePlan(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): CarePlan | null {
    return protectReference(fieldProtection(context), 'carePlan', nearMiss.carePlanId);
  }

  @FieldResolver(() => StandardCodes, {
    description: "The near miss in LFPSE, AHRQ Common Formats, NCC MERP and FHIR codes, from its category's mapping",
  })
  standardCodes(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): StandardCodes {
    return nearMissStandardCodes(context.services.registry, nearMiss);
  }

  @FieldResolver(() => Reclassification, {
    nullable: true,
    description: 'Set once the near miss was reclassified as an incident (reclassifyAsIncident)',
  })
  reclassification(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): Reclassification | null {
    const record = nearMiss.reclassificationRecord;
    if (!record) return null;
    const protection = fieldProtection(context);
    return {
      at: record.at,
      by: protectReference(protection, 'staff', record.byId)!,
      harm: record.harm,
      reason: protectText(protection, record.reason),
    };
  }

  @FieldResolver(() => [AuditEvent], {
    description:
      'What happened to this report, oldest first: the first 100 events (for ANALYST callers, staff as pseudonyms)',
  })
  async timeline(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): Promise<AuditEvent[]> {
    const protection = fieldProtection(context);
    const hidden = hiddenReporterOf(reporterVisibilityOf(context.principal, context.services.registry), nearMiss);
    return (await context.loaders.timeline.load(nearMiss.id)).map((event) =>
      protectAuditEvent(protection, event, hidden),
    );
  }
}

/** The reviews a report opened or joined, read only when a client selects them (the ones the reporter may see). */
@Resolver(() => ReportNearMissPayload)
export class ReportNearMissPayloadResolver {
  @FieldResolver(() => [RiskReview])
  riskReviewsOpened(@Root() payload: ReportNearMissPayload, @Ctx() context: RequestContext): Promise<RiskReview[]> {
    return readableReviews(context, payload.openedReviewIds);
  }

  @FieldResolver(() => [RiskReview])
  riskReviewsJoined(@Root() payload: ReportNearMissPayload, @Ctx() context: RequestContext): Promise<RiskReview[]> {
    return readableReviews(context, payload.joinedReviewIds);
  }
}

async function readableReviews(context: RequestContext, ids: readonly string[]): Promise<RiskReview[]> {
  if (!ids.length) return [];
  return (await context.patterns.reviewById.loadMany(ids)).filter(
    (review): review is RiskReview => review !== null && !(review instanceof Error),
  );
}

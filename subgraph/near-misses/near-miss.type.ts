import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import {
  CareSetting,
  NearMissStatus,
  PotentialHarm,
  PreventionReliability,
  ReporterIdentity,
  TriageRoute,
  WorkflowStage,
} from '../domain/graphql-enums';
import type {
  ActualHarmValue,
  CareSettingValue,
  NearMissStatusValue,
  PotentialHarmValue,
  PreventionReliabilityValue,
  ReporterIdentityValue,
  TriageRouteValue,
  WorkflowStageValue,
} from '../domain/vocabulary';
import { Staff } from '../host-entities/host-entity.types';
import { WorkflowContext } from './workflow-context.type';
import { RiskReview } from '../patterns/risk-review.type';

@Directive('@key(fields: "id")')
@ObjectType({ description: 'An error, unsafe condition or interrupted process caught before it reached the person.' })
export class NearMiss {
  @Field(() => ID) id!: string;
  @Field({ description: 'Human-readable, unique per tenant, e.g. NM-2026-000123' }) reference!: string;
  @Field(() => ID) serviceId!: string;
  @Field(() => NearMissStatus) status!: NearMissStatusValue;
  @Field(() => ReporterIdentity, {
    description:
      "How the reporter is known: NAMED, CONFIDENTIAL (reportedBy shows `confidential` except to the reporter, triage leads, managers and the category's restricted roles) or ANONYMOUS (reportedBy is `anonymous` for everyone)",
  })
  identity!: ReporterIdentityValue;
  @Field({ description: 'When it happened' }) occurredAt!: Date;
  @Field({ nullable: true, description: 'When it was noticed, if different' }) detectedAt?: Date;
  @Field() reportedAt!: Date;
  @Field(() => CareSetting) setting!: CareSettingValue;
  @Field() whatHappened!: string;
  @Field() howDetected!: string;
  @Field() whatPreventedHarm!: string;
  @Field(() => PreventionReliability) preventionReliability!: PreventionReliabilityValue;
  @Field(() => [String]) immediateActions!: string[];
  @Field({ nullable: true, description: 'The reporter\'s answer to "what made this possible?"' })
  whatMadeThisPossible?: string;
  @Field(() => [String], { description: 'As the reporter wrote them' }) contributingFactors!: string[];
  @Field(() => [ID], {
    description:
      'The contributing factors as codes of the taxonomy (contributingFactors query): matched from the text at report time, OTHER for text that matched none, or as a triage lead amended them',
  })
  contributingFactorCodes!: string[];
  @Field(() => WorkflowStage, { nullable: true }) workflowStage?: WorkflowStageValue;
  @Field(() => PotentialHarm) potentialHarm!: PotentialHarmValue;
  @Field(() => GraphQLJSON, { description: "The category's own fields, validated by its plugin" }) details!: Record<
    string,
    unknown
  >;
  @Field(() => Int, { description: 'Version of the category plugin the details were validated against' })
  categoryVersion!: number;
  @Field(() => TriageRoute, { description: "The rules' suggested route at report time" })
  suggestedRoute!: TriageRouteValue;
  @Field({ description: 'True when rules asked for triage the same day' }) sameDay!: boolean;
  @Field({ description: 'When triage is due' }) triageDueBy!: Date;
  @Field(() => [String], { description: 'Whom the rules suggest telling' }) suggestedNotify!: string[];
  @Field(() => Int, { description: 'Optimistic-concurrency version; pass it back as expectedVersion' })
  version!: number;
  @Field({ nullable: true, description: 'When a supervisor or lead acknowledged the report' }) acknowledgedAt?: Date;
  @Field({ nullable: true }) closedAt?: Date;
  @Field({ nullable: true, description: 'What changed as a result ("you reported X, we changed Y"), set at closure' })
  outcome?: string;
  @Field(() => Int, { description: 'How many times the near miss was reopened' }) reopenCount!: number;
  @Field({ nullable: true, description: 'Why no corrective action is needed, when a triage lead recorded it' })
  noActionReason?: string;
  @Field(() => WorkflowContext, {
    nullable: true,
    description: "The host's rota, MAR and care plan as they stood when it occurred, as the reporter's app sent them",
  })
  workflowContext?: WorkflowContext;

  // Not exposed directly: resolved into host references and categories by field resolvers.
  categoryKey!: string;
  tenantId!: string;
  /** Null for ANONYMOUS reports. */
  reportedById!: string | null;
  staffInvolvedIds!: string[];
  personId?: string;
  visitId?: string;
  medicationRecordId?: string;
  shiftId?: string;
  carePlanId?: string;
  /** NCC MERP category stored at report time (medication); shown through `standardCodes`. */
  nccMerp?: string;
  /** Set once reclassified as an incident; shown through `reclassification`. */
  reclassificationRecord?: ReclassificationRecord;
}

/** A near miss that reached the person after all, as stored. */
export interface ReclassificationRecord {
  at: Date;
  byId: string;
  harm: ActualHarmValue;
  reason: string;
}

@ObjectType({ description: 'One state of a gate item.' })
export class GateItem {
  @Field(() => ID) key!: string;
  @Field() label!: string;
  @Field() done!: boolean;
  @Field(() => Staff, { nullable: true }) doneBy?: Staff;
  @Field({ nullable: true }) doneAt?: Date;
}

@ObjectType({ description: "One entry of a near miss's audit trail." })
export class AuditEvent {
  @Field() at!: Date;
  @Field(() => Staff, { nullable: true }) actor?: Staff;
  @Field() action!: string;
  @Field(() => GraphQLJSON, { nullable: true }) detail?: unknown;
}

@ObjectType({ description: 'A message to the reporter: acknowledgement, triage outcome, closure outcome.' })
export class ReporterFeedback {
  @Field() at!: Date;
  @Field() message!: string;
}

@ObjectType()
export class NearMissEdge {
  @Field() cursor!: string;
  @Field(() => NearMiss) node!: NearMiss;
}

@Directive('@shareable')
@ObjectType()
export class PageInfo {
  @Field() hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

@ObjectType({ description: 'A page of near misses, newest occurrence first.' })
export class NearMissConnection {
  // Resolved lazily (edges, pageInfo, totalCount) from this request through DataLoaders.
  request!: import('./near-miss.filter').ConnectionRequest;
}

@ObjectType()
export class ReportNearMissPayload {
  @Field(() => NearMiss) nearMiss!: NearMiss;
  @Field(() => TriageRoute) suggestedRoute!: TriageRouteValue;
  @Field() sameDay!: boolean;
  @Field({ description: 'True when the idempotency key was seen before and the first result is returned' })
  replayed!: boolean;
  // The reviews are read only when a client selects them (ReportNearMissPayloadResolver).
  @Field(() => [RiskReview], {
    description: 'Risk reviews this report opened: it made similar near misses reach the repeat trigger',
  })
  riskReviewsOpened?: RiskReview[];
  @Field(() => [RiskReview], { description: 'Open risk reviews this report joined as a further similar near miss' })
  riskReviewsJoined?: RiskReview[];
  @Field(() => String, {
    nullable: true,
    description:
      'ANONYMOUS reports only: the receipt code with which the reporter follows the report (nearMissByReceipt). Returned here alone (again on a retry with the same key), never stored in clear: keep it.',
  })
  receipt?: string;
  openedReviewIds!: string[];
  joinedReviewIds!: string[];
}

@ObjectType({ description: "What the holder of an anonymous report's receipt code sees of it." })
export class ReceiptView {
  @Field() reference!: string;
  @Field(() => NearMissStatus) status!: NearMissStatusValue;
  @Field(() => [ReporterFeedback], { description: 'Messages to the reporter, oldest first' })
  feedback!: ReporterFeedback[];
}
